# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 14 · A custom metric that crosses the alarm's threshold
#
# Each execution publishes `feature_baseline_drift_<feature>` to CloudWatch (namespace
# `aws/sagemaker/Endpoints/data-metrics`, dimensions `Endpoint` and `MonitoringSchedule`).
# The alarm `mlops-nyctaxi-metric-gt-threshold` watches the `total_amount` one
# (`assets/drift-alarm.template.json`; its settings are printed below). An hour's drift can
# cross the alarm's threshold: the hour of step 13c's broken traffic may already have set the
# alarm off and started a retrain (the cell below lists every time the alarm was in ALARM, and
# why). Either way, to make the whole loop certain, we publish a value above the threshold
# ourselves, then **wait for CloudWatch to evaluate the alarm**: alarms are evaluated about
# once a minute, not when a datapoint arrives.
#
# **The API calls:** `cloudwatch.put_metric_data(Namespace=..., MetricData=[...])`, then
# `cloudwatch.describe_alarms` until the state changes.

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
monitoring = None  # AWS only: None runs Model Monitor's schedule; "self" the self-run schedule (accounts Model Monitor no longer admits)
region = None  # AWS only: None follows boto3 (AWS_DEFAULT_REGION, then the profile in ~/.aws/config)
profile = None  # AWS only: a profile of ~/.aws/config; None is the default chain (Studio: the execution role)
confirm_retrain = False  # AWS only: True publishes the value that fires the alarm and starts a real, paid retrain
better_alarm = False  # True: give the alarm an hourly period and missing data as not breaching

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, monitoring=monitoring, region=region, profile=profile, **names)

# %% [markdown]
# First the drift the schedule has published, hour by hour, against the `comparison_threshold` of
# the constraints the schedule uses **now** (step 13b may have changed them) and the alarm's own
# threshold (read from the alarm). Where the schedule was pointed at a new baseline, the lines
# break at a marker: the values before it were measured against the old baseline (training
# labels) and after it against the new one (predictions), so they are not one series.

# %%
from helpers import plots

prod = workshop.production_names(sess)
schedule = workshop.monitoring_schedule(sess)
alarm = workshop.alarm_state(sess)
# BaselineConfig is optional in DescribeMonitoringSchedule's answer: a schedule may name no constraints
threshold = (workshop.load_constraints(sess, schedule.constraints_uri).monitoring_config.distribution_constraints
             .comparison_threshold if schedule.constraints_uri else None)
history = workshop.drift_history(sess, prod.endpoint, ["total_amount", "duration_minutes", "passenger_count", "trip_distance"])
changes = workshop.baseline_changes(sess, prod.endpoint)  # from each run's processing job: the constraints it read
print(f"{len(history)} drift values of {history['feature'].nunique()} features on {prod.endpoint}; " + (
      f"the schedule's constraints ({schedule.constraints_uri}) say comparison_threshold {threshold}" if threshold is not None
      else "the schedule names no constraints file, so there is no threshold to draw"))
print(f"the alarm {sess.names.alarm_name} fires above {alarm.get('Threshold')} (dotted line)")
for change in changes:
    print(f"baseline changed at {change.when:%Y-%m-%d %H:%M} UTC (the line breaks there): "
          f"{plots.baseline_label(change.before)} -> {plots.baseline_label(change.constraints_uri)}")
plots.show(plots.drift_history_figure(history, threshold=threshold, title=f"baseline drift per execution on {prod.endpoint}",
                                      changes=changes, alarm_threshold=alarm.get("Threshold")))

# %%
plots.show(plots.text_table(plots.alarm_settings_frame(alarm), wide=("what it means",)))
print("state now:", alarm.get("StateValue"), "|", alarm.get("StateReason", ""))
print("the schedule's constraint: comparison_threshold", threshold)
earlier = [h for h in workshop.alarm_history(sess) if h.new == "ALARM"]
print(f"times in ALARM so far: {len(earlier)}" + "".join(f"\n  {h.when:%Y-%m-%d %H:%M} UTC: {h.reason}" for h in earlier))
for what, url in workshop.console_links(sess, alarm=sess.names.alarm_name).items():
    print(f"{what}: {url}")  # on AWS only

# %% [markdown]
# Most of the time the alarm sits in **INSUFFICIENT_DATA**, and that is its settings, not a
# fault: the metric arrives once an hour, but the alarm looks at the last 60-second period
# (`Period` above) and treats a period without data as *missing*. For 59 minutes of every hour
# its one period holds no datapoint, so CloudWatch cannot say OK or ALARM. When an execution
# publishes, the alarm is OK or ALARM for one minute, then unknown again.
#
# Its threshold is not the constraint's either (both printed above). The constraint's
# `comparison_threshold` decides which hours get a *violation* in the report; the alarm's
# threshold decides when to **retrain**, which costs a pipeline run and a person's approval,
# so it asks for a larger distance than a small, noisy hour produces by chance.
#
# An hour's own drift can cross the alarm's threshold too: the broken traffic of step 13c
# doubled every distance, the model predicted larger fares, and the prediction's
# (`total_amount`'s) drift rises with them. If the list above shows a time in ALARM after
# 13c's hour, with a reason above the threshold, that hour did it; if it shows none, it did
# not. Each change to ALARM starts a retrain through the rule, and the value we publish
# next starts one more; a newer retrain supersedes one still on its way (step 15 shows both).
#
# Now we publish a drift of 0.25 and wait for the evaluation (on the twin each poll lets a
# virtual minute pass; on AWS it asks every 10 seconds):

# %%
if sess.backend == "aws" and not confirm_retrain:
    raise RuntimeError("On AWS the next step starts a real, paid retrain (training, baselining and deploying, about "
                       "45 minutes): set confirm_retrain = True in the parameters cell to go on.")
datum = workshop.publish_drift_metric(sess, 0.25, prod.endpoint)
print("published:", datum["MetricName"], datum["Value"], f"at {datum['Timestamp']:%H:%M:%S}")
alarm = workshop.wait_for_alarm(sess, "ALARM", poll=10)  # on AWS: DescribeAlarms every 10 seconds
print("after:", alarm["StateValue"], f"at {alarm['StateUpdatedTimestamp']:%H:%M:%S}", "|", alarm["StateReason"])
assert datum["Value"] > alarm["Threshold"]

# %% [markdown]
# Our 0.25 now sits in the same metric as the drift Model Monitor measured, with the same
# dimensions: CloudWatch cannot tell them apart, and neither can the alarm. We can: a monitoring
# run publishes while it runs, so a datapoint no run was publishing is one sent by hand. The
# figure draws the test value as a cross, apart from the measured drift, and the highest
# **measured** drift is printed below it:

# %%
points = workshop.read_metric(sess, prod.endpoint)
runs = workshop.monitoring_executions(sess)
measured = points["Timestamp"].map(lambda t: workshop.publishing_run(runs, prod.endpoint, t) is not None).astype(bool)
plots.show(plots.alarm_metric_figure(points[measured], alarm["Threshold"], f"{datum['MetricName']} on {prod.endpoint}",
                                     by_hand=points[~measured]))
assert datum["Timestamp"].replace(second=0, microsecond=0) in set(points[~measured]["Timestamp"])  # ours: never "measured"
for _, row in points[~measured].iterrows():
    print(f"published by hand (a test value, not measured): {row['Average']:g} at {row['Timestamp']:%H:%M} UTC")
top = points[measured].nlargest(1, "Average")
print("highest drift measured by Model Monitor: " + (f"{top['Average'].iloc[0]:.3f} at {top['Timestamp'].iloc[0]:%H:%M} UTC"
                                                     if len(top) else "none in the last 24 hours"))

# %% [markdown]
# ### A better alarm, if you choose
# An alarm that fits an hourly metric looks at an hour and does not call a missing minute
# unknown. With the settings below it stays OK between executions and goes to ALARM when an
# hour's drift crosses the threshold. Set `better_alarm = True` in the parameters cell to
# apply them (the retrain rule keeps working: it listens for any change *to* ALARM).

# %%
better = {"Period": 3600, "TreatMissingData": "notBreaching"}
plots.show(plots.text_table(plots.alarm_settings_frame(alarm, **better), wide=("what it means",)))
if better_alarm:
    applied = workshop.update_alarm(sess, **better)
    print("applied; the alarm now has " + ", ".join(f"{k} {v}" for k, v in applied.items()))
else:
    print("not applied (better_alarm = False)")

# %% [markdown]
# **What you should see:** the drift of each feature per hour, its lines broken at the marker
# *new baseline* where step 13b repointed the schedule (before it, `total_amount` was measured
# against the training labels; after it, against predictions: about 0 until the hour of 13c's
# doubled distances; the first run after the marker read the hour of 13b's prediction batch,
# the new baseline's own rows, so its 0 proves little; the next one read 13b's hour of typed
# requests), the constraint's threshold as a dashed red line and the alarm's as a
# dotted purple one; the alarm's settings (the Average over one 60-second period against the
# threshold, missing data treated as missing), the state before, after the wait the alarm in
# **ALARM** with the reason *Threshold Crossed: 1 datapoint [0.25 ...] was greater than the
# threshold*, and in the alarm's figure our test value as a cross above the same dotted threshold
# line, apart from the dots of the drift Model Monitor measured; the highest measured drift is
# printed under it. The transition also starts the retrain (step 15).
#
# ## What you learned
# - Model Monitor's metrics are ordinary CloudWatch metrics: alarms, dashboards and your own
#   `put_metric_data` calls all work on them.
# - An alarm is evaluated on its own clock; INSUFFICIENT_DATA on an hourly metric with a
#   60-second period is the settings speaking.
# - The report's threshold and the alarm's threshold answer different questions.
#
# Next: [15 · the alarm and the retraining run](15_alarm_and_retrain.ipynb)

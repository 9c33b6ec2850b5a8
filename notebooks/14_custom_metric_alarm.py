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
# The alarm `mlops-nyctaxi-metric-gt-threshold` watches the `total_amount` one: Average over
# 60 s **> 0.2**, 1 of 1 periods (`assets/drift-alarm.template.json`). The hourly drift stayed
# under 0.2, so to see the whole loop we publish a value above it ourselves.
#
# **The API call:** `cloudwatch.put_metric_data(Namespace=..., MetricData=[...])`.

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
monitoring = None  # AWS only: None runs Model Monitor's schedule; "self" the self-run schedule (accounts Model Monitor no longer admits)
region = None  # AWS only: None follows boto3 (AWS_DEFAULT_REGION, then the profile in ~/.aws/config)
profile = None  # AWS only: a profile of ~/.aws/config; None is the default chain (Studio: the execution role)
confirm_retrain = False  # AWS only: True publishes the value that fires the alarm and starts a real, paid retrain

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, monitoring=monitoring, region=region, profile=profile, **names)

# %%
from helpers import plots

prod = workshop.production_names(sess)
history = workshop.drift_history(sess, prod.endpoint, ["total_amount", "duration_minutes", "passenger_count", "trip_distance"])
plots.show(plots.drift_history_figure(history, threshold=0.1))

# %%
alarm = workshop.alarm_state(sess)
print("before:", alarm.get("StateValue"), "|", alarm.get("StateReason", ""))
if sess.backend == "aws" and not confirm_retrain:
    raise RuntimeError("On AWS the next step starts a real, paid retrain (training, baselining and deploying, about "
                       "45 minutes): set confirm_retrain = True in the parameters cell to go on.")
datum = workshop.publish_drift_metric(sess, 0.25, prod.endpoint)
datum

# %%
points = workshop.read_metric(sess, prod.endpoint)
plots.show(plots.alarm_metric_figure(points, alarm.get("Threshold", 0.2), f"{datum['MetricName']} on {prod.endpoint}"))
alarm = workshop.wait_for_alarm(sess, "ALARM", timeout=300, poll=10)  # CloudWatch's alarm_exists waiter
print("after:", alarm.get("StateValue"), "|", alarm.get("StateReason", ""))

# %% [markdown]
# **What you should see:** the hourly drift points under the dashed 0.1 line or just above it,
# then our 0.25 above the alarm's 0.2, and the alarm in **ALARM** with the reason
# *Threshold Crossed: 1 datapoint [0.25 ...] was greater than the threshold (0.2).*
# On AWS the alarm is evaluated within a minute, so the state read at once would still be OK:
# `wait_for_alarm` uses CloudWatch's own waiter (`cloudwatch.get_waiter("alarm_exists")` with
# `StateValue="ALARM"`), polling every 10 s; on the twin the alarm is evaluated as the datapoint
# arrives. **On AWS this starts a real retrain** (the rule of step 15), which costs money: the
# notebook stops before publishing unless `confirm_retrain = True`.
#
# ## What you learned
# - Model Monitor's metrics are ordinary CloudWatch metrics: alarms, dashboards and your own
#   `put_metric_data` calls all work on them.
#
# Next: [15 · the alarm and the retraining run](15_alarm_and_retrain.ipynb)

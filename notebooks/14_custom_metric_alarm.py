# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, **names)

# %%
from helpers import plots

prod = workshop.production_names(sess)
history = workshop.drift_history(sess, prod.endpoint, ["total_amount", "duration_minutes", "passenger_count", "trip_distance"])
plots.show(plots.drift_history_figure(history, threshold=0.1))

# %%
alarm = workshop.alarm_state(sess)
print("before:", alarm["StateValue"], "|", alarm["StateReason"])
datum = workshop.publish_drift_metric(sess, 0.25, prod.endpoint)
datum

# %%
points = workshop.read_metric(sess, prod.endpoint)
plots.show(plots.alarm_metric_figure(points, alarm["Threshold"], f"{datum['MetricName']} on {prod.endpoint}"))
alarm = workshop.alarm_state(sess)
print("after:", alarm["StateValue"], "|", alarm["StateReason"])

# %% [markdown]
# **What you should see:** the hourly drift points under the dashed 0.1 line or just above it,
# then our 0.25 above the alarm's 0.2, and the alarm in **ALARM** with the reason
# *Threshold Crossed: 1 datapoint [0.25 ...] was greater than the threshold (0.2).*
# On AWS the alarm is evaluated within a minute; on the twin, as the datapoint arrives.
#
# ## What you learned
# - Model Monitor's metrics are ordinary CloudWatch metrics: alarms, dashboards and your own
#   `put_metric_data` calls all work on them.
#
# Next: [15 · the alarm and the retraining run](15_alarm_and_retrain.ipynb)

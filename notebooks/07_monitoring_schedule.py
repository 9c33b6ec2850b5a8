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
# # 07 · The monitoring schedule definition
#
# A monitoring schedule says **what** to monitor (the endpoint's capture), **against what** (the
# baseline's statistics and constraints), **where** to write reports, on **which** instance and
# **how often**. The workshop's is defined in `assets/monitoring-schedule.template.json`.
#
# **The API call:** `sagemaker.describe_monitoring_schedule(MonitoringScheduleName="mlops-nyctaxi-pms")`.

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
region = None  # AWS only: None follows boto3 (AWS_DEFAULT_REGION, then the profile in ~/.aws/config)
profile = None  # AWS only: a profile of ~/.aws/config; None is the default chain (Studio: the execution role)

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, region=region, profile=profile, **names)

# %%
schedule = workshop.monitoring_schedule(sess)
print("status      :", schedule.status)
print("endpoint    :", schedule.endpoint)
print("statistics  :", schedule.statistics_uri)
print("constraints :", schedule.constraints_uri)
print("reports     :", schedule.reports_uri)
print("instance    :", schedule.instance_type, f"(at most {schedule.max_runtime_seconds} s a run)")

# %%
schedule.environment  # optional in the API: {} when the definition sets none

# %% [markdown]
# **What you should see:** the baseline files from step 3, reports under
# `nyctaxi/monitoring/reports`, an `ml.m5.xlarge` with 1,800 s, and
# `publish_cloudwatch_metrics: Enabled`: each run publishes its drift distances to CloudWatch
# (step 14 uses that).
#
# ## What you learned
# - The schedule binds the endpoint's capture to the baseline and sends reports and metrics out.
#
# Next: [08 · cron and the next run](08_schedule_cron.ipynb)

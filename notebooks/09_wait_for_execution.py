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
# # 09 · Wait for a completed execution
#
# Each run of the schedule is a **monitoring execution**, a processing job named
# `model-monitoring-<YYYYMMDDHHMM>-<hex>`. This step polls politely until one has finished with
# a report. On AWS that can take an hour; on the twin each poll lets the twin live one more
# virtual hour, so it returns at once.
#
# **The API call:** `sagemaker.list_monitoring_executions(MonitoringScheduleName=..., SortBy="ScheduledTime", SortOrder="Descending")`.

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
import pandas as pd

recent = workshop.monitoring_executions(sess, limit=10)  # one page of 10, newest first
pd.DataFrame([(e.scheduled, e.status, e.failure_reason) for e in recent],
             columns=["ScheduledTime", "MonitoringExecutionStatus", "FailureReason"]) if recent else "no executions yet"

# %%
execution = workshop.wait_for_execution(sess, timeout=3900, poll=60)
execution.scheduled, execution.status, execution.processing_job

# %% [markdown]
# **What you should see:** possibly a first execution `Failed` with **"Job inputs had no data"**:
# the hour before any traffic arrived had nothing to analyse. Then `CompletedWithViolations`:
# the hour of the notebook's traffic broke some constraints. Steps 12 and 13 say which and why.
#
# ## What you learned
# - Executions have statuses: Completed, CompletedWithViolations, Failed; an empty hour fails.
#
# Next: [10 · the latest execution's results](10_latest_execution_results.ipynb)

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
# # 09 · Wait for a completed execution
#
# Each run of the schedule is a **monitoring execution**, a processing job named
# `model-monitoring-<YYYYMMDDHHMM>-<hex>`. This step polls politely until one has finished with
# a report. On AWS that can take an hour; on the twin each poll lets the twin live one more
# virtual hour, so it returns at once.
#
# **The API call:** `sagemaker.list_monitoring_executions(MonitoringScheduleName=..., EndpointName=..., SortBy="ScheduledTime", SortOrder="Descending", MaxResults=10)`.
#
# **With `monitoring = "self"`** each run is a plain processing job that the Scheduler started,
# named `<schedule>-<execution id>` (the Scheduler's `<aws.scheduler.execution-id>`). The
# same call lists them: `sagemaker.list_processing_jobs(NameContains=<schedule>, SortBy="CreationTime", SortOrder="Descending")`,
# then `describe_processing_job` for each: its `SCHEDULED_TIME` gives the hour, and its exit
# message gives Model Monitor's status (a job that ended *Completed* with
# "CompletedWithViolations: ..." is listed as CompletedWithViolations).

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
monitoring = None  # AWS only: None runs Model Monitor's schedule; "self" the self-run schedule (accounts Model Monitor no longer admits)
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

sess = session(backend, workspace, monitoring=monitoring, region=region, profile=profile, **names)

# %%
import pandas as pd

prod = workshop.production_names(sess)
recent = workshop.monitoring_executions(sess, endpoint=prod.endpoint, limit=10)  # one page of 10, newest first
(pd.DataFrame([(e.scheduled, e.status, e.failure_reason or "") for e in recent],
              columns=["ScheduledTime", "MonitoringExecutionStatus", "FailureReason"])
 if recent else f"no executions yet for {prod.endpoint}")

# %% [markdown]
# Three statuses can appear above. **Completed**: the hour's data met every constraint.
# **CompletedWithViolations**: the job ran and wrote a report, and some constraint was broken.
# **Failed**: no report; the FailureReason says why (an hour without traffic says *Job inputs
# had no data*). Both Completed kinds have a report to read; a Failed one has none.
#
# Now wait for the newest execution with a report, for the endpoint production runs now:

# %%
execution = workshop.wait_for_execution(sess, endpoint=prod.endpoint, timeout=3900, poll=60)
workshop.record_execution(sess, execution, prod.endpoint)
print(f"{execution.scheduled:%Y-%m-%d %H:%M} UTC  {execution.status}  {execution.processing_job}")

# %% [markdown]
# The last line recorded this execution in `.workshop-state.json` beside the notebooks: steps
# 10 to 13 read the same execution, even after more hours have passed, as long as it belongs to
# the production endpoint.
#
# **What you should see:** possibly a first execution `Failed` with **"Job inputs had no data"**:
# the hour before any traffic arrived had nothing to analyse. Then `CompletedWithViolations`:
# the hour of the notebook's traffic broke some constraints. Steps 12 and 13 say which and why.
#
# ## What you learned
# - Executions have statuses: Completed, CompletedWithViolations (both with a report), Failed (none); an empty hour fails.
# - Later steps look at the execution this step waited for.
#
# Next: [10 · the latest execution's results](10_latest_execution_results.ipynb)

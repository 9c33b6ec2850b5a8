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
# # 02 · The baseline job and the schedule names
#
# The pipeline names its resources after the execution id: the baseline processing job
# `mlops-nyctaxi-pbl-<id>`, the endpoint `mlops-nyctaxi-prd-<id>`, and one monitoring
# schedule, `mlops-nyctaxi-pms`. No API call is needed to build the names; the next steps use
# them to ask for each resource.

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

job = workshop.job_names(sess, workshop.pipeline_execution_id(sess))
pd.DataFrame([
    ["pipeline execution id", job.execution_id, "the run that trained, baselined and deployed this model"],
    ["baseline job", job.baseline_job, "the processing job that profiled the training data (step 03)"],
    ["endpoint", job.endpoint, "serves the model and captures its traffic (step 06)"],
    ["monitoring schedule", job.schedule, "compares each hour of capture with the baseline (step 07)"],
], columns=["what", "name", "what it is"]).style.hide(axis="index")

# %% [markdown]
# A quick check that they exist: `sagemaker.list_monitoring_schedules(EndpointName=...)` lists
# the schedules watching the endpoint.

# %%
on_endpoint = workshop.schedules_on_endpoint(sess, job.endpoint)
print(f"schedules watching {job.endpoint}: {len(on_endpoint)}")
for name, status in on_endpoint:
    print(f"  {name}: {status}")

# %% [markdown]
# **What you should see:** one schedule, `mlops-nyctaxi-pms`, `Scheduled`.
#
# ## What you learned
# - Names carry the execution id, so every artifact can be traced to the run that made it.
#
# Next: [03 · the baseline job](03_baseline_job_status.ipynb)

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
# # 01 · The pipeline execution id
#
# Everything the pipeline deployed is named after the **execution id** of the CodePipeline run
# that reached production. This step finds it.
#
# **The API call:** `codepipeline.get_pipeline_state(name=<pipeline>)` returns one entry per
# stage; the `latestExecution.pipelineExecutionId` of the stage that deploys to production is
# the run now in production (the session knows that stage's name: it is printed below).
# The pipeline is `mlops-nyctaxi` on the twin; on AWS its name depends on how the workshop was
# deployed (`mlops-nyctaxi-<SageMakerProjectId>` in Studio) and the session found it for you.

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
print("the stage that deploys production:", sess.names.deploy_stage)
for stage in workshop.pipeline_stages(sess):  # codepipeline.get_pipeline_state, one row per stage
    print(f"{stage.name:12s} {stage.status:10s} {stage.execution_id}")

# %% [markdown]
# `helpers.workshop.pipeline_execution_id` does the same search and fails clearly when the
# deployment has not reached production yet:

# %%
execution_id = workshop.pipeline_execution_id(sess)
execution_id

# %% [markdown]
# **What you should see:** the same id twice: the production stage's line of the table (the
# stage named on the first line) and the value above, a UUID (32 hex digits in five groups). The other stages may show a newer
# execution while a retrain is on its way: production keeps the id of the run that deployed it.
#
# ## What you learned
# - The execution id ties the pipeline run to the jobs, endpoint and reports it produced.
# - `get_pipeline_state` tells which run each stage last processed.
#
# Next: [02 · job and schedule names](02_job_and_schedule_names.ipynb)

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
# # 03 · The baseline job: status and output location
#
# The baseline is a **processing job** that runs Model Monitor's analyzer over the training
# data: it writes `statistics.json` (what the data looked like) and `constraints.json` (what
# future data must satisfy). Its description tells where they are.
#
# **The API call:** `sagemaker.describe_processing_job(ProcessingJobName=...)`; the output
# location is in `ProcessingOutputConfig.Outputs[0].S3Output.S3Uri`.

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
prod = workshop.production_names(sess)
job = workshop.baseline_job(sess, prod.baseline_job)  # sagemaker.describe_processing_job


def when(t):
    """A time of the description, or what the API left out (both times are optional in it)."""
    return f"{t:%Y-%m-%d %H:%M:%S %Z}".strip() if t else "(not in the answer)"


print("status  :", job.status)
print("started :", when(job.started))
print("ended   :", when(job.ended))
print("image   :", job.image_uri or "(not in the answer)", "(the container that ran the analyzer)")

# %% [markdown]
# `helpers.workshop.baseline_job` read that description into a small typed summary: where the
# analyzer read the data set from, where it wrote its two files, and the container's environment
# (optional in the API: a job started without one shows `{}`).

# %%
print("input dataset :", job.dataset_uri)
print("outputs       :", job.output_uri)
print("dataset_format:", job.environment.get("dataset_format", "(not set)"))

# %% [markdown]
# **What you should see:** `Completed`, the image `sagemaker-model-monitor-analyzer`, and a
# CSV with a header whose first column is the target, `total_amount`
# (`output_columns_position: START`). Remember that: it matters in step 13.
#
# ## What you learned
# - A baseline is an ordinary processing job running the Model Monitor analyzer container.
# - Its environment says how the data set was read (CSV with header, outputs first).
#
# Next: [04 · baseline statistics](04_baseline_statistics.ipynb)

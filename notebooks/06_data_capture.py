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
# # 06 · Data capture: the files and one record
#
# The endpoint writes every request and response to S3, one JSON object per line, in files laid
# out `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl`.
#
# **The API call:** `s3.list_objects_v2(Bucket=..., Prefix="<capture destination>/<endpoint>/<variant>/")`
# through its **paginator** (a busy endpoint writes thousands of files), then `s3.get_object`.
# The destination is `nyctaxi/datacapture` on the twin; on AWS the session read it from the
# endpoint (`describe_endpoint` → `DataCaptureConfig.DestinationS3Uri`), since the two variants
# of the workshop write to different prefixes.

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
names = workshop.production_names(sess)
files = workshop.capture_files(sess, names.endpoint)
if not files:
    raise RuntimeError(f"no capture files yet for {names.endpoint}: the endpoint has had no traffic. "
                       "On the twin run `python -m helpers twin run --hours 2`; on AWS send some requests first.")
print(f"{len(files)} capture files")
[f.uri.split(names.endpoint + "/", 1)[-1] for f in files[:5]]

# %%
record = workshop.first_capture_record(sess, files[-1].uri)
print(record.to_line())

# %% [markdown]
# **What you should see:** `endpointInput.data` like `12.383333333333333,1.0,2.53`: the notebook
# that sent this traffic sent every value as a float, so **one passenger arrives as `1.0`**.
# `endpointOutput.data` is the model's prediction of `total_amount`.
#
# ## What you learned
# - Capture files are plain JSON lines: input, output, event id and time.
# - What the caller sent is what Model Monitor analyses, formatting included.
#
# Next: [07 · the monitoring schedule](07_monitoring_schedule.ipynb)

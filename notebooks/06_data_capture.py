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
prod = workshop.production_names(sess)
files = workshop.capture_files(sess, prod.endpoint)
if not files:
    raise workshop.StepNotReady(f"no capture files yet for {prod.endpoint}: the endpoint has had no traffic. "
                       "On the twin run `python -m helpers twin run --hours 2`; on AWS send some requests first.")
by_hour = workshop.capture_files_by_hour(files)
print(f"{len(files)} capture files for {prod.endpoint}, by hour (UTC):")
for hour, in_hour in by_hour.items():
    print(f"  {hour:%Y-%m-%d %H}:00  {len(in_hour):3d} files")
[f.uri.split(prod.endpoint + "/", 1)[-1] for f in files[:5]]

# %% [markdown]
# The first hour with capture holds the first traffic the endpoint received: on the twin, the
# requests of the workshop's own traffic notebook. (Later hours may hold other traffic: steps
# 13, 13b and 13c send their own requests.) One record of that hour, and how its `passenger_count`
# was written:

# %%
import json

import pandas as pd

from helpers.analyzer.datatypes import classify_text
from helpers.capture import read_capture

first_hour = min(by_hour)
record = workshop.first_capture_record(sess, by_hour[first_hour][0].uri)
print(f"the first record of {first_hour:%Y-%m-%d %H}:00-{first_hour:%H}:59 UTC, the endpoint's first hour of traffic:")
print(json.dumps(json.loads(record.to_line()), indent=2))  # one line in the file; indented here to read
folder = Path("reports") / "capture-first-hour"
workshop.download_capture_hour(sess, prod.endpoint, first_hour, folder)
sent = read_capture(folder).frame["_c2"]  # _c0 is the prediction, then the inputs: passenger_count is _c2
kinds = pd.Series([classify_text(v).name for v in sent]).value_counts()
print(f"passenger_count in the {len(sent)} requests of that hour, as the analyzer reads the text:", kinds.to_dict())

# %% [markdown]
# **What you should see:** the hours with capture files, then one record: `endpointInput.data`
# is the request exactly as sent (the three features, comma-separated), `endpointOutput.data`
# the model's prediction of `total_amount`, and the event's id and time. The last line counts
# how that hour's requests wrote `passenger_count`. The workshop's traffic notebook sent every
# value as a NumPy float, so one passenger arrives as `1.0`, which the analyzer reads as
# FRACTIONAL; the few INTEGRAL ones, if any, are hand-typed requests. Step 13 comes back to this.
#
# ## What you learned
# - Capture files are plain JSON lines: input, output, event id and time.
# - What the caller sent is what Model Monitor analyses, formatting included.
#
# Next: [07 · the monitoring schedule](07_monitoring_schedule.ipynb)

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
# # 11 · Download the reports
#
# Three files per execution: `statistics.json` of the hour's data, `constraints.json`
# *suggested from that hour* (handy to compare), and `constraint_violations.json`.
#
# **The API calls:** `s3.list_objects_v2` on the folder, then `s3.download_file` for each file.

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
execution = workshop.latest_execution(sess)
paths = workshop.download_reports(sess, workshop.report_uri(sess, execution), Path("reports") / "latest")
[(p.name, p.stat().st_size) for p in paths]

# %%
print((Path("reports") / "latest" / "constraint_violations.json").read_text())

# %% [markdown]
# **What you should see:** the three files, and violations written in Model Monitor's own
# format and words (2-space JSON, `"key" : value`).
#
# ## What you learned
# - Reports are plain files in S3: you can keep them, diff them, and read them with any tool.
#
# Next: [12 · baseline against latest](12_compare_statistics.ipynb)

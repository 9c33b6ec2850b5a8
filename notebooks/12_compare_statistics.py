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
# # 12 · Baseline against the latest hour, and the violations
#
# Put the baseline's statistics next to the latest execution's: same features, same format,
# one from ~600k training rows, one from about a hundred captured requests.

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

names = workshop.production_names(sess)
job = workshop.baseline_job(sess, names.baseline_job)
baseline = workshop.load_statistics(sess, job.statistics_uri)
execution = workshop.latest_execution(sess)
uri = workshop.report_uri(sess, execution)
latest = workshop.load_statistics(sess, uri + "/statistics.json")
columns = ["inferred_type", "num_present", "mean", "std_dev", "min", "max"]
pd.concat({"baseline": baseline.to_frame()[columns], "latest": latest.to_frame()[columns]}, axis=1)

# %% [markdown]
# Today's container also writes, per feature, the share of rows that have a value
# (`completeness`) and an estimate of how many different values it saw (`distinct_count` here;
# in the file, `approximate_num_distinct_values`, from a HyperLogLog++ sketch). One hour of
# requests holds far fewer different values than the training set; a completeness below the
# baseline's would be a `completeness_check` violation.

# %%
shape = ["completeness", "distinct_count"]
pd.concat({"baseline": baseline.to_frame()[shape], "latest": latest.to_frame()[shape]}, axis=1)

# %%
violations = workshop.load_violations(sess, uri + "/constraint_violations.json")
violations.to_frame()

# %% [markdown]
# Pick a feature to compare its distributions (the plot also works without the widget:
# `helpers.plots.distribution_figure(baseline.feature(...), latest.feature(...))`).

# %%
from helpers.widgets import feature_picker

feature_picker(baseline, latest)

# %% [markdown]
# **What you should see:** `passenger_count` is **Fractional** in the latest hour (it was
# Integral in the baseline), and `total_amount` looks different from the baseline. The
# violations say the same in Model Monitor's words: a `data_type_check` and a
# `baseline_drift_check`.
#
# ## What you learned
# - The latest statistics have the baseline's format, so comparing them is a join on feature names.
#
# Next: [13 · visualise and explain the violations](13_visualize_violations.ipynb)

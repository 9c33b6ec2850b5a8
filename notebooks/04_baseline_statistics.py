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
# # 04 · Baseline statistics, feature by feature
#
# `statistics.json` holds, per feature, the inferred type, counts, mean, sum, standard
# deviation, min and max, and the distribution as a **KLL sketch** with 10 equal-width buckets.
# The analyzer infers types from each cell's text: `1` is Integral, `1.0` is Fractional.
#
# **The API call:** `s3.get_object` of `<baseline output>/statistics.json`, parsed into a typed
# `helpers.formats.Statistics` (the same file the SageMaker SDK's `Statistics` reads).

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
job = workshop.baseline_job(sess, names.baseline_job)
baseline = workshop.load_statistics(sess, job.statistics_uri)
print(f"{baseline.item_count:,} rows in the baseline")
baseline.to_frame()

# %% [markdown]
# The buckets of one feature (counts are written as floats, as the container writes them):

# %%
import pandas as pd

kll = baseline.feature("passenger_count").numerical_statistics.kll
pd.DataFrame([(b.lower_bound, b.upper_bound, b.count) for b in kll.buckets], columns=["lower", "upper", "count"])

# %% [markdown]
# ## Completeness and approximate distinct values
#
# Today's Model Monitor container writes two more figures per feature (the 2021 files did not):
# `completeness`, the share of rows that have a value (`num_present / item_count`), and
# `approximate_num_distinct_values`, how many different values the column holds. The second is
# an **estimate**: the analyzer keeps a HyperLogLog++ sketch of 512 small registers instead of
# every value, so it costs the same memory for a thousand rows or a billion, and is typically
# within about 5 % of the truth (exact only for a couple of dozen values). `to_frame()` shows
# it as `distinct_count`, the name string features have always used. A baseline written by an
# older container (the 2021 layout) has neither figure for numbers: the table shows `None`.

# %%
overview = baseline.to_frame()[["inferred_type", "num_present", "completeness", "distinct_count"]]
overview

# %%
feature = baseline.feature("passenger_count").numerical_statistics
print("completeness                   :", feature.completeness)
print("approximate_num_distinct_values:", feature.approximate_num_distinct_values)
if feature.approximate_num_distinct_values is not None:  # None in a 2021-layout baseline
    assert feature.approximate_num_distinct_values < overview.loc["total_amount", "distinct_count"]

# %% [markdown]
# **What you should see:** `total_amount`, `duration_minutes` and `trip_distance` are
# Fractional; `passenger_count` is **Integral** because the training CSV wrote it as `1`, `2`...
# Its buckets are lumpy: passengers come in whole numbers, and its approximate number of
# distinct values is a handful, far below that of `total_amount`. Completeness is 1.0 for every
# feature in the table above: the training data has no empty cells.
#
# ## What you learned
# - The baseline records each feature's type, completeness and distribution (a KLL sketch).
# - Types come from the text of the cells: how numbers are written matters.
# - Distinct counts are estimates (HyperLogLog++): close, cheap, and not exact.
#
# Next: [05 · suggested constraints](05_suggested_constraints.ipynb)

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
# # 04 · Baseline statistics, feature by feature
#
# `statistics.json` holds, per feature, the inferred type, counts, mean, sum, standard
# deviation, min and max, and the distribution as a **KLL sketch** with equal-width buckets.
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
prod = workshop.production_names(sess)
job = workshop.baseline_job(sess, prod.baseline_job)
baseline = workshop.load_statistics(sess, job.statistics_uri)
print(f"{baseline.item_count:,} rows in the baseline")
frame = baseline.to_frame()
empty = [c for c in frame.columns if frame[c].isna().all()]  # fields no feature of this file has
print("not shown (empty for every feature):", ", ".join(empty) or "-")
frame.drop(columns=empty).style.format(precision=2, thousands=",")

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
# an **estimate**: the analyzer keeps a HyperLogLog++ sketch, a fixed number of small registers,
# instead of every value, so it costs the same memory for a thousand rows or a billion, at the
# price of a small error. `to_frame()` shows it as `distinct_count`, the name string features
# have always used. A baseline written by an older container (the 2021 layout) has neither
# figure for numbers: the table shows `None`.

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
# How close is the estimate? The analyzer hashes each cell's **text**, so count the distinct
# texts of the baseline CSV exactly and compare. The sketch's size fixes its typical error,
# 1.04/sqrt(registers):

# %%
import io

from helpers.analyzer.hll import HLL_P

registers = 2**HLL_P
print(f"{registers} registers: typical error 1.04/sqrt({registers}) = {1.04 / registers**0.5:.1%}")
exact = pd.read_csv(io.StringIO(workshop.read_s3_text(sess, job.dataset_uri)), dtype=str).nunique()
distinct = pd.DataFrame({"estimate": overview["distinct_count"], "exact": exact})
distinct["error"] = distinct["estimate"].astype(float) / distinct["exact"] - 1  # NaN in a 2021-layout baseline
distinct.style.format({"error": "{:+.2%}"})

# %%
full = overview.index[overview["completeness"] == 1.0].tolist()
print("complete (no empty cell):", ", ".join(full) or "-")
print("with empty cells        :", ", ".join(overview.index.difference(full)) or "-")

# %% [markdown]
# **What you should see:** `total_amount`, `duration_minutes` and `trip_distance` are
# Fractional; `passenger_count` is **Integral** because the training CSV wrote it as `1`, `2`...
# Its buckets are lumpy: passengers come in whole numbers, and its approximate number of
# distinct values is a handful, far below that of `total_amount`. The estimates sit close to
# the exact counts (the error column), of about the size the register count predicts; compare
# `passenger_count`'s two numbers for a column of a few values. The last lines name the features with and without empty cells: a
# feature complete in the baseline requires every later hour to be complete too (step 5).
#
# ## What you learned
# - The baseline records each feature's type, completeness and distribution (a KLL sketch).
# - Types come from the text of the cells: how numbers are written matters.
# - Distinct counts are estimates (HyperLogLog++): close, cheap, and not exact.
#
# Next: [05 · suggested constraints](05_suggested_constraints.ipynb)

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
# # 05 · The suggested constraints
#
# `constraints.json` is what every hourly run checks: per feature the type, the required
# completeness and, for numbers, whether they must be non-negative; and a `monitoring_config`
# with the thresholds. The baseline job *suggests* it; you may edit it.
#
# **The API call:** `s3.get_object` of `<baseline output>/constraints.json`.

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
constraints = workshop.load_constraints(sess, workshop.baseline_job(sess, prod.baseline_job).constraints_uri)
frame = constraints.to_frame()
empty = [c for c in frame.columns if frame[c].isna().all()]  # e.g. domains: only string features have one
print("not shown (empty for every feature):", ", ".join(empty) or "-")
frame.drop(columns=empty)

# %%
config = constraints.monitoring_config
print("evaluate_constraints      :", config.evaluate_constraints)
print("datatype_check_threshold  :", config.datatype_check_threshold)
print("comparison_threshold      :", config.distribution_constraints.comparison_threshold)
print("comparison_method         :", config.distribution_constraints.comparison_method)
print("categorical threshold     :", config.distribution_constraints.categorical_comparison_threshold)
print("categorical drift method  :", config.distribution_constraints.categorical_drift_method)

# %% [markdown]
# **What you should see:** completeness 1.0 everywhere, `is_non_negative` true, a data type
# threshold of 1.0 (100 % of values must have the baseline's type) and a drift threshold of 0.1
# with the `Robust` method (a distance corrected for small samples; see step 13). Today's
# container also writes the settings for text (categorical) features: a threshold of 0.1 and
# the `LInfinity` method, the largest difference in any category's share between the baseline
# and the hour. The constraint's `completeness` is the baseline's: an hour whose share of
# present values falls below it gets a `completeness_check` violation.
#
# ## What you learned
# - Constraints are data: a JSON file you can read, edit and version.
# - Each hourly run checks data type, completeness, baseline drift and categorical values.
#
# Next: [06 · data capture](06_data_capture.ipynb)

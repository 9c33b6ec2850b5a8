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
# # 12 · Baseline against the latest hour, and the violations
#
# Put the baseline's statistics next to the latest execution's: same features, same format,
# one from the training rows, one from the hour's captured requests (`num_present` says how
# many of each).

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
monitoring = None  # AWS only: None runs Model Monitor's schedule; "self" the self-run schedule (accounts Model Monitor no longer admits)
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

sess = session(backend, workspace, monitoring=monitoring, region=region, profile=profile, **names)

# %%
import pandas as pd

from helpers import plots

prod = workshop.production_names(sess)
job = workshop.baseline_job(sess, prod.baseline_job)
baseline = workshop.load_statistics(sess, job.statistics_uri)
focus = workshop.execution_in_focus(sess)
print(focus.explain())
uri = workshop.report_uri(sess, focus.execution)
latest = workshop.load_statistics(sess, uri + "/statistics.json")
columns = ["inferred_type", "num_present", "mean", "std_dev", "min", "max"]
table = pd.concat({"baseline": baseline.to_frame()[columns], "latest": latest.to_frame()[columns]}, axis=1)
table.style.format(precision=2, thousands=",")

# %% [markdown]
# Every feature, baseline against the latest hour, on the **same bins** for both (shares of
# values per bin, so a large baseline and a small hour compare):

# %%
plots.show(plots.distributions_figure(baseline, latest))

# %% [markdown]
# Today's container also writes, per feature, the share of rows that have a value
# (`completeness`) and an estimate of how many different values it saw (`distinct_count` here;
# in the file, `approximate_num_distinct_values`, from a HyperLogLog++ sketch). One hour of
# requests holds far fewer different values than the training set; a completeness below the
# baseline's would be a `completeness_check` violation.

# %%
shape = ["completeness", "distinct_count"]
pd.concat({"baseline": baseline.to_frame()[shape], "latest": latest.to_frame()[shape]}, axis=1)

# %% [markdown]
# And the violations, in full:

# %%
violations = workshop.load_violations(sess, uri + "/constraint_violations.json")
print(plots.violations_text(violations))

# %% [markdown]
# Compare the means of `total_amount` in the table: they can be close while the drift check
# still fires, because the check does not compare means: it compares two cumulative curves that
# Model Monitor builds from the statistics files' sketches. Step 13 shows exactly what it
# compares, and why its distance can be much larger than the textbook one.
#
# If you run the notebook yourself, the picker below draws one feature at a time (the figure
# above already has them all):

# %%
from helpers.widgets import feature_picker

feature_picker(baseline, latest)

# %% [markdown]
# **What you should see:** `passenger_count` is **Fractional** in the latest hour (it was
# Integral in the baseline), and the violations say so in Model Monitor's words: a
# `data_type_check` on `passenger_count` and, when the hour's distance passes the threshold, a
# `baseline_drift_check` on `total_amount` (step 13 explains why it comes and goes).
#
# ## What you learned
# - The latest statistics have the baseline's format, so comparing them is a join on feature names.
# - The drift check compares distributions (as sketches), not means: close means do not rule out a violation.
#
# Next: [13 · visualise and explain the violations](13_visualize_violations.ipynb)

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
# # 13b · The fix, where Model Monitor sees it
#
# Step 13 found both causes and checked a fix with this package's own analyzer. That check
# convinces you, but not the schedule: it still compares every hour with the old baseline,
# so on a real account the same violations come back at the next hour. Here the fix goes
# where the service looks, the way the service does it:
#
# 1. a baseline **data set of predictions** (the model's output first, where capture puts it);
# 2. the baseline **job** Model Monitor runs: `DefaultModelMonitor.suggest_baseline` (SageMaker
#    SDK v2) starts a processing job with the analyzer image;
# 3. its suggested constraints, **one changed on purpose**, written back to S3;
# 4. the schedule **pointed at the new baseline**: `sagemaker.update_monitoring_schedule`;
# 5. traffic **serialised with the training data's types**, an hour of it, and the next
#    scheduled execution.
#
# **The API calls:** `sagemaker-runtime.invoke_endpoint`, `sagemaker.create_processing_job` /
# `describe_processing_job` (through the SDK), `s3.put_object`,
# `sagemaker.update_monitoring_schedule`, `sagemaker.list_monitoring_executions`.

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
baseline_rows = 2000  # test rows the baseline of predictions is made from
drift_threshold = 0.2  # the comparison threshold we write into the new constraints

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, **names)

# %% [markdown]
# ## 1. A baseline of predictions
# What the schedule compares, column by column, is a capture row (prediction first, then the
# inputs) with the baseline's columns. So the baseline's first column must hold **predictions**
# too. We ask the endpoint for its predictions over a sample of the test split, several rows
# per request, one prediction per line back (the XGBoost container answers a CSV batch that way).

# %%
production = workshop.production_names(sess)
job = workshop.baseline_job(sess, production.baseline_job)
test_uri = job.dataset_uri.replace("/baseline/baseline.csv", "/test/test.csv")
dataset = workshop.predictions_dataset(sess, production.endpoint, test_uri, rows=baseline_rows)
folder = f"s3://{sess.default_bucket}/{sess.names.model_name}/monitoring/baseline-predictions/{production.execution_id}"
dataset_uri = workshop.write_s3_text(sess, f"{folder}/dataset.csv", dataset.to_csv(index=False))
print(f"{len(dataset)} rows written to {dataset_uri}")
dataset.head()

# %% [markdown]
# ## 2. The baseline job, as Model Monitor runs it
# `suggest_baseline` starts a processing job with the Model Monitor analyzer image. It reads
# the CSV (header on, output column first) and writes `statistics.json` and
# `constraints.json` to the output prefix. We start it without waiting, then poll it (on the
# twin each poll lets a virtual minute pass; on AWS the job takes minutes).

# %%
started = workshop.suggest_baseline(sess, dataset_uri, f"{folder}/output",
                                    job_name=f"baseline-predictions-{sess.now():%Y%m%d%H%M%S}")
finished = workshop.wait_for_processing_job(sess, started.job_name)
print(f"{finished.name}: {finished.status} ({finished.exit_message})\noutputs in {finished.output_uri}")
assert finished.status == "Completed", finished.failure_reason

# %%
suggested = workshop.load_statistics(sess, f"{finished.output_uri}/statistics.json")
constraints = workshop.load_constraints(sess, f"{finished.output_uri}/constraints.json")
suggested.to_frame()[["inferred_type", "mean", "std_dev", "min", "max"]]

# %% [markdown]
# `total_amount` now describes the model's predictions; `passenger_count` is **Integral**,
# because the CSV we wrote holds integers as integers.
#
# ## 3. One constraint changed on purpose
# The suggestion flags drift above the `comparison_threshold` printed below. With a hundred or
# two records an hour, the distance of a continuous input such as `trip_distance` moves by
# chance from hour to hour (step 13: small windows make drift noisy), so a tight threshold
# raises violations nobody can act on. We raise it to the `drift_threshold` parameter, the bar the
# drift alarm already uses to retrain (step 14), and write the file back where the job put it.

# %%
distribution = constraints.monitoring_config.distribution_constraints
print(f"comparison_threshold suggested: {distribution.comparison_threshold}")
distribution.comparison_threshold = drift_threshold
constraints_uri = workshop.write_s3_text(sess, f"{finished.output_uri}/constraints.json", constraints.to_json())
check = workshop.load_constraints(sess, constraints_uri).monitoring_config.distribution_constraints
print(f"comparison_threshold on S3 now: {check.comparison_threshold}")
assert check.comparison_threshold == drift_threshold

# %% [markdown]
# ## 4. The schedule points at the new baseline
# `update_monitoring_schedule` takes the whole `MonitoringScheduleConfig`: we read it, replace
# its `BaselineConfig` and send it back. The next execution uses the new files.

# %%
arn = workshop.use_baseline(sess, f"{finished.output_uri}/statistics.json", constraints_uri)
schedule = workshop.monitoring_schedule(sess)
print(arn)
print("statistics :", schedule.statistics_uri)
print("constraints:", schedule.constraints_uri)
assert schedule.constraints_uri == constraints_uri

# %% [markdown]
# ## 5. Integers as integers, an hour of traffic, the next execution
# Each execution analyses the whole hour before it. The hour we are in may already hold
# requests sent the old way (on the twin, a simulated client keeps sending the 2021
# notebook's requests every hour), so we start at the next full hour. There we send 100 rows
# of the test split, each value written with its column's type (`1`, not `1.0`); on the twin
# the simulated client switches to the same serialiser, as fixing the notebook would.

# %%
import pandas as pd

hour = workshop.wait_for_next_hour(sess)
test = pd.read_csv(__import__("io").StringIO(workshop.read_s3_text(sess, test_uri)))
sent = workshop.send_requests(sess, production.endpoint, test.iloc[:, 1:].sample(100, random_state=2), tag="typed")
from helpers.payloads import numpy_floats, typed

print(f"{sent} requests sent from {hour:%Y-%m-%d %H:%M} UTC")
print(f"the 2021 body: {numpy_floats(test.iloc[:1, 1:])[0]}   the fixed body: {typed(test.iloc[:1, 1:])[0]}")

# %%
execution = workshop.wait_for_hour_report(sess, hour)
print(f"execution scheduled {execution.scheduled:%Y-%m-%d %H:%M} UTC: {execution.status}")
report = workshop.report_uri(sess, execution)
violations = workshop.load_violations(sess, report + "/constraint_violations.json")
print(f"{len(violations.violations)} violations in {report}/constraint_violations.json")
assert execution.status == "Completed" and not violations.violations, [v.description for v in violations.violations]

# %%
latest = workshop.load_statistics(sess, report + "/statistics.json")
latest.to_frame()[["inferred_type", "mean", "std_dev", "min", "max"]]

# %% [markdown]
# **What you should see:** the baseline job *Completed*, the schedule's constraints now at the
# new `constraints.json`, and the execution for the hour of typed traffic **Completed** with
# an empty `constraint_violations.json`: `passenger_count` is Integral in the report's
# statistics, and predictions compared with predictions stay under the threshold.
#
# ## What you learned
# - A fix counts when the schedule sees it: the baseline job, the constraints file and
#   `update_monitoring_schedule` are how Model Monitor learns what "normal" is.
# - Baseline what you monitor: the prediction sits in the first column of every capture row.
# - Serialise requests with the training data's types: Model Monitor infers types from text.
#
# Next: [14 · a custom metric that trips the alarm](14_custom_metric_alarm.ipynb)

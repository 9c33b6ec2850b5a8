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
# 5. a batch of requests **serialised with the training data's types**, sent within one hour,
#    and the next scheduled execution.
#
# **The API calls:** `sagemaker-runtime.invoke_endpoint`, `sagemaker.create_processing_job` /
# `describe_processing_job` (through the SDK), `s3.put_object`,
# `sagemaker.update_monitoring_schedule`, `sagemaker.list_monitoring_executions`.
#
# **With `monitoring = "self"`** (the self-run schedule, AWS only) the same five steps, with the
# self-run path's calls: step 2 runs this package's analyzer (`python -m helpers baseline`, the
# code the hourly job runs) here in the kernel, reading and writing S3 with `s3.get_object` /
# `s3.put_object`, since there is no analyzer image to start; step 4 lets the job role read the
# new files (`iam.put_role_policy`) and sends the schedule back with them
# (`scheduler.get_schedule`, then `scheduler.update_schedule`); step 5 waits for the schedule's
# processing job (`sagemaker.list_processing_jobs` / `describe_processing_job`).

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
monitoring = None  # AWS only: None runs Model Monitor's schedule; "self" the self-run schedule (accounts Model Monitor no longer admits)
region = None  # AWS only: None follows boto3 (AWS_DEFAULT_REGION, then the profile in ~/.aws/config)
profile = None  # AWS only: a profile of ~/.aws/config; None is the default chain (Studio: the execution role)
baseline_rows = None  # None: the whole test split makes the baseline of predictions; a number: a sample of that many rows
relaxed_feature = "duration_minutes"  # the feature whose completeness constraint we change on purpose
relaxed_completeness = 0.99  # the share of requests that must carry it (the suggestion says 1.0)
confirm_update = False  # AWS only: True sends requests to your production endpoint and repoints your schedule

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, monitoring=monitoring, region=region, profile=profile, **names)

# %% [markdown]
# ## 1. A baseline of predictions
# What the schedule compares, column by column, is a capture row (prediction first, then the
# inputs) with the baseline's columns. So the baseline's first column must hold **predictions**
# too. We ask the endpoint for its predictions over the test split, 500 rows per request, one
# prediction per line back (the XGBoost container answers a CSV batch that way). Capture records
# these requests like any other, so the current hour's report will include them. (Notebook 13
# tried the idea in the kernel on a sample of the training rows; here the baseline is made from
# the test split, rows the model was not trained on, whose predictions are closer to what it
# predicts for new trips.)

# %%
prod = workshop.production_names(sess)
job = workshop.baseline_job(sess, prod.baseline_job)
training = workshop.load_statistics(sess, job.statistics_uri)
columns = [f.name for f in training.features]
integral = {f.name for f in training.features if f.inferred_type == "Integral"}  # the training data's types
# the pipeline uploads test.csv without a header: read_csv_split reads it either way
test = workshop.read_csv_split(sess, job.dataset_uri.replace("/baseline/baseline.csv", "/test/test.csv"), columns)
if sess.backend == "aws" and not confirm_update:
    raise RuntimeError(f"On AWS the next steps send requests to your production endpoint {prod.endpoint} and point "
                       f"your schedule {sess.names.schedule_name} at a new baseline: set confirm_update = True in "
                       "the parameters cell to go on.")
dataset = workshop.predictions_dataset(sess, prod.endpoint, test, rows=baseline_rows, integral=integral)
folder = f"s3://{sess.workshop_bucket}/{sess.names.model_name}/monitoring/baseline-predictions/{prod.execution_id}"
dataset_uri = workshop.write_s3_text(sess, f"{folder}/dataset.csv", dataset.to_csv(index=False))
print(f"{len(dataset)} rows (of the test split's {len(test)}) written to {dataset_uri}")
dataset.head().round(2)

# %% [markdown]
# ## 2. The baseline job, as Model Monitor runs it
# `suggest_baseline` starts a processing job with the Model Monitor analyzer image. It reads
# the CSV (header on, output column first) and writes `statistics.json` and
# `constraints.json` to the output prefix. We start it without waiting, then poll it (on the
# twin each poll lets a virtual minute pass; on AWS the job takes minutes).
#
# With `monitoring = "self"` the account has no Model Monitor, so no analyzer image and no
# `suggest_baseline`: `workshop.baseline_in_kernel` runs the same analyzer the self-run job runs
# (`python -m helpers baseline`) on the same CSV, here, and writes the same two files there.

# %%
if sess.monitoring == "self":
    finished = workshop.baseline_in_kernel(sess, dataset_uri, f"{folder}/output")
else:
    started = workshop.suggest_baseline(sess, dataset_uri, f"{folder}/output",
                                        job_name=f"baseline-predictions-{sess.now():%Y%m%d%H%M%S}")
    finished = workshop.wait_for_processing_job(sess, started.job_name)
print(f"{finished.name or 'baseline'}: {finished.status} ({finished.exit_message})\noutputs in {finished.output_uri}")
for what, url in workshop.console_links(sess, processing_job=finished.name or None, s3_uri=finished.output_uri).items():
    print(f"{what}: {url}")  # on AWS only
assert finished.status == "Completed", finished.failure_reason

# %%
suggested = workshop.load_statistics(sess, f"{finished.output_uri}/statistics.json")
constraints = workshop.load_constraints(sess, f"{finished.output_uri}/constraints.json")
suggested.to_frame()[["inferred_type", "mean", "std_dev", "min", "max"]].round(2)

# %% [markdown]
# `total_amount` now describes the model's predictions; `passenger_count` is **Integral**,
# because the CSV we wrote holds integers as integers.
#
# ## 3. One constraint changed on purpose
# Suggested constraints are a starting point: they describe the baseline data, not what you can
# live with. Every row of the baseline had every column, so each feature's `completeness` is
# suggested at 1.0: a single request without that value would be a violation. Say your team
# knows the meter sometimes loses a trip's duration and accepts one request in a hundred
# without it: we lower the completeness of `relaxed_feature` to `relaxed_completeness` (both in
# the parameters cell) and write the file back where the job put it. The schedule reads the
# file at every execution, so the change counts from the next one.
#
# The drift threshold stays as suggested (printed below): step 13c shows what it catches.

# %%
feature = constraints.feature(relaxed_feature)
print(f"{relaxed_feature} completeness suggested: {feature.completeness}")
feature.completeness = relaxed_completeness
constraints_uri = workshop.write_s3_text(sess, f"{finished.output_uri}/constraints.json", constraints.to_json())
check = workshop.load_constraints(sess, constraints_uri)
print(f"{relaxed_feature} completeness on S3 now: {check.feature(relaxed_feature).completeness}")
print(f"comparison_threshold (drift), kept: {check.monitoring_config.distribution_constraints.comparison_threshold}")
assert check.feature(relaxed_feature).completeness == relaxed_completeness

# %% [markdown]
# ## 4. The schedule points at the new baseline
# `update_monitoring_schedule` takes the whole `MonitoringScheduleConfig`: we read it, replace
# its `BaselineConfig` and send it back. The next execution uses the new files.
#
# With `monitoring = "self"` the baseline sits in the Scheduler schedule's target: the
# CreateProcessingJob request it sends every hour, whose `Environment` holds
# `BASELINE_STATISTICS_S3_URI` and `BASELINE_CONSTRAINTS_S3_URI`. The job role may read those
# two objects only, so `use_baseline` first names the new ones in its read statement
# (`iam.put_role_policy`), then reads the schedule (`scheduler.get_schedule`) and sends it back
# with the new URIs (`scheduler.update_schedule`, which replaces the whole definition: every
# field not sent back would be lost). Deployed with the CloudFormation template instead? Then
# update the stack's `BaselineStatisticsKey` and `BaselineConstraintsKey`, or the stack drifts.

# %%
arn = workshop.use_baseline(sess, f"{finished.output_uri}/statistics.json", constraints_uri)
schedule = workshop.monitoring_schedule(sess)
print(arn)
print("statistics :", schedule.statistics_uri)
print("constraints:", schedule.constraints_uri)
assert schedule.constraints_uri == constraints_uri

# %% [markdown]
# ## 5. Integers as integers, a batch of requests, the next execution
# Each execution analyses the whole hour before it, and the hour we are in already holds
# requests sent the old way (and the predictions we just asked for). So we send
# in the next full hour: on the twin the clock moves into it (past the execution due at its
# start) and the twin's own client stays away for that hour; on AWS the hour also holds any
# other traffic your endpoint receives. We send a batch of 1,000 rows of the test split, one
# request each, all within that one hour (the cell prints when they were sent), every value
# written with its column's type (`1`, not `1.0`): a thousand records, because step 13 showed
# that the drift check forgives a small sample much more than a large one. Then the client
# switches to the same serialiser, as fixing the notebook would.

# %%
from helpers.payloads import numpy_floats, typed

sent_at = workshop.start_quiet_hour(sess)
rows = test.drop(columns=[test.columns[0]]).sample(min(1000, len(test)), random_state=2)
bodies = typed(rows, integral)
refused = workshop.send_requests(sess, prod.endpoint, bodies, tag=f"typed-{sent_at:%Y%m%d%H%M}")
print(f"{len(bodies) - len(refused)} of {len(bodies)} requests answered, sent at {sent_at:%Y-%m-%d %H:%M:%S} UTC")
print(f"the 2021 body: {numpy_floats(rows.iloc[:1])[0]}   the fixed body: {bodies[0]}")
print(workshop.typed_client(sess))
assert not refused, refused

# %%
execution = workshop.wait_for_hour_report(sess, sent_at, prod.endpoint)
print(f"execution scheduled {execution.scheduled:%Y-%m-%d %H:%M} UTC: {execution.status}")
report = workshop.report_uri(sess, execution)
violations = workshop.load_violations(sess, report + "/constraint_violations.json")
print(f"{len(violations.violations)} violations in {report}/constraint_violations.json")
for what, url in workshop.console_links(sess, endpoint=prod.endpoint, processing_job=execution.processing_job).items():
    print(f"{what}: {url}")  # on AWS only
assert execution.status == "Completed" and not violations.violations, [v.description for v in violations.violations]

# %%
latest = workshop.load_statistics(sess, report + "/statistics.json")
drift = workshop.numeric_drift(suggested, latest, check)
print(f"drift against the new baseline (threshold {drift[0].threshold} on the {drift[0].method} distance):")
for d in drift:
    print(f"  {d.feature:18} largest gap {d.gap:.4f}, {d.method} {d.distance:.4f}: "
          f"{'over' if d.drifted else 'at or under'} the threshold")
assert drift and not any(d.drifted for d in drift)  # what an empty constraint_violations.json says
latest.to_frame()[["inferred_type", "mean", "std_dev", "min", "max"]].round(2)

# %% [markdown]
# **What you should see:** the baseline job *Completed*, the schedule's constraints now at the
# new `constraints.json`, and the execution for the hour of typed traffic **Completed** with
# an empty `constraint_violations.json`: `passenger_count` is Integral in the report's
# statistics, and predictions compared with predictions stay under the threshold: the cell
# recomputes each numeric feature's drift distance from the two `statistics.json` files (their
# KLL sketches, as the check does) and prints it beside the threshold. The largest gap between
# the two rank maps is the Simple distance; the Robust one subtracts step 13's allowance, which
# shrinks as the two rank maps grow (their sizes n and m, not the row counts), and stops at 0:
# an hour this close to the baseline reads 0. With
# `monitoring = "self"` the same, read from the self-run schedule: its target's job names the new
# files, and the processing job of the hour ends *Completed* with the same empty file.
#
# ## What you learned
# - A fix counts when the schedule sees it: the baseline job, the constraints file and
#   `update_monitoring_schedule` are how Model Monitor learns what "normal" is (on the self-run
#   schedule: the job role's read statement and `scheduler.update_schedule`).
# - Baseline what you monitor: the prediction sits in the first column of every capture row.
# - Serialise requests with the training data's types: Model Monitor infers types from text.
#
# Next: [13c · break it on purpose](13c_break_it_on_purpose.ipynb)

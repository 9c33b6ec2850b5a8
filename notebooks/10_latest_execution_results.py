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
# # 10 · Where the latest execution put its results
#
# An execution's reports go under `<reports>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`. The
# processing job behind the execution knows the exact folder.
#
# **The API call:** `sagemaker.describe_processing_job` on the execution's `ProcessingJobArn`;
# the SageMaker SDK offers the same through `MonitoringExecution` (imported lazily below, only
# if you want it: it costs seconds to import).

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
focus = workshop.execution_in_focus(sess)
print(focus.explain())
execution = focus.execution
uri = workshop.report_uri(sess, execution)
print(execution.status, "|", uri)
for what, url in workshop.console_links(sess, endpoint=focus.endpoint, processing_job=execution.processing_job,
                                        s3_uri=uri).items():  # on AWS only: where to look in the console
    print(f"{what}: {url}")

# %% [markdown]
# That is the rule every later step follows: the execution notebook 09 waited for, or else the
# newest one **with a report** (Completed or CompletedWithViolations) for the production
# endpoint. Failed ones have no report; they are listed as skipped, with their reason.

# %%
job = workshop.processing_job(sess, execution.processing_job)  # sagemaker.describe_processing_job
import json

env = job.environment  # optional in the API: a job started without one has none of these
if sess.monitoring == "self":
    print("SCHEDULED_TIME (the job analyses the hour before it):", env.get("SCHEDULED_TIME", "(not set)"))
    print("CAPTURE_S3_URI (the capture it reads)               :", env.get("CAPTURE_S3_URI", "(not set)"))
else:
    print("window analysed (start_time to end_time):", env.get("start_time", "(not set)"), "to", env.get("end_time", "(not set)"))
    text = env.get("dataset_format", "")
    try:  # a JSON document in one environment variable: indented here to read
        shown = json.dumps(json.loads(text), indent=2)
    except ValueError:
        shown = text or "(not set)"
    print("dataset_format (how the analyzer reads the capture):\n" + shown)
print("ExitMessage (how the run ended):", job.exit_message)

# %% [markdown]
# The same with the SageMaker SDK v2, if you prefer it (optional: it takes a few seconds to
# import, and a kernel with SDK v3, which has no `sagemaker.model_monitor`, prints why it stops):
# `DefaultModelMonitor.attach` binds to the schedule, and each `MonitoringExecution` reads its
# own reports. We pick the SDK's object for the same processing job.

# %%
from helpers.aws import AnswerMissing

try:
    # DefaultModelMonitor.attach(...), then the MonitoringExecution of list_executions() for this job
    sdk_execution = workshop.sdk_monitoring_execution(sess, execution.processing_job)
    if sdk_execution is None:
        print(f"the SDK's list_executions() does not include {execution.processing_job}")
    else:
        print(sdk_execution.describe()["ProcessingJobStatus"], "|", sdk_execution.output.destination)
except (AnswerMissing, workshop.SdkUnavailable) as err:  # the SDK cannot read every schedule the API allows; v3 has no model_monitor
    print(err)

# %% [markdown]
# **What you should see:** the window the run analysed (`start_time` to `end_time`, one hour)
# and an exit message like *CompletedWithViolations: Job completed successfully with N violations.*
# The SDK says `Completed` for the same run: that is the **processing job's** status (the
# container exited cleanly); the violations are in the monitoring execution's status and in
# the exit message.
#
# With `monitoring = "self"` the job's environment holds what the Scheduler passed instead:
# `SCHEDULED_TIME` (its `<aws.scheduler.scheduled-time>`; the job analyses the hour before it)
# and the capture it reads, with the same exit message. The SDK attaches to Model Monitor's
# schedules only, so its cell says so and reads nothing.
#
# ## What you learned
# - Each execution is a processing job; its output configuration locates the reports.
# - Steps 10 to 13 look at one execution: the one 09 waited for, else the newest with a report.
#
# Next: [11 · download the reports](11_download_reports.ipynb)

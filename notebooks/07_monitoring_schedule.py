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
# # 07 · The monitoring schedule definition
#
# A monitoring schedule says **what** to monitor (the endpoint's capture), **against what** (the
# baseline's statistics and constraints), **where** to write reports, on **which** instance and
# **how often**. The workshop's is defined in `assets/monitoring-schedule.template.json`.
#
# **The API call:** `sagemaker.describe_monitoring_schedule(MonitoringScheduleName="mlops-nyctaxi-pms")`.

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

# %% [markdown]
# ### Where Model Monitor is closed: `monitoring = "self"`
#
# On an account that Model Monitor no longer admits, set `monitoring = "self"` (AWS only). The
# same hourly job then runs as an **EventBridge Scheduler** schedule of the same name, on
# `cron(0 * * * ? *)`, whose target starts a SageMaker processing job every hour on AWS's
# prebuilt scikit-learn image, running this package's analyzer (`python -m helpers selfrun`).
# The next cell deploys it for the production endpoint if it is missing (the resources of
# `assets/selfrun-schedule.template.json`, made with boto3) and shows the job it starts: the
# `CreateProcessingJob` request, with `<aws.scheduler.execution-id>` in the job's name and
# `<aws.scheduler.scheduled-time>` in its environment; the Scheduler fills both in at each run.
# The reports, their folders and the metrics are Model Monitor's, so steps 12 to 16 read them
# unchanged. On the twin this cell does nothing: its schedule already runs the same job code.

# %%
if monitoring == "self":
    workshop.ensure_selfrun(sess)
    job = workshop.selfrun_schedule(sess).job
    print("job name    :", job["ProcessingJobName"])
    print("image       :", job["AppSpecification"]["ImageUri"])
    print("code        :", job["ProcessingInputs"][0]["S3Input"]["S3Uri"])
    print("scheduled   :", job["Environment"]["SCHEDULED_TIME"])

# %%
schedule = workshop.monitoring_schedule(sess)
print("status      :", schedule.status)
print("endpoint    :", schedule.endpoint)
print("statistics  :", schedule.statistics_uri)
print("constraints :", schedule.constraints_uri)
print("reports     :", schedule.reports_uri)
print("instance    :", schedule.instance_type, f"(at most {schedule.max_runtime_seconds} s a run)")
for what, url in workshop.console_links(sess, endpoint=schedule.endpoint, s3_uri=schedule.reports_uri).items():
    print(f"{what}: {url}")  # on AWS only

# %%
# The job's environment: optional in the API (a definition may set none)
for name, value in (schedule.environment or {}).items():
    print(f"{name:26}: {value}")
if not schedule.environment:
    print("(no environment set: the job runs with the analyzer's defaults)")

# %% [markdown]
# The schedule was created from `assets/monitoring-schedule.template.json` (CloudFormation on AWS;
# the twin deploys the same file). Its schedule configuration, before the parameters are filled in
# (with `monitoring = "self"`: the Scheduler schedule of `assets/selfrun-schedule.template.json`,
# whose target is the processing job shown above):

# %%
import json

from helpers.config import ASSETS

if monitoring == "self":
    template = json.loads((ASSETS / "selfrun-schedule.template.json").read_text())
    print(json.dumps(template["Resources"]["Schedule"]["Properties"], indent=2))
else:
    template = json.loads((ASSETS / "monitoring-schedule.template.json").read_text())
    print(json.dumps(template["Resources"]["MonitoringSchedule"]["Properties"]["MonitoringScheduleConfig"], indent=2))

# %% [markdown]
# `Ref`, `Fn::Sub` and `Fn::GetAtt` are CloudFormation's placeholders: the endpoint, the baseline
# folder and the reports folder are filled in from the pipeline's names, which is what
# `describe_monitoring_schedule` (or, self-run, `scheduler.get_schedule`) returned above.
#
# **What you should see:** the baseline files from step 3, reports under
# `nyctaxi/monitoring/reports` (on AWS, where the deployment put them), an `ml.m5.xlarge` with
# at most the `MaxRuntimeInSeconds` printed above, and metrics on
# (`publish_cloudwatch_metrics: Enabled`, self-run `PUBLISH_CLOUDWATCH_METRICS`): each run
# publishes its drift distances to CloudWatch (step 14 uses that).
#
# ## What you learned
# - The schedule binds the endpoint's capture to the baseline and sends reports and metrics out.
#
# Next: [08 · cron and the next run](08_schedule_cron.ipynb)

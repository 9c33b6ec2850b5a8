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
# # 00 · Setup: the Model Monitor workshop
#
# This chapter follows the **Monitoring** part of the NYC-taxi MLOps workshop: its 16 steps are
# notebooks 01 to 16, and two notebooks that are not in the original, 13b (the fix reaching the
# schedule) and 13c (breaking it on purpose), extend step 13; 99 cleans up. A
# pipeline (`mlops-nyctaxi`) trained an XGBoost model that predicts a taxi trip's
# `total_amount` from its `duration_minutes`, `passenger_count` and `trip_distance`, baselined
# its training data, and deployed the endpoint `mlops-nyctaxi-prd-<execution id>` with **data
# capture** on. **SageMaker Model Monitor** compares every hour of captured traffic with that
# baseline and reports what changed.
#
# **Where it runs.** Model Monitor is closed to new AWS customers, so by default the workshop
# runs on an **offline twin** of the workshop's AWS estate: the same API calls, names, files and
# messages, answered by a real model, a real analyzer and a virtual clock on this machine. If
# your account still has Model Monitor and the workshop deployed, set `backend = "aws"` in the
# parameters cell of each notebook and the same code runs against it. If it has the workshop
# but not Model Monitor, also set `monitoring = "self"` (here and in steps 07 to 16): step 07
# then deploys a **self-run schedule** on your account (EventBridge Scheduler starting a
# processing job every hour that runs this package's analyzer), with Model Monitor's files and
# metrics; the pre-flight below then checks that schedule's permissions instead.
#
# **Cost and permissions on AWS.** The endpoint bills for every hour it exists and the schedule
# starts a processing job every hour; the cost table below lists both with the instance types
# this estate uses. The Studio execution role needs, by the step that calls them:
# - **01-16 (reads):** read access to SageMaker, S3, CloudWatch, CodePipeline and EventBridge,
#   `sagemaker:InvokeEndpoint` (13, 13b and 13c send requests), and `kms:Decrypt` on the capture key
#   if the capture is encrypted.
# - **13b (the fix):** `s3:PutObject` under `<bucket>/<model>/monitoring/baseline-predictions/`,
#   `sagemaker:CreateProcessingJob` and `iam:PassRole` on the schedule's job role (the baseline
#   job), `sagemaker:UpdateMonitoringSchedule` on the schedule. With `monitoring="self"` instead:
#   `scheduler:GetSchedule` / `UpdateSchedule` on the schedule, `iam:PassRole` on its role, and
#   `iam:ListRolePolicies` / `GetRolePolicy` / `PutRolePolicy` on the job's role.
# - **14 (the alarm):** `cloudwatch:PutMetricData` (the published drift value) and
#   `cloudwatch:PutMetricAlarm` on the drift alarm (`better_alarm`).
# - **15 (the approval):** `codepipeline:PutApprovalResult` on the pipeline's approval action.
# - **16 (the dashboard):** `cloudwatch:PutDashboard` on the dashboard.
#
# The pre-flight below checks each of them on that resource. Steps 13c and 14 can start a real
# (paid) retrain. Run `99_cleanup` when done.
#
# ## What you will do here
# Choose the backend, then check that the estate exists (and on the twin, build it if needed).

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

# %% [markdown]
# ## The loop you will follow
# Steps 6 to 16 walk once around this loop: what the endpoint captures is checked every hour;
# the reports become metrics; a metric over its threshold raises an alarm; the alarm's rule
# starts the pipeline, which retrains and waits for a person to approve the new model.

# %%
from helpers import architecture, plots

plots.show(architecture.loop_figure())

# %% [markdown]
# ## Build or check the estate
# On the twin, `Twin.up()` does what the pipeline's first run did: it trains the model, runs the
# baseline job, deploys the endpoint, creates the hourly schedule, the drift alarm and the
# retrain rule; `run_hours(2)` then sends the notebook's traffic for two virtual hours and lets
# the schedule fire. (From a terminal: `python -m helpers twin up` and `twin run --hours 2`.)
# On AWS nothing is built: the check below only reads.

# %%
from helpers import session, workshop

if backend == "local":
    from helpers.twin.estate import Twin
    from helpers.twin.store import Workspace, WorkspaceError, default_workspace, workspace_label

    root = Path(workspace) if workspace else default_workspace()
    try:
        twin = Twin.open(root)
    except WorkspaceError:
        if any(root.glob("*")) if root.exists() else False:
            raise
        print(f"building the twin in {workspace_label(root)}: training the model and running the baseline job ...")
        twin = Twin.up(root)
        twin.run_hours(2)
    print(twin.status(root_label=workspace_label(root)))

sess = session(backend, workspace, monitoring=monitoring, region=region, profile=profile, **names)
print(f"backend={sess.backend} region={sess.region} account={sess.account_id} bucket={sess.workshop_bucket}")  # the capture's bucket (Studio: the project's)

# %% [markdown]
# **What you see above** (on the twin): the twin's own summary, one line per resource. Its
# clock is virtual: it stands where the last notebook or `twin run` left it. Running the
# workshop again reuses the estate (`make workshop FRESH=1` rebuilds it), so what earlier runs
# did is still there: more hourly executions, and more pipeline runs: each time the drift alarm
# went into ALARM (13c's drifted traffic, 14's published value), its EventBridge rule started a
# retrain, so an estate that ran the chapter before can hold several (15 approves the newest). The
# next cell reads the same history through the API (on AWS too) and says what each line means,
# with the numbers of this estate:

# %%
print(workshop.estate_history(sess).explain())  # codepipeline.list_pipeline_executions, sagemaker.list_monitoring_executions

# %% [markdown]
# ## What it costs on AWS
# What bills by the hour, with the instance types this estate uses (read from
# `describe_endpoint_config` and `describe_monitoring_schedule`; on the twin the same calls
# answer). The prices are on-demand list prices for us-east-1 as this package records them
# (`helpers.workshop.cleanup.HOURLY_USD`); prices change and differ by region, so check the
# SageMaker pricing page. An endpoint bills every hour it exists; the schedule's processing
# job bills only for the seconds each run lasts, so its row is the price of a whole
# instance-hour, an upper bound. `99_cleanup` shows the same table before it deletes.

# %%
import pandas as pd

costs = workshop.running_costs(sess, {})
print(f"price table: {workshop.PRICE_TABLE}")
with pd.option_context("display.max_colwidth", None):  # whole names and details, not cut at 50 characters
    display(costs.drop(columns=["stack"]))

# %% [markdown]
# ## Pre-flight (AWS only)
# On AWS the session has already **discovered** the workshop's resources: the pipeline among the
# account's pipelines, the capture destination and variant from `describe_endpoint`, the report
# location from `describe_monitoring_schedule`, the retrain rule from the EventBridge rules that
# target the pipeline (the two variants of the original name them differently). The table says
# what was found and how, checks the permissions the chapter uses with
# `iam.simulate_principal_policy` (where your role may call it), and probes whether Model
# Monitor answers this account (with `monitoring = "self"`: whether the self-run schedule is
# deployed yet). Any row with `ok = False` says what to do.

# %%
if sess.backend == "aws":
    import pandas as pd

    with pd.option_context("display.max_colwidth", None, "display.max_rows", None):
        display(workshop.preflight(sess))
else:
    print("on the twin: nothing to check (every resource was built above)")

# %% [markdown]
# ## A first real call
# Every step talks to AWS through `sess.client(...)`, a boto3 client: on the twin it is a real
# boto3 client whose answers come from the twin, so the arguments, response shapes, paginators
# and error codes are boto3's own. The steps call it through `helpers.workshop`, which turns any
# AWS error into one sentence saying what failed and what to do. A look at the pipeline
# (`codepipeline.get_pipeline_state`) proves the estate is there:

# %%
stages = workshop.pipeline_stages(sess)
if not any(stage.name == sess.names.deploy_stage for stage in stages):
    raise RuntimeError(f"{sess.names.pipeline_name} has no {sess.names.deploy_stage} stage: is the workshop deployed?")
[(stage.name, stage.status) for stage in stages]

# %%
print(f"{len(stages)} stages, in order: {', '.join(stage.name for stage in stages)}; "
      f"production is deployed by {sess.names.deploy_stage}")

# %% [markdown]
# **What you should see:** the pipeline's stages in the order they run, each with the status
# of the execution it last processed, as `get_pipeline_state` answered (the names come from the
# pipeline itself, so a pipeline with more stages shows them all). `Succeeded` everywhere once a
# deployment has finished; a stage of a retrain on its way may say `InProgress`.

# %% [markdown]
# ## What you learned
# - The workshop runs on the twin by default and on AWS with `backend="aws"`; the code is the same.
# - `helpers.session()` hands out boto3 clients; the twin answers them offline.
#
# Next: [01 · the pipeline execution id](01_fetch_execution_id.ipynb)

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
# # 15 · The alarm's state and the new pipeline execution
#
# An EventBridge rule (`assets/retrain-rule.template.json`) matches *CloudWatch Alarm State
# Change* events of the drift alarm entering ALARM and targets the pipeline: the alarm
# **retrains** the model on fresher data, re-baselines it and redeploys it.
#
# **The API calls:** `cloudwatch.describe_alarm_history`, `events.list_targets_by_rule`,
# `codepipeline.list_pipeline_executions`.

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

history = workshop.alarm_history(sess)  # cloudwatch.describe_alarm_history, newest first
history.head()

# %%
workshop.rule_targets(sess)  # events.list_targets_by_rule

# %%
to_alarm = history[history["HistorySummary"].str.endswith("to ALARM")]
if to_alarm.empty:
    raise RuntimeError("the alarm has not been in ALARM: run notebook 14 first")
since = to_alarm["Timestamp"].iloc[0] - pd.Timedelta(seconds=1)
retrain = workshop.wait_for_retrain(sess, since, timeout=300, poll=15)  # the rule starts it within seconds
{"pipelineExecutionId": retrain["pipelineExecutionId"], "status": retrain.get("status"),
 "startTime": retrain.get("startTime"), "trigger": retrain.get("trigger", {}).get("triggerType")}

# %% [markdown]
# The pipeline takes about 45 minutes: training, the baseline job, then the two deployments. On
# AWS, come back later. On the twin we let it live one more virtual hour:

# %%
previous = workshop.pipeline_execution_id(sess)
if sess.backend == "local":
    sess.twin.run_hours(1)
new_id = workshop.pipeline_execution_id(sess)
status = workshop.pipeline_execution_status(sess, new_id)
print(f"production was {previous}\nproduction is  {new_id} ({status})")
print("new endpoint:", workshop.job_names(sess, new_id).endpoint)

# %% [markdown]
# **What you should see:** the alarm went *to ALARM*, a pipeline execution started by a
# **CloudWatchEvent**, and (on the twin, after the virtual hour) a new production execution id,
# with its own endpoint, baseline job and an updated schedule.
#
# ## What you learned
# - Alarm, rule and pipeline make a closed loop: drift triggers retraining without a person.
#
# Next: [16 · a CloudWatch dashboard](16_cloudwatch_dashboard.ipynb)

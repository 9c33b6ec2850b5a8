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
# # 15 · The alarm, the retrain, and the person who approves it
#
# An EventBridge rule (`assets/retrain-rule.template.json`) matches *CloudWatch Alarm State
# Change* events of the drift alarm entering ALARM and starts the pipeline. The pipeline is the
# workshop's safe-deployment one; its stages are printed below from `get_pipeline_state`, the
# same list step 00 shows. One of them trains the model and runs a new baseline job, and
# DeployDev ends with **ApproveDeploy**, a manual approval that waits for a person before
# DeployPrd. A retrain never reaches production on its own.
#
# **The API calls:** `cloudwatch.describe_alarm_history`, `events.list_targets_by_rule`,
# `codepipeline.list_pipeline_executions`, `codepipeline.get_pipeline_state` (the approval and
# its token), `codepipeline.put_approval_result`.

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

history = workshop.alarm_history(sess)
first_alarm = next((i for i, h in enumerate(history) if h.new == "ALARM"), None)
if first_alarm is None:
    raise RuntimeError("the alarm has not been in ALARM: run notebook 14 first")
for what, url in workshop.console_links(sess, alarm=sess.names.alarm_name, pipeline=sess.names.pipeline_name).items():
    print(f"{what}: {url}")  # on AWS only
print(f"the alarm's history from its first change to ALARM: {len(history) - first_alarm} of {len(history)} changes")
plots.text_table(pd.DataFrame([{"when (UTC)": f"{h.when:%Y-%m-%d %H:%M:%S}", "from": h.old, "to": h.new, "reason": h.reason}
                               for h in history[first_alarm:]]), wide=("reason",))

# %% [markdown]
# Every row *to ALARM* above is one *CloudWatch Alarm State Change* event, and the rule starts
# the pipeline once for each. CloudWatch sends an event only when the state **changes**: an alarm
# that stays in ALARM for hours starts one retrain; one that falls back to INSUFFICIENT_DATA after
# a minute (its 60-second period, step 14) and crosses the threshold again later starts another.
# Below, each change to ALARM with the execution its rule started (trigger **CloudWatchEvent**,
# detail the rule's ARN), or the reason there is none:

# %%
print("the rule starts:", workshop.rule_targets(sess))
print("its stages:", " -> ".join(stage.name for stage in workshop.pipeline_stages(sess)))
retrains = workshop.alarm_retrains(sess)
if sess.backend == "aws" and not retrains[-1].executions:  # the rule acts some seconds after the change
    workshop.wait_for_retrain(sess, retrains[-1].change.when)
    retrains = workshop.alarm_retrains(sess)
rows = []
for r in retrains:
    for e in r.executions or [None]:
        rows.append({"to ALARM at (UTC)": f"{r.change.when:%Y-%m-%d %H:%M:%S}",
                     "pipelineExecutionId": (e.execution_id or "?") if e else "none",
                     "started (UTC)": f"{e.started:%Y-%m-%d %H:%M:%S}" if e else "",
                     "trigger": e.trigger if e else "", "status": (e.status or "?") if e else r.reason})
assert all(r.executions or r.reason for r in retrains)  # every change to ALARM is accounted for
started = [e for r in retrains for e in r.executions]
print(f"{len(retrains)} changes to ALARM; {len(started)} executions started by the rule, "
      f"{sum(1 for r in retrains if not r.executions)} changes with none")
# a setting of the pipeline, reported with each execution; not the state of any one of them
print("the pipeline's execution mode:", ", ".join(sorted({e.mode or "?" for e in started})) or "(no execution)")
plots.text_table(pd.DataFrame(rows), wide=("pipelineExecutionId", "status"))

# %%
fired = retrains[-1]
if not fired.executions:
    raise RuntimeError(f"the newest change to ALARM ({fired.change.when:%Y-%m-%d %H:%M:%S} UTC) started no execution: "
                       f"{fired.reason}")
newest = fired.executions[-1]
retrain = newest.execution_id
if not retrain:
    raise RuntimeError("ListPipelineExecutions named no pipelineExecutionId for the newest retrain: it cannot be followed")
print(f"the alarm went to ALARM at {fired.change.when:%Y-%m-%d %H:%M:%S} UTC because: {fired.change.reason}")
print(f"the retrain {retrain} was started at {newest.started:%Y-%m-%d %H:%M:%S} UTC "
      f"by {newest.trigger}; now {newest.status or '?'}")
for e in started[:-1]:
    print(f"earlier: {e.execution_id or '?'} started {e.started:%Y-%m-%d %H:%M:%S} UTC, now {e.status or '?'}")

# %% [markdown]
# An earlier execution shows **Superseded** when a more recent one overtook it before it
# finished: the pipeline's execution mode printed above the table (a setting of the pipeline,
# not the state of an execution) allows that. One that had finished
# shows how it ended (Succeeded, if someone approved it in an earlier run of the workshop). The
# retrain followed below to the approval is the newest, the one the latest change to ALARM started.

# %% [markdown]
# The retrain trains on fresher data and runs a new baseline job, then deploys to the dev
# stage and **waits**. On AWS it takes a while: come back later. On the twin we poll, letting
# a few virtual minutes pass each time, until the approval waits:

# %%
previous = workshop.pipeline_execution_id(sess)
alarm_watched = workshop.alarm_endpoint(sess)  # the alarm's Endpoint dimension before the deployment
approval = workshop.wait_for_approval(sess, retrain)
print(f"{approval.stage}/{approval.action} of {approval.execution_id}: {approval.status}, token {approval.token}")
assert workshop.pipeline_execution_id(sess) == previous  # production has not moved
actions = pd.DataFrame(workshop.pipeline_actions(sess))
actions = actions.loc[:, (actions != "").any()]  # no column that is empty in every row
plots.text_table(actions, wide=tuple(c for c in ("summary",) if c in actions))

# %% [markdown]
# `get_pipeline_state` shows ApproveDeploy **InProgress** with a token: production still runs
# the execution printed as `previous` below. In a real account this is where a person would
# look at the new model (its training metrics, its baseline) and at why it was started, and
# approve or reject it with that token.
#
# **This retrain should be rejected.** Look at what started the retrains in the table above:
# the value step 14 published to test the alarm (the newest, followed here) and, where the
# alarm went to ALARM after step 13c's hour, drift that 13c's client bug (every distance
# doubled) caused. Neither is a stale model, and retraining cannot fix either (see the end of
# this notebook): a real reviewer would reject it. The workshop approves it anyway, without reviewing anything,
# only to show the mechanics of the approval and the deployment that follows; the summary it
# sends says so:

# %%
approved_at = workshop.approve(sess, approval, summary="approved in the workshop to show the loop; not reviewed")
status = workshop.wait_for_pipeline_execution(sess, retrain)
now = workshop.pipeline_execution_id(sess)
print(f"approved at {approved_at:%H:%M:%S} UTC; the retrain {status}")
print(f"production was {previous}\nproduction is  {now} ({status})")
old_endpoint, new_endpoint = workshop.job_names(sess, previous).endpoint, workshop.job_names(sess, now).endpoint
print(f"endpoint was {old_endpoint}\nendpoint is  {new_endpoint}")
print(f"the alarm's Endpoint dimension was {alarm_watched}\nthe alarm's Endpoint dimension is  {workshop.alarm_endpoint(sess)}")
print("schedule now watches:", workshop.monitoring_schedule(sess).endpoint)
print("with the baseline:", workshop.monitoring_schedule(sess).constraints_uri)
assert now == retrain != previous
assert (alarm_watched, workshop.alarm_endpoint(sess)) == (old_endpoint, new_endpoint)  # what the text below says

# %% [markdown]
# **Nobody told you, and nobody changed them by hand:** the deployment moved the schedule and
# the alarm to the new endpoint. The alarm's `Endpoint` dimension changed from the old
# endpoint's name to the new one (both printed above), so from now on the alarm hears only
# the new endpoint's drift (the old endpoint's datapoints stay in CloudWatch under its own
# name). The dashboard of step 16 follows the same way, without an edit, because its panels
# search by variant and schedule rather than by endpoint name. The
# schedule now uses the **new pipeline baseline**: statistics of the training set, labels in
# the first column. The first hour of the new endpoint:

# %%
first = workshop.wait_for_hour_report(sess, sess.now(), new_endpoint)
print(f"{first.scheduled:%Y-%m-%d %H:%M} UTC on {first.raw.get('EndpointName')}: {first.status}"
      + (f" ({first.failure_reason})" if first.failure_reason else ""))
if first.status in ("Completed", "CompletedWithViolations"):
    for v in workshop.load_violations(sess, workshop.report_uri(sess, first) + "/constraint_violations.json").violations:
        print(f"  {v.feature_name}: {v.constraint_check_type}: {v.description}")

# %% [markdown]
# **What you should see:** the alarm's history with every change *to ALARM* and its reason;
# for each of them the pipeline execution the rule started (a **CloudWatchEvent**), the newest
# InProgress and any earlier one Superseded (or finished); the pipeline state with ApproveDeploy
# *InProgress* and a token while production stays on the previous execution, then after
# `put_approval_result` production on the new execution, its endpoint watched by the schedule,
# and the first monitoring run of the new endpoint.
#
# ## What retraining can and cannot fix
# Retraining fixes a model that has gone stale: new data, a new model, a new baseline of that
# data. It **cannot** fix a serialisation bug: the client sends what it sends, whatever model
# answers. And it **cannot** fix a baseline built from labels: the pipeline baselines the
# training set again, with `total_amount` as the true fare, so the schedule is back to
# comparing predictions with labels (the baseline printed above), and the drift of step 13
# can come back in any hour; the fix of step 13b has to go into the pipeline's baseline step
# to last.
#
# ## What you learned
# - Alarm, rule and pipeline make a loop; the manual approval keeps a person in it, and that
#   person's job is to ask why the retrain started: this one came from a client bug and a test
#   value, and should have been rejected.
# - `get_pipeline_state` shows a waiting approval and its token; `put_approval_result` decides it.
#
# Next: [16 · a CloudWatch dashboard](16_cloudwatch_dashboard.ipynb)

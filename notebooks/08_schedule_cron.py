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
# # 08 · The schedule's cron and its next runs
#
# Model Monitor schedules use AWS cron expressions with six fields
# (`minutes hours day-of-month month day-of-week year`) and a `?` in one of the day fields.
# `cron(0 * ? * * *)` means minute 0 of every hour: each run analyses **the previous hour**.
# With `monitoring = "self"` the EventBridge Scheduler schedule takes the same six fields and
# writes the same thing as `cron(0 * * * ? *)` (its `?` is in the day-of-week field), in UTC.

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
schedule = workshop.monitoring_schedule(sess)
now = sess.now()
print("cron:", schedule.cron, "| now:", f"{now:%Y-%m-%d %H:%M} UTC", "(virtual)" if sess.backend == "local" else "")
[f"{t:%Y-%m-%d %H:%M} UTC" for t in schedule.next_runs(now)]

# %% [markdown]
# The same expression in Unix cron's five fields, as `croniter` reads it (`?` becomes `*`,
# and the year field goes: SageMaker only accepts `*` there):

# %%
schedule.unix_cron

# %% [markdown]
# **What you should see:** the next three full hours. On the twin the clock is virtual: it
# moves when the twin lives an hour, so nobody waits an hour for a report.
#
# ## What you learned
# - An hourly schedule analyses each past hour; the first report arrives up to an hour after deployment.
#
# Next: [09 · wait for a completed execution](09_wait_for_execution.ipynb)

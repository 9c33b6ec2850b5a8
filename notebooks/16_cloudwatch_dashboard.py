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
# # 16 · A CloudWatch dashboard for the endpoint
#
# One page with invocations and errors, model and overhead latency, CPU, memory and disk, the
# drift metric and the alarm. The body is `assets/dashboard-body.json` with the endpoint's
# names filled in.
#
# **The API calls:** `cloudwatch.put_dashboard(DashboardName=..., DashboardBody=...)`, then
# `get_dashboard`. On AWS, open it in the CloudWatch console; on the twin it is drawn below from
# the metrics the twin stored.

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
import json

from helpers import plots

prod = workshop.production_names(sess)
board = workshop.create_dashboard(sess, prod.endpoint)
print(board.get("DashboardArn", sess.names.dashboard_name))
[w["properties"]["title"] for w in json.loads(board["DashboardBody"])["widgets"]]

# %%
series, alarms = workshop.dashboard_series(sess, board["DashboardBody"], hours=48)
plots.show(plots.dashboard_figure(board["DashboardBody"], series, alarms))

# %%
workshop.dashboards(sess)  # cloudwatch.list_dashboards

# %% [markdown]
# **What you should see:** five widgets; invocations in small bursts (the notebook's traffic),
# latencies of a fraction of a millisecond, and the alarm's state. On a freshly deployed
# endpoint the panels start empty until traffic arrives.
#
# ## What you learned
# - A dashboard is a JSON body: keep it in version control next to the rest of the infrastructure.
#
# Next: [99 · clean-up](99_cleanup.ipynb)

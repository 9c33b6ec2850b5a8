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
# # 16 · A CloudWatch dashboard that follows production
#
# One page with invocations and errors, model and overhead latency, CPU, memory and disk, the
# drift metric and the alarm. The body is `assets/dashboard-body.json`. Like the workshop's
# original, its panels are **SEARCH expressions** over the production variant
# (`SEARCH('{AWS/SageMaker,EndpointName,VariantName} MetricName="Invocations" VariantName="..."', 'Sum', 60)`),
# not one endpoint's name: after a retrain the new endpoint shows up on the same panels. The
# latency panel adds metric math (`model / 1000`: microseconds to milliseconds).
#
# **The API calls:** `cloudwatch.put_dashboard(DashboardName=..., DashboardBody=...)`,
# `get_dashboard`, then `get_metric_data` with each widget's expressions. On AWS, open it in
# the CloudWatch console; on the twin it is drawn below from what `get_metric_data` answers.

# %% tags=["parameters"]
backend = "local"  # "local" (the offline twin) or "aws" (your account, with the workshop deployed)
workspace = None  # the twin's folder; None means WORKSHOP_HOME or .workshop/
names = {}  # override any of the names in assets/workshop.json, e.g. {"schedule_name": "my-schedule"}
monitoring = None  # AWS only: None runs Model Monitor's schedule; "self" the self-run schedule (accounts Model Monitor no longer admits)
region = None  # AWS only: None follows boto3 (AWS_DEFAULT_REGION, then the profile in ~/.aws/config)
profile = None  # AWS only: a profile of ~/.aws/config; None is the default chain (Studio: the execution role)
hours = 8  # how far back the panels look

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

import pandas as pd

from helpers import plots

prod = workshop.production_names(sess)
board = workshop.create_dashboard(sess, prod.endpoint)
print(board.get("DashboardArn", sess.names.dashboard_name))
for what, url in workshop.console_links(sess, dashboard=sess.names.dashboard_name).items():
    print(f"{what}: {url}")  # on AWS only
[w["properties"]["title"] for w in json.loads(board["DashboardBody"])["widgets"]]

# %%
panels, alarms = workshop.dashboard_panels(sess, board["DashboardBody"], hours=hours)
plots.show(plots.dashboard_figure(board["DashboardBody"], panels, alarms))

# %% [markdown]
# What each panel holds, line by line (one line per endpoint the SEARCH found):

# %%
summary = pd.DataFrame([{"panel": title, "line": label, "points": len(frame),
                         "first": frame["Timestamp"].min() if len(frame) else None,
                         "last": frame["Timestamp"].max() if len(frame) else None,
                         "mean": frame["Value"].mean() if len(frame) else None}
                        for title, lines in panels.items() for label, frame in lines])
empty = [title for title, lines in panels.items() if not any(len(frame) for _, frame in lines)]
print("panels without data:", empty or "none")
print("endpoints on the invocations panel:", summary[summary.panel == "Invocations and errors"].line.str.split().str[1].nunique())
print("alarm:", alarms)
plots.text_table(summary.assign(first=summary["first"].dt.strftime("%d %H:%M"), last=summary["last"].dt.strftime("%d %H:%M")),
                 wide=("panel", "line"))

# %% [markdown]
# **What you should see:** five widgets. The invocations panel has a line per endpoint that
# production ran in the window (the table counts them): the endpoint before the retrain and
# the one after, with no gap, because the client keeps sending to whichever endpoint is in
# production. Latencies are in milliseconds (the `mean` column), the drift panel has one
# point per monitoring execution (and the one we published in step 14) with the alarm's
# threshold drawn across it, and the alarm widget shows the alarm's current state.
#
# ## What you learned
# - A dashboard is a JSON body: keep it in version control next to the rest of the infrastructure.
# - SEARCH expressions make panels follow resources that are replaced, such as an endpoint
#   after a retrain; metric math changes units or combines series.
#
# Next: [99 · clean-up](99_cleanup.ipynb)

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
# One page with requests, errors, model and overhead latency, CPU, memory and disk, the drift
# metric and the alarm. The body is `assets/dashboard-body.json`. Like the workshop's
# original, its panels are **SEARCH expressions** over the production variant
# (`SEARCH('{AWS/SageMaker,EndpointName,VariantName} MetricName="Invocations" VariantName="..."', 'Sum', 3600)`),
# not one endpoint's name: after a retrain the new endpoint shows up on the same panels. The
# latency panel adds metric math (`model / 1000`: microseconds to milliseconds).
#
# Requests and errors are counted **per hour** (the schedule's own unit), each on its own panel.
# Per minute, the bursts of steps 13b and 13c (hundreds of requests in a minute) would set the
# scale, and an ordinary hour's requests, one every minute or so, and a single refused request
# would lie on the zero line; CloudWatch has no logarithmic axis, so the dashboard changes what
# it counts instead. The printout under the figure names any line that still lies on a zero line.
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
assert "'Sum', 3600)" in board["DashboardBody"] and "model / 1000" in board["DashboardBody"]  # quoted in the text above
titles = [w["properties"].get("title", "(no title)") for w in json.loads(board["DashboardBody"])["widgets"]]
print(f"{len(titles)} widgets:")
for title in titles:
    print("  " + title)

# %% [markdown]
# Every panel covers the same window, the last `hours` hours from the full hour (as the console
# draws a dashboard's time range). On the drift panel a cross marks each value that **no
# monitoring run published**: step 14's test value, sent by hand to trip the alarm. CloudWatch
# draws it like any other point (the body cannot tell them apart); the notebook marks it so it is
# not read as drift Model Monitor measured.

# %%
window = workshop.dashboard_window(sess, hours)
panels, alarms = workshop.dashboard_panels(sess, board["DashboardBody"], hours=hours)
drift_points = [p for p in workshop.drift_points(sess, hours=hours + 1) if window[0] <= p.when <= window[1]]
by_hand = [p for p in drift_points if not p.measured]
marks = {"Baseline drift of total_amount": [(p.when, p.value, f"published by hand: {p.value:g} at {p.when:%H:%M} "
                                             "(a test value, not measured)") for p in by_hand]}
print(f"window: {window[0]:%Y-%m-%d %H:%M} to {window[1]:%H:%M} UTC on every panel")
plots.show(plots.dashboard_figure(board["DashboardBody"], panels, alarms, window=window, marks=marks))

# %% [markdown]
# What each panel holds, line by line (one line per endpoint the SEARCH found):

# %%
summary = pd.DataFrame([{"panel": title, "line": label, "points": len(frame),
                         "first (UTC)": f"{frame['Timestamp'].min():%d %H:%M}" if len(frame) else "",
                         "last (UTC)": f"{frame['Timestamp'].max():%d %H:%M}" if len(frame) else "",
                         "mean of points": frame["Value"].mean() if len(frame) else None}
                        for title, lines in panels.items() for label, frame in lines],
                       columns=["panel", "line", "points", "first (UTC)", "last (UTC)", "mean of points"])
empty = [title for title, lines in panels.items() if not any(len(frame) for _, frame in lines)]
flat = plots.flat_series(panels)  # lines on a panel's zero line at its scale: noted in their legend
print("panels without data:", ", ".join(empty) or "none")
print("lines on a panel's zero line:", "; ".join(f"{title}: {', '.join(labels)}" for title, labels in flat.items()) or "none")
print("endpoints on the requests panel:", summary[summary.panel == "Requests per hour"].line.str.split().str[1].nunique())
for arn, state in alarms.items():
    print(f"alarm {arn.rsplit(':', 1)[-1]}: {state}")
plots.text_table(summary, wide=("panel", "line"))

# %% [markdown]
# The same panels, in a few sentences written from their numbers:

# %%
from IPython.display import Markdown


def per_endpoint(title: str, metric: str) -> dict:
    """One metric's lines of a panel by endpoint (a SEARCH label reads "<metric> <endpoint> <variant>")."""
    return {label.split()[-2]: frame["Value"] for label, frame in panels.get(title, []) if metric in label.split() and len(frame)}


requests_by = per_endpoint("Requests per hour", "Invocations")
refused_by = per_endpoint("Errors per hour (4XX and 5XX)", "Invocation4XXErrors")
latency_by = per_endpoint("Model and overhead latency (milliseconds)", "ModelLatency")


def sentence(endpoint: str, requests: pd.Series) -> str:
    refused = refused_by.get(endpoint, pd.Series(dtype=float)).sum()
    latency = f"model latency {latency_by[endpoint].mean():.0f} ms on average" if endpoint in latency_by else "no latency"
    return (f"- `{endpoint}`{' (production now)' if endpoint == prod.endpoint else ''}: {requests.sum():,.0f} requests "
            f"in {len(requests)} hour(s), {refused:,.0f} refused (4XX), {latency}, "
            f"{sum(p.measured for p in drift_on(endpoint))} drift point(s) measured by Model Monitor"
            + (f" and {sum(not p.measured for p in drift_on(endpoint))} sent by hand (step 14's test)"
               if any(not p.measured for p in drift_on(endpoint)) else ""))


def drift_on(endpoint: str) -> list:
    """The drift panel's datapoints of one endpoint, each knowing whether a monitoring run published it."""
    return [p for p in drift_points if p.endpoint == endpoint]


lines = [sentence(endpoint, requests) for endpoint, requests in requests_by.items()]
drift_threshold = next((line["value"] for w in json.loads(board["DashboardBody"])["widgets"]
                        for line in w["properties"].get("annotations", {}).get("horizontal", [])), None)
measured = max((p for p in drift_points if p.measured), key=lambda p: p.value, default=None)
hand_text = "; ".join(f"{p.value:g} at {p.when:%H:%M} UTC on `{p.endpoint}`" for p in by_hand)
Markdown(f"**In the last {hours} hours** the requests panel has {len(requests_by)} line(s), one per endpoint:\n\n"
         + ("\n".join(lines) or "- no requests in this window") + "\n\n"
         + (f"The highest drift **Model Monitor measured** is {measured.value:.3f} (the run of {measured.run.scheduled:%H:%M} "
            f"UTC on `{measured.endpoint}`), against the alarm threshold of {drift_threshold} drawn on its panel. "
            if measured is not None else "Model Monitor published no drift in this window. ")
         + (f"The drift panel also holds {len(by_hand)} value(s) no monitoring run published, sent by hand as a test "
            f"(step 14), not measured: {hand_text}; each is marked with a cross. " if by_hand else "")
         + f"The alarm widget says {', '.join(sorted(set(alarms.values()))) or 'nothing'}."
         + "".join(f"\n\nOn *{title}*, these lines lie on the zero line at the panel's scale (their legend says so): "
                   + "; ".join(labels) + "." for title, labels in flat.items()))

# %% [markdown]
# Last, where the workshop leaves Model Monitor: the constraints the schedule compares each hour
# with, beside those of production's pipeline baseline job.

# %%
in_use = workshop.baseline_in_use(sess)
print("the schedule's constraints:        ", in_use.constraints_uri or "(none)")
print("the pipeline baseline job's output:", in_use.pipeline_constraints_uri)
print("the schedule uses", in_use.explain())
Markdown("**The workshop ends with the pipeline's baseline back in place.** The retrain of step 15 baselined the training "
         "set again, so the schedule compares predictions with labels once more: step 13b's baseline of predictions is no "
         "longer used, and the drift of step 13 can come back in any hour until the fix goes into the pipeline's baseline "
         "step." if in_use.is_pipelines else
         f"**The workshop ends with a baseline that is not the pipeline's** ({in_use.constraints_uri or 'none'}): "
         "the schedule keeps it until the next deployment replaces it with the pipeline's.")

# %% [markdown]
# **What you should see:** six widgets on one time window. The requests panel has a line per
# endpoint that production ran in the window (the table counts them): the endpoint before the
# retrain and the one after, because the client keeps sending to whichever endpoint is in
# production; an ordinary hour's requests stand clear of the zero line beside the bursts, and
# the errors panel shows the refused requests on their own scale (the printout names any line
# that lies on a zero line, and says why: a series that is 0 throughout, such as no 5XX errors).
# The `mean of points` column is a line's average point: requests per hour on the requests panel,
# milliseconds on the latency panel. The latency and CPU panels count per minute:
# on the twin, in the hours of 13b's and 13c's bursts its own client stays away and the burst
# goes out within a minute or two, so those hours show a few points, not an outage. The drift panel has
# one point per monitoring execution, with the alarm's threshold drawn across it (dotted, as in
# 14) and a cross on step 14's test value; its points were measured against the baseline the
# schedule used at the time (14 marks where that changed). The alarm widget shows the alarm's
# current state. The last lines say which baseline the schedule ends with.
#
# ## What you learned
# - A dashboard is a JSON body: keep it in version control next to the rest of the infrastructure.
# - SEARCH expressions make panels follow resources that are replaced, such as an endpoint
#   after a retrain; metric math changes units or combines series.
#
# Next: [99 · clean-up](99_cleanup.ipynb)

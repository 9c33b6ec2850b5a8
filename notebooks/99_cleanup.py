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
# # 99 · Clean-up
#
# On AWS the schedule and the endpoint cost money every hour. This notebook deletes what the
# chapter created (the dashboard) and, only if you say so, the schedule and the endpoint. On the
# twin, resetting deletes the whole local estate.
#
# **The API calls:** `cloudwatch.delete_dashboards`, `sagemaker.delete_monitoring_schedule`,
# `sagemaker.delete_endpoint`.

# %% tags=["parameters"]
backend = "local"
workspace = None
names = {}  # override any of the names in assets/workshop.json
delete_monitoring = False  # True also deletes the schedule and the endpoint (AWS)
reset_twin = False  # True deletes the local twin's workspace

# %%
import sys
from pathlib import Path

repo = next((p for p in Path.cwd().resolve().parents if (p / "helpers").is_dir()), None)
if repo is not None:  # running from the repository: use its `helpers` (else the installed one)
    sys.path.insert(0, str(repo))
from helpers import workshop
from helpers import session

sess = session(backend, workspace, **names)
cloudwatch = sess.client("cloudwatch")
if any(d["DashboardName"] == sess.names.dashboard_name for d in cloudwatch.list_dashboards()["DashboardEntries"]):
    cloudwatch.delete_dashboards(DashboardNames=[sess.names.dashboard_name])
    print("deleted dashboard", sess.names.dashboard_name)

# %%
if delete_monitoring and sess.backend == "aws":
    endpoint = workshop.monitoring_schedule(sess).endpoint
    sess.client("sagemaker").delete_monitoring_schedule(MonitoringScheduleName=sess.names.schedule_name)
    sess.client("sagemaker").delete_endpoint(EndpointName=endpoint)
    print("deleted", sess.names.schedule_name, "and", endpoint)
if reset_twin and sess.backend == "local":
    from helpers.twin.store import Workspace

    print("deleted" if Workspace.reset(sess.twin.ws.root) else "nothing at", sess.twin.ws.root)

# %% [markdown]
# **What you should see:** the dashboard deleted; with the switches on, the rest too.
#
# ## What you learned
# - Monitoring has running costs: delete schedules and endpoints you no longer need.

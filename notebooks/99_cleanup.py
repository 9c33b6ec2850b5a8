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
# # 99 · Clean-up
#
# On AWS the endpoints and the schedule cost money every hour. This notebook first shows **what
# is left running and what it costs**, then, only if you say so, deletes the workshop's
# CloudFormation stacks **in dependency order** (a stack that imports another's exports first,
# then the newest first: the deployment stacks the pipeline created before the pipeline's own
# stack, whose role they need to be deleted), and only then what no stack owns (the dashboard of
# step 16, a schedule made by hand). Deleting a stack's resources out of band would leave the
# stack failing to delete them. On the twin, resetting deletes the whole local estate.
#
# **The API calls:** `cloudformation.list_stacks`, `list_stack_resources`, `list_imports`,
# `delete_stack` and its `stack_delete_complete` waiter; `cloudwatch.delete_dashboards`;
# `sagemaker.delete_monitoring_schedule`, `sagemaker.delete_endpoint`; for the self-run schedule of
# step 7 (`monitoring = "self"`, listed whatever this session's monitoring), `scheduler.get_schedule`
# and `scheduler.delete_schedule` (its two IAM roles and its code in S3 cost nothing and stay).

# %% tags=["parameters"]
backend = "local"
workspace = None
names = {}  # override any of the names in assets/workshop.json
region = None  # AWS only: None follows boto3 (AWS_DEFAULT_REGION, then the profile in ~/.aws/config)
profile = None  # AWS only: a profile of ~/.aws/config; None is the default chain (Studio: the execution role)
delete_monitoring = False  # AWS: True deletes the workshop's stacks, then what no stack owns
reset_twin = False  # True deletes the local twin's workspace

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
if sess.backend == "aws":
    from helpers.workshop import cleanup

    stacks = cleanup.workshop_stacks(sess)
    owners = cleanup.stack_owners(sess, stacks)
    running = cleanup.running_costs(sess, owners)
    order = cleanup.deletion_order(sess, stacks)
    print(f"left running: about ${running['usd_per_hour'].sum():.2f} an hour; stacks, in deletion order: {order}")
    display(running)

# %%
if delete_monitoring and sess.backend == "aws":
    for name in order:
        print("deleting stack", name, "...")
        cleanup.delete_stack(sess, name)
    left = cleanup.running_costs(sess, {})
    print("deleted, owned by no stack:", cleanup.delete_unowned(sess, left[~left["name"].isin(owners)]))
print("deleted dashboard" if workshop.delete_dashboard(sess) else "no dashboard named", sess.names.dashboard_name)
if reset_twin and sess.backend == "local":
    from helpers.twin.store import Workspace

    print("deleted" if Workspace.reset(sess.twin.ws.root) else "nothing at", sess.twin.ws.root)

# %% [markdown]
# **What you should see:** the dashboard deleted, and on AWS a table of the endpoints and the
# schedule still running with their hourly cost and the stack that owns each; with
# `delete_monitoring = True`, each stack deleted in the order printed, then whatever no stack
# owned.
#
# ## What you learned
# - Monitoring has running costs: delete schedules and endpoints you no longer need.

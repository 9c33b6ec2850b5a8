"""Notebook 99 on AWS: what is left running and what it costs, then delete in the right order.

The workshop's resources belong to CloudFormation stacks (the pipeline's own stack, and the
dev/prd deployment stacks the pipeline created). Deleting a stack's resources out of band
leaves the stack unable to delete them itself; deleting the pipeline's stack before the stacks
it deployed removes the role those need to be deleted. So: stacks that import another's exports
go first, then the newest first; only then the few things no stack owns (the dashboard step 16
made, a schedule made by hand).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..aws import guarded
from ..backends import WorkshopSession
from .schedule import monitoring_schedule

# On-demand list prices in USD per instance-hour (us-east-1, SageMaker real-time inference and
# processing), as recorded when this was written; other regions differ. Unknown types show "?".
PRICE_TABLE = ("on-demand list prices in USD per instance-hour, us-east-1, as recorded in this package "
               "(check https://aws.amazon.com/sagemaker/pricing/ for today's and your region's)")
HOURLY_USD = {"ml.t2.medium": 0.056, "ml.m5.large": 0.115, "ml.m5.xlarge": 0.23, "ml.c5.large": 0.102,
              "ml.m5.2xlarge": 0.461, "ml.c5.xlarge": 0.204}
_ACTIVE = ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE",
           "CREATE_FAILED", "DELETE_FAILED", "IMPORT_COMPLETE"]


@dataclass(frozen=True)
class Running:
    kind: str
    name: str
    detail: str
    usd_per_hour: float | None
    stack: str


@guarded("listing the workshop's stacks (cloudformation:ListStacks)")
def workshop_stacks(sess: WorkshopSession) -> list[dict]:
    """The account's live stacks that belong to the workshop (their name carries the model name)."""
    pages = sess.client("cloudformation").get_paginator("list_stacks").paginate(StackStatusFilter=_ACTIVE)
    return [s for p in pages for s in p.get("StackSummaries", []) if sess.names.model_name in s.get("StackName", "")]


@guarded("reading a stack's resources (cloudformation:ListStackResources)")
def stack_owners(sess: WorkshopSession, stacks: list[dict]) -> dict[str, str]:
    """Physical id -> owning stack, for every resource of the given stacks."""
    owners = {}
    for stack in stacks:
        pages = sess.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack["StackName"])
        owners.update({r["PhysicalResourceId"]: stack["StackName"] for p in pages
                       for r in p.get("StackResourceSummaries", []) if r.get("PhysicalResourceId")})
    return owners


@guarded("describing what is left running (sagemaker:ListEndpoints, DescribeEndpointConfig)")
def running_costs(sess: WorkshopSession, owners: dict[str, str]) -> pd.DataFrame:
    """Endpoints and the schedule that bill by the hour, with their owning stack (or none)."""
    sm = sess.client("sagemaker")
    rows = []
    pages = sm.get_paginator("list_endpoints").paginate(NameContains=sess.names.model_name)
    for summary in (e for p in pages for e in p.get("Endpoints", [])):
        config = sm.describe_endpoint_config(EndpointConfigName=sm.describe_endpoint(
            EndpointName=summary["EndpointName"]).get("EndpointConfigName", summary["EndpointName"]))
        for v in config.get("ProductionVariants", []):
            kind, count = v.get("InstanceType", "serverless"), v.get("InitialInstanceCount", 1)
            price = HOURLY_USD.get(kind)
            rows.append(Running("endpoint", summary["EndpointName"], f"{count} x {kind}",
                                price * count if price is not None else None, owners.get(summary["EndpointName"], "")))
    pages = sm.get_paginator("list_monitoring_schedules").paginate(NameContains=sess.names.model_name)
    for s in (s for p in pages for s in p.get("MonitoringScheduleSummaries", [])):
        arn = s.get("MonitoringScheduleArn", "")
        kind = monitoring_schedule(sess, s["MonitoringScheduleName"]).instance_type or "?"
        rows.append(Running("monitoring schedule", s["MonitoringScheduleName"],
                            f"1 processing job an hour ({kind}), billed per second of each run", HOURLY_USD.get(kind),
                            owners.get(arn, owners.get(s["MonitoringScheduleName"], ""))))
    rows += _selfrun_schedule(sess, owners)
    return pd.DataFrame([vars(r) for r in rows], columns=["kind", "name", "detail", "usd_per_hour", "stack"])


def _selfrun_schedule(sess: WorkshopSession, owners: dict[str, str]) -> list[Running]:
    """The self-run schedule (step 7 with monitoring="self"): an EventBridge Scheduler schedule
    starting a processing job every hour, whatever the session's monitoring. None where it does
    not exist, on the twin (its schedule is the twin's), or where the role may not read schedules
    (then the workshop's step 7 could not have made one either)."""
    from botocore.exceptions import ClientError

    if sess.backend != "aws":
        return []
    name = sess.names.schedule_name
    try:
        raw = sess.client("scheduler").get_schedule(Name=name)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("ResourceNotFoundException", "AccessDeniedException"):
            return []
        raise
    from .selfrun import selfrun_schedule

    kind = selfrun_schedule(sess, name).job.get("ProcessingResources", {}).get("ClusterConfig", {}).get("InstanceType", "?")
    return [Running("self-run schedule", raw.get("Name") or name,
                    f"1 processing job an hour ({kind}), billed per second of each run; {raw.get('State', '?')}",
                    HOURLY_USD.get(kind), owners.get(raw.get("Name") or name, ""))]


@guarded("ordering the stacks (cloudformation:DescribeStacks, ListImports)")
def deletion_order(sess: WorkshopSession, stacks: list[dict]) -> list[str]:
    """Stacks that import another's exports before it; otherwise the newest first."""
    cfn = sess.client("cloudformation")
    newest = sorted(stacks, key=lambda s: s["CreationTime"], reverse=True)
    importers: dict[str, set[str]] = {s["StackName"]: set() for s in stacks}
    for stack in stacks:
        described = cfn.describe_stacks(StackName=stack["StackName"]).get("Stacks", [{}])[0]
        for output in described.get("Outputs", []):
            if output.get("ExportName"):
                pages = cfn.get_paginator("list_imports").paginate(ExportName=output["ExportName"])
                importers[stack["StackName"]].update(i for p in pages for i in p.get("Imports", []))
    order: list[str] = []

    def place(name: str, seen: frozenset = frozenset()) -> None:
        if name in order or name in seen:
            return
        for user in sorted(importers.get(name, ())):
            place(user, seen | {name})
        order.append(name)

    for stack in newest:
        place(stack["StackName"])
    return order


@guarded("deleting a stack (cloudformation:DeleteStack)")
def delete_stack(sess: WorkshopSession, name: str, wait_minutes: int = 30) -> None:
    """Delete one stack and wait for CloudFormation to finish (its waiter, polling every 15 s)."""
    cfn = sess.client("cloudformation")
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": wait_minutes * 4})


@guarded("deleting the dashboard (cloudwatch:DeleteDashboards)")
def delete_dashboard(sess: WorkshopSession) -> bool:
    """Delete step 16's dashboard if it exists (no stack owns it); True when deleted."""
    cloudwatch = sess.client("cloudwatch")
    pages = cloudwatch.get_paginator("list_dashboards").paginate(DashboardNamePrefix=sess.names.dashboard_name)
    if not any(d.get("DashboardName") == sess.names.dashboard_name for p in pages for d in p.get("DashboardEntries", [])):
        return False
    cloudwatch.delete_dashboards(DashboardNames=[sess.names.dashboard_name])
    return True


@guarded("deleting what no stack owns (sagemaker:DeleteMonitoringSchedule, scheduler:DeleteSchedule, DeleteEndpoint)")
def delete_unowned(sess: WorkshopSession, left: pd.DataFrame) -> list[str]:
    """After the stacks: delete the schedules and endpoints that no stack owned."""
    sm = sess.client("sagemaker")
    deleted = []
    unowned = left[left["stack"] == ""]
    schedules_first = pd.concat([unowned[unowned["kind"] != "endpoint"], unowned[unowned["kind"] == "endpoint"]])
    for row in schedules_first.itertuples():  # a schedule must go before the endpoint it watches
        if row.kind == "monitoring schedule":
            sm.delete_monitoring_schedule(MonitoringScheduleName=row.name)
        elif row.kind == "self-run schedule":  # its two roles and code in S3 cost nothing and stay
            sess.client("scheduler").delete_schedule(Name=row.name)
        else:
            sm.delete_endpoint(EndpointName=row.name)
        deleted.append(row.name)
    return deleted

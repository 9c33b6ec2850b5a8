"""Step 16: the CloudWatch dashboard and the metric series it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from ..aws import answer, guarded, need
from ..backends import WorkshopSession


@guarded("creating the dashboard (cloudwatch:PutDashboard)")
def create_dashboard(sess: WorkshopSession, endpoint: str) -> dict[str, Any]:
    """Step 16: the dashboard from assets/dashboard-body.json; returns it as GetDashboard answers.

    Every member of GetDashboard's answer is optional: a missing name or body is the one just
    put, a missing ARN is the dashboard ARN's documented form (dashboards are global).
    """
    from ..infra import dashboard_body

    body = dashboard_body(region=sess.region, account_id=sess.account_id, endpoint=endpoint,
                          variant=sess.names.variant_name, schedule=sess.names.schedule_name,
                          alarm=sess.names.alarm_name)
    cloudwatch = sess.client("cloudwatch")
    cloudwatch.put_dashboard(DashboardName=sess.names.dashboard_name, DashboardBody=body)
    stored = cloudwatch.get_dashboard(DashboardName=sess.names.dashboard_name)
    arn = f"arn:aws:cloudwatch::{sess.account_id}:dashboard/{sess.names.dashboard_name}"
    return answer({"DashboardArn": stored.get("DashboardArn") or arn, "DashboardName": stored.get("DashboardName") or
                   sess.names.dashboard_name, "DashboardBody": stored.get("DashboardBody") or body}, "cloudwatch:GetDashboard")


_DATA_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


@guarded("reading metrics (cloudwatch:GetMetricData)")
def _series(sess: WorkshopSession, metrics: list[list[str]], stat: str, period: int, hours: int) -> dict[tuple, pd.DataFrame]:
    end = sess.now() + timedelta(minutes=1)
    queries = []
    for i, metric in enumerate(metrics):
        namespace, name, *dims = metric
        queries.append({"Id": f"m{i}", "MetricStat": {"Metric": {
            "Namespace": namespace, "MetricName": name,
            "Dimensions": [{"Name": dims[j], "Value": dims[j + 1]} for j in range(0, len(dims), 2)]},
            "Period": period, "Stat": stat}})
    stamps: dict[str, list] = {}
    values: dict[str, list] = {}
    paginator = sess.client("cloudwatch").get_paginator("get_metric_data")
    for start in range(0, len(queries), 500):  # 500 queries a call; each answer paginated by NextToken
        for page in paginator.paginate(MetricDataQueries=queries[start:start + 500], StartTime=end - timedelta(hours=hours),
                                       EndTime=end, ScanBy="TimestampAscending"):
            for result in page.get("MetricDataResults", []):
                query = need(result.get("Id"), "Id of a GetMetricData result (which query it answers)")
                stamps.setdefault(query, []).extend(result.get("Timestamps", []))
                values.setdefault(query, []).extend(result.get("Values", []))
    return {tuple(metrics[int(i[1:])]): pd.DataFrame({"Timestamp": stamps[i], "Value": values[i]}) for i in stamps}


def drift_history(sess: WorkshopSession, endpoint: str, features: list[str], hours: int = 48) -> pd.DataFrame:
    """Drift per feature across the executions, from the metrics the schedule published."""
    metrics = [[_DATA_NAMESPACE, f"feature_baseline_drift_{f}", "Endpoint", endpoint,
                "MonitoringSchedule", sess.names.schedule_name] for f in features]
    frames = []
    for metric, frame in _series(sess, metrics, "Average", 60, hours).items():
        frames.append(frame.rename(columns={"Value": "drift"}).assign(feature=metric[1].removeprefix("feature_baseline_drift_")))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["Timestamp", "drift", "feature"])


@dataclass(frozen=True)
class BaselineChange:
    """The schedule compared its executions with a new baseline from ``when`` on: the scheduled
    time of the first execution that read ``constraints_uri`` (``before``: what they read until
    then). Each run publishes its metrics after its scheduled time and before the next one's, so
    ``when`` separates the drift measured against the two baselines."""

    when: datetime
    before: str
    constraints_uri: str


def constraints_read(job: dict) -> str | None:
    """The constraints a monitoring run's processing job read (DescribeProcessingJob): Model
    Monitor names the input ``constraints``; the self-run job gets it in its environment."""
    found = next((i.get("S3Input", {}).get("S3Uri") for i in job.get("ProcessingInputs", [])
                  if i.get("InputName") == "constraints"), None)
    return found or job.get("Environment", {}).get("BASELINE_CONSTRAINTS_S3_URI")


@guarded("reading the baseline of each monitoring run (sagemaker:DescribeProcessingJob)")
def baseline_changes(sess: WorkshopSession, endpoint: str) -> list[BaselineChange]:
    """Where the baseline of ``endpoint``'s monitoring runs changed (step 13b points the schedule at
    a new one), oldest first: drift before and after such a change measure different things."""
    from .focus import REPORTED
    from .schedule import monitoring_executions

    runs = [e for e in monitoring_executions(sess, endpoint=endpoint) if e.status in REPORTED and e.processing_job_arn]
    changes: list[BaselineChange] = []
    previous = None
    for run in reversed(runs):  # oldest first
        job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=run.processing_job)
        used = constraints_read(job)
        if used is None:  # a run that does not say which baseline it read cannot mark a change
            continue
        if previous is not None and used != previous:
            changes.append(BaselineChange(run.scheduled, previous, used))
        previous = used
    return changes


def widget_queries(metrics: list[list]) -> list[dict]:
    """A metric widget's ``metrics`` rows as GetMetricData queries: expressions (SEARCH, math)
    as they are, plain metric rows (with CloudWatch's ``"."`` shorthand) as MetricStat."""
    from ..plots import expand_metrics

    queries, plain = [], expand_metrics(metrics)
    for i, (row, expanded) in enumerate(zip(metrics, plain, strict=True)):
        options = next((v for v in row if isinstance(v, dict)), {})
        query = {"Id": options.get("id", f"m{i}"), "ReturnData": options.get("visible", True)}
        if "label" in options:
            query["Label"] = options["label"]
        if "expression" in options:
            query["Expression"] = options["expression"]
        else:
            namespace, name, *dims = expanded
            query["MetricStat"] = {"Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": [
                {"Name": dims[j], "Value": dims[j + 1]} for j in range(0, len(dims), 2)]},
                "Period": options.get("period", 60), "Stat": options.get("stat", "Average")}
        queries.append(query)
    return queries


def dashboard_window(sess: WorkshopSession, hours: int) -> tuple[datetime, datetime]:
    """Step 16: the dashboard's time range, the same for every panel: from the full hour ``hours``
    before now (so an hourly panel's first hour is whole) to the minute after now."""
    end = sess.now() + timedelta(minutes=1)
    return (end - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0), end


@guarded("reading the dashboard's metrics (cloudwatch:GetMetricData)")
def dashboard_panels(sess: WorkshopSession, body: str, hours: int = 24) -> tuple[dict[str, list], dict[str, str]]:
    """What each widget of a dashboard body shows over ``dashboard_window``: title -> [(label,
    frame of Timestamp, Value)], and the alarm widgets' states (alarm ARN -> state)."""
    import json

    start, end = dashboard_window(sess, hours)
    cloudwatch = sess.client("cloudwatch")
    panels: dict[str, list] = {}
    alarms: dict[str, str] = {}
    for widget in json.loads(body)["widgets"]:
        props = widget["properties"]
        if widget["type"] == "alarm":
            names = [arn.rsplit(":", 1)[-1] for arn in props["alarms"]]
            pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNames=names)
            alarms.update({a["AlarmArn"]: a["StateValue"] for p in pages for a in p.get("MetricAlarms", [])
                           if a.get("AlarmArn") and a.get("StateValue")})
            continue
        pages = cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=widget_queries(props["metrics"]), StartTime=start, EndTime=end,
            ScanBy="TimestampAscending")
        lines = panels.setdefault(props.get("title", ""), [])
        for page in pages:
            for result in page.get("MetricDataResults", []):
                lines.append((result.get("Label", result["Id"]),
                              pd.DataFrame({"Timestamp": result.get("Timestamps", []), "Value": result.get("Values", [])})))
    return panels, alarms


@guarded("listing dashboards (cloudwatch:ListDashboards)")
def dashboards(sess: WorkshopSession) -> list[tuple[str, Any]]:
    """Step 16: (name, last modified) of the account's dashboards, paginated."""
    pages = sess.client("cloudwatch").get_paginator("list_dashboards").paginate()
    return [(d.get("DashboardName", "?"), d.get("LastModified")) for p in pages for d in p.get("DashboardEntries", [])]

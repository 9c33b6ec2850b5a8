"""Steps 14 and 15: the drift metric, the alarm that watches it, and the alarm's history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from ..aws import answer, guarded
from ..backends import WorkshopSession


@guarded("publishing a metric (cloudwatch:PutMetricData)")
def publish_drift_metric(sess: WorkshopSession, value: float, endpoint: str, feature: str = "total_amount") -> dict:
    """Step 14: publish a drift value where the schedule publishes it; returns the datum sent."""
    datum = {"MetricName": f"feature_baseline_drift_{feature}", "Value": float(value), "Unit": "None",
             "Timestamp": sess.now(),
             "Dimensions": [{"Name": "Endpoint", "Value": endpoint},
                            {"Name": "MonitoringSchedule", "Value": sess.names.schedule_name}]}
    sess.client("cloudwatch").put_metric_data(Namespace="aws/sagemaker/Endpoints/data-metrics", MetricData=[datum])
    return datum


@guarded("reading a metric (cloudwatch:GetMetricStatistics)")
def read_metric(sess: WorkshopSession, endpoint: str, feature: str = "total_amount", hours: int = 24) -> pd.DataFrame:
    """Step 14: the drift metric's datapoints (Average per minute) over the last hours."""
    end = sess.now() + timedelta(minutes=1)
    points = sess.client("cloudwatch").get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName=f"feature_baseline_drift_{feature}",
        Dimensions=[{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": sess.names.schedule_name}],
        StartTime=end - timedelta(hours=hours), EndTime=end, Period=60, Statistics=["Average", "Maximum"]).get("Datapoints", [])
    return pd.DataFrame(points, columns=["Timestamp", "Average", "Maximum"]).sort_values("Timestamp").reset_index(drop=True)


@guarded("reading the alarm (cloudwatch:DescribeAlarms)")
def alarm_state(sess: WorkshopSession) -> dict:
    """Step 15: the drift alarm as DescribeAlarms answers it (a member it lacks is named when indexed)."""
    alarms = sess.client("cloudwatch").describe_alarms(AlarmNames=[sess.names.alarm_name]).get("MetricAlarms", [])
    if not alarms:
        raise LookupError(f"no alarm named {sess.names.alarm_name}")
    return answer(alarms[0], "cloudwatch:DescribeAlarms")


def alarm_endpoint(sess: WorkshopSession) -> str:
    """Step 15: the endpoint the drift alarm watches (its Endpoint dimension; "" when it has none)."""
    dimensions = alarm_state(sess).get("Dimensions") or []
    return next((d.get("Value", "") for d in dimensions if d.get("Name") == "Endpoint"), "")


@dataclass(frozen=True)
class AlarmChange:
    """One state change from the alarm's history."""

    when: datetime
    old: str
    new: str
    reason: str


@guarded("reading the alarm's history (cloudwatch:DescribeAlarmHistory)")
def alarm_history(sess: WorkshopSession) -> list[AlarmChange]:
    """Step 15: the drift alarm's state changes, oldest first, with the reason of each."""
    pages = sess.client("cloudwatch").get_paginator("describe_alarm_history").paginate(
        AlarmName=sess.names.alarm_name, HistoryItemType="StateUpdate", ScanBy="TimestampAscending")
    changes = []
    for item in (i for p in pages for i in p.get("AlarmHistoryItems", [])):
        data = json.loads(item.get("HistoryData") or "{}")
        changes.append(AlarmChange(item["Timestamp"], data.get("oldState", {}).get("stateValue", ""),
                                   data.get("newState", {}).get("stateValue", ""),
                                   data.get("newState", {}).get("stateReason", item.get("HistorySummary", ""))))
    return changes


@guarded("waiting for the alarm (cloudwatch:DescribeAlarms, CloudWatch's alarm_exists waiter)")
def wait_for_alarm(sess: WorkshopSession, state: str = "ALARM", timeout: float = 300, poll: float = 10) -> dict:
    """Step 14: wait until the drift alarm is in ``state``; CloudWatch's own waiter on AWS.

    A new datapoint takes about a minute to be evaluated (the alarm's period is 60 s), so the
    state read at once is still the old one. On the twin each poll lets a virtual minute pass.
    """
    from botocore.exceptions import WaiterError

    if sess.twin is not None:
        return _wait_on_twin(sess, state, timeout)

    waiter = sess.client("cloudwatch").get_waiter("alarm_exists")
    attempts = max(1, int(timeout // poll))
    try:
        waiter.wait(AlarmNames=[sess.names.alarm_name], StateValue=state,
                    WaiterConfig={"Delay": max(1, int(poll)), "MaxAttempts": attempts})
    except WaiterError:
        raise TimeoutError(f"alarm {sess.names.alarm_name} did not reach {state} within {timeout:.0f} s; "
                           "check the metric's datapoints (step 14) and the alarm's threshold") from None
    return alarm_state(sess)


def _wait_on_twin(sess: WorkshopSession, state: str, timeout: float) -> dict:
    for _ in range(max(1, int(timeout // 60)) + 1):
        alarm = alarm_state(sess)
        if alarm["StateValue"] == state:
            return alarm
        sess.twin.live(sess.now() + timedelta(seconds=60))
    raise TimeoutError(f"alarm {sess.names.alarm_name} did not reach {state} within {timeout:.0f} s; "
                       "check the metric's datapoints (step 14) and the alarm's threshold")


@guarded("reading the retrain rule's targets (events:ListTargetsByRule)")
def rule_targets(sess: WorkshopSession) -> list[str]:
    """Step 15: the ARNs the retrain rule sends its events to (the pipeline), paginated."""
    pages = sess.client("events").get_paginator("list_targets_by_rule").paginate(Rule=sess.names.retrain_rule)
    return [t["Arn"] for p in pages for t in p.get("Targets", [])]


_ALARM_SETTINGS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                   "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "Dimensions", "Period",
                   "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData")


@guarded("changing the alarm (cloudwatch:PutMetricAlarm)")
def update_alarm(sess: WorkshopSession, **changes) -> dict:
    """Step 14: the drift alarm with some settings changed (PutMetricAlarm replaces it whole)."""
    alarm = alarm_state(sess)
    settings = {k: alarm[k] for k in _ALARM_SETTINGS if alarm.get(k) is not None}
    settings.update(changes)
    sess.client("cloudwatch").put_metric_alarm(**settings)
    return {k: settings.get(k) for k in ("Period", "EvaluationPeriods", "Threshold", "TreatMissingData")}

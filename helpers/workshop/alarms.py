"""Steps 14 and 15: the drift metric, the alarm that watches it, and the alarm's history."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from ..aws import guarded
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
    """Step 15: the drift alarm's state and reason."""
    alarms = sess.client("cloudwatch").describe_alarms(AlarmNames=[sess.names.alarm_name]).get("MetricAlarms", [])
    if not alarms:
        raise LookupError(f"no alarm named {sess.names.alarm_name}")
    return alarms[0]


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


@guarded("waiting for the alarm (cloudwatch:DescribeAlarms)")
def wait_for_alarm(sess: WorkshopSession, state: str = "ALARM", timeout: float = 600, poll: float = 15) -> dict:
    """Step 14: poll until the alarm is in ``state`` (CloudWatch evaluates about once a minute);
    on the twin each poll lets a virtual minute pass. Returns the alarm."""
    deadline = time.monotonic() + timeout
    polls = 0
    while True:
        alarm = alarm_state(sess)
        if alarm["StateValue"] == state:
            return alarm
        polls += 1
        if time.monotonic() > deadline or (sess.twin is not None and polls > timeout / 60):
            raise TimeoutError(f"{sess.names.alarm_name} is still {alarm['StateValue']} ({alarm.get('StateReason')})")
        if sess.twin is not None:
            sess.twin.live(sess.now() + timedelta(seconds=60))
        else:
            time.sleep(poll)


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

"""Steps 14 and 15: the drift metric and the alarm that watches it."""

from __future__ import annotations

from datetime import timedelta

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

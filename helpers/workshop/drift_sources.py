"""Steps 14 and 16 and the summary: which drift datapoints Model Monitor measured and which were
published by hand (step 14's test value), and what set the alarm off each time it went to ALARM.

A value sent with ``put_metric_data`` lands in the same metric as the schedule's own, with the same
dimensions: CloudWatch cannot tell them apart, so the workshop does. A monitoring run publishes its
metrics while it runs, so a datapoint is *measured* when a finished run of the schedule on that
endpoint covers its minute (from the hour it analyses to its LastModifiedTime) [inferred: the
service does not document the datapoint's timestamp]; any other is a value published by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..aws import guarded
from ..backends import WorkshopSession
from .alarms import AlarmChange, alarm_history, alarm_state
from .schedule import Execution, monitoring_executions

DATA_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
PUBLISHED = ("Completed", "CompletedWithViolations")  # the statuses of a run that published its metrics
# CloudWatch's wording of a crossing: "Threshold Crossed: 1 datapoint [0.25 (07/06/21 14:15:00)] was ..."
_DATAPOINT = re.compile(r"\[([-+0-9.Ee]+) \(")


@dataclass(frozen=True)
class DriftPoint:
    """One datapoint of a drift metric (Average per minute) and the monitoring run that published it."""

    endpoint: str
    when: datetime
    value: float
    run: Execution | None  # None: no monitoring run was publishing then (a value sent by hand)

    @property
    def measured(self) -> bool:
        return self.run is not None


def publishing_run(runs: list[Execution], endpoint: str, when: datetime) -> Execution | None:
    """The finished run of ``endpoint`` whose time covers the datapoint's minute, or None."""
    for run in runs:
        ended = run.raw.get("LastModifiedTime") or run.raw.get("ProcessingEndTime")  # the latter: a self-run job
        if run.status in PUBLISHED and ended is not None and run.raw.get("EndpointName", endpoint) == endpoint \
                and run.scheduled.replace(second=0, microsecond=0) <= when <= ended:
            return run
    return None


@guarded("reading the drift metric of every endpoint (cloudwatch:GetMetricData with SEARCH)")
def drift_points(sess: WorkshopSession, feature: str = "total_amount", hours: int = 48) -> list[DriftPoint]:
    """Every ``feature_baseline_drift_<feature>`` datapoint of the schedule, on every endpoint it
    watched, oldest first, each with the run that published it (None: sent by hand). The namespace
    is the drift alarm's (a self-run schedule publishes into its own)."""
    end = sess.now() + timedelta(minutes=1)
    namespace = alarm_state(sess).get("Namespace") or DATA_NAMESPACE
    search = (f"SEARCH('{{{namespace},Endpoint,MonitoringSchedule}} MetricName=\"feature_baseline_drift_{feature}\" "
              f"MonitoringSchedule=\"{sess.names.schedule_name}\"', 'Average', 60)")
    pages = sess.client("cloudwatch").get_paginator("get_metric_data").paginate(
        MetricDataQueries=[{"Id": "drift", "Expression": search}], StartTime=end - timedelta(hours=hours), EndTime=end,
        ScanBy="TimestampAscending")
    runs = monitoring_executions(sess)
    points = []
    for result in (r for p in pages for r in p.get("MetricDataResults", [])):
        label = result.get("Label", "").split()  # "<metric> <endpoint> <schedule>", the SEARCH's label
        endpoint = label[1] if len(label) == 3 else ""
        for when, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            points.append(DriftPoint(endpoint, when, float(value), publishing_run(runs, endpoint, when)))
    return sorted(points, key=lambda p: p.when)


@dataclass(frozen=True)
class AlarmCause:
    """One change of the alarm to ALARM and the datapoint that crossed its threshold."""

    change: AlarmChange
    value: float | None  # the crossing datapoint, from the change's reason (None: the reason names none)
    point: DriftPoint | None  # that datapoint among the drift metric's (None: not found)

    def explain(self) -> str:
        if self.point is None:
            return "cause unknown: " + (f"no drift datapoint of {self.value:g} found" if self.value is not None
                                        else "the reason names no datapoint")
        if self.point.run is None:
            return (f"a value of {self.value:g} published by hand with put_metric_data at {self.point.when:%H:%M} "
                    "(step 14's test value), not measured by Model Monitor")
        return (f"drift {self.value:.3f} measured by the monitoring run of {self.point.run.scheduled:%H:%M} "
                f"on {self.point.endpoint}")


def alarm_causes(sess: WorkshopSession) -> list[AlarmCause]:
    """Each change of the drift alarm to ALARM, oldest first, with the datapoint that set it off."""
    fired = [h for h in alarm_history(sess) if h.new == "ALARM"]
    if not fired:
        return []
    points = drift_points(sess, hours=int((sess.now() - fired[0].when) / timedelta(hours=1)) + 2)
    causes = []
    for change in fired:
        match = _DATAPOINT.search(change.reason)
        value = float(match.group(1)) if match else None
        before = [p for p in points if value is not None and p.when <= change.when and abs(p.value - value) <= 1e-9]
        causes.append(AlarmCause(change, value, before[-1] if before else None))
    return causes

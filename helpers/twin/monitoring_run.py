"""What the twin gives the shared hourly run (``helpers.monitoring.hourly.run_hour``).

The twin's schedule runs the same code as the self-run job; only the side effects differ. Objects
are files in the workspace (``WorkspaceObjects``: capture read in place, the report set put in
place with one rename). Metrics are rows of the twin's CloudWatch table, stamped with the virtual
clock, and the run's ``finish`` is the transaction that records the execution, its processing job
and the schedule's summary (``ExecutionFinish``): metrics are stored in that transaction or not at
all, so an execution killed before it commits is InProgress with no metric, and runs again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..formats.layout import REPORT_FILES
from ..formats.reportset import write_report_set
from ..monitoring.hourly import HourlyRun, HourOutcome
from .core import Core
from .services.cloudwatch import CloudWatch, dimensions_key
from .store import iso

__all__ = ["ExecutionFinish", "WorkspaceObjects", "hourly_run", "metric_rows"]


def hourly_run(core: Core, schedule: dict) -> HourlyRun:
    """The schedule's definition as the shared run's settings."""
    definition = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    baseline = definition["BaselineConfig"]
    environment = definition.get("Environment", {})
    return HourlyRun(
        endpoint=schedule["EndpointName"], variant=core.names.variant_name,
        schedule=schedule["MonitoringScheduleName"], capture_uri=core.uri(core.names.capture_prefix),
        statistics_uri=baseline["StatisticsResource"]["S3Uri"], constraints_uri=baseline["ConstraintsResource"]["S3Uri"],
        reports_uri=definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"],
        publish_metrics=environment.get("publish_cloudwatch_metrics", "Enabled") == "Enabled",
        container=core.container.value)


class WorkspaceObjects:
    """The twin's bucket as the run's object store (``helpers.monitoring.objects.ObjectStore``)."""

    def __init__(self, core: Core):
        self.core = core

    def keys(self, bucket: str, prefix: str) -> list[str]:
        return [o.key for o in self.core.ws.list_objects(bucket, prefix)]

    def read(self, bucket: str, key: str) -> bytes | None:
        return self.core.ws.get_object(bucket, key)

    def local_files(self, bucket: str, keys: list[str], folder: Path) -> list[Path]:
        return [self.core.ws.object_path(bucket, key) for key in keys]  # read in place

    def write_report_set(self, bucket: str, prefix: str, files: dict[str, bytes]) -> None:
        """All or nothing (staged beside the folder, then renamed), stamped with the virtual clock."""
        final = self.core.ws.object_path(bucket, prefix.rstrip("/"))
        for leftover in final.parent.glob(f".{final.name}.staging-*"):  # what a killed run of this hour left
            shutil.rmtree(leftover, ignore_errors=True)
        write_report_set(final, files)
        stamp = self.core.now().timestamp()
        for name in REPORT_FILES:
            os.utime(final / name, (stamp, stamp))


def metric_rows(namespace: str, metric_data: list[dict]) -> list[tuple]:
    """PutMetricData entries as rows of the twin's metrics table."""
    rows = []
    for datum in metric_data:
        stats = datum.get("StatisticValues") or {"SampleCount": 1.0, "Sum": datum["Value"],
                                                "Minimum": datum["Value"], "Maximum": datum["Value"]}
        rows.append((namespace, datum["MetricName"], dimensions_key(datum["Dimensions"]), iso(datum["Timestamp"]),
                     stats["SampleCount"], stats["Sum"], stats["Minimum"], stats["Maximum"], datum.get("Unit", "None")))
    return rows


class ExecutionFinish:
    """The run's metric publisher and its ``finish``: one transaction that records the execution.

    ``record(outcome, db)`` writes the execution's finished state (the schedule's part); the
    metrics published inside ``finish`` are stored with it. ``rows`` are the stored metrics, for
    the alarms to evaluate once the transaction has committed.
    """

    def __init__(self, core: Core, cloudwatch: CloudWatch, ended, record: Callable[[HourOutcome, object], None]):
        self.core, self.cloudwatch, self.ended, self._record = core, cloudwatch, ended, record
        self.rows: list[tuple] = []
        self._db = None

    def now(self):
        return self.core.now()

    def publish(self, namespace: str, metric_data: list[dict]) -> None:
        if self._db is None:
            raise RuntimeError("the twin stores a run's metrics only inside its finish transaction")
        rows = metric_rows(namespace, metric_data)
        self.cloudwatch.record(rows, db=self._db)
        self.rows += rows

    @contextmanager
    def finish(self, outcome: HourOutcome) -> Iterator[None]:
        self.core.set_clock(max(self.ended, self.core.now()))  # alarms see the clock move outside the transaction
        with self.core.ws.transaction() as db:
            self._db = db
            try:
                self._record(outcome, db)
                yield
            finally:
                self._db = None

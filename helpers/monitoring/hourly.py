"""One hourly monitoring run, the twin's and the self-run job's: the previous hour's capture against the baseline.

A run scheduled at hh:mm analyses the hour before hh:00, as Model Monitor's hourly schedule
does, and writes statistics.json, constraints.json and constraint_violations.json under
``<reports>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`` (hh: the scheduled hour, as the service names
the folder). It lists that hour's capture prefix and the next one, because a capture file can
land in the next hour's folder when the endpoint flushes it late, and keeps the records whose
``inferenceTime`` falls in the hour. Records of other hours are counted (``outside_window``), not
used; a record without a readable inferenceTime counts for the hour whose folder holds it.

``run_hour`` is the one implementation: read the capture window, analyse, then, inside the
caller's ``finish``, publish the metrics and write the report set (all or nothing), and return
the status and exit message. What it touches is given to it: the object store (S3, or the twin's
folder), the metric publisher (CloudWatch, or the twin's table) with its clock, and ``finish``,
the context its effects happen in. The twin's ``finish`` is the SQLite transaction that records
the execution as finished: a kill anywhere before it commits leaves the execution InProgress with
no metric stored, and the resumed run analyses again and replaces the report set (each hour once).
The self-run job has no transaction: a finished hour's report set is its record, so a retried
job that finds the whole set reads the violations and exits without publishing
(``reuse_reports``). Its metrics go out before the set's last file, so a job killed between the
two publishes again on retry (the same values; never none).

A run that cannot start fails as a job does, with its reason: an hour without data ("Job inputs
had no data"), a baseline object that is gone (ClientError), a baseline or capture the analyzer
refuses (AlgorithmError).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..analyzer.metrics import DATA_METRICS_NAMESPACE
from ..analyzer.monitor import (
    NO_DATA_MESSAGE,
    MonitoringResult,
    NoDataError,
    exit_message,
    run_monitor,
)
from ..capture import CaptureRows, read_capture
from ..formats import Constraints, ConstraintViolations, Statistics
from ..formats.layout import REPORT_FILES, hour_path, report_prefix
from .metrics import MetricPublisher, metric_data
from .objects import ObjectStore, split_s3_uri
from .pause import pause_point

__all__ = ["Finish", "HourOutcome", "HourlyRun", "capture_window", "report_files", "run_hour"]

_ISO_SECOND = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"


@dataclass(frozen=True)
class HourlyRun:
    """What an hourly run analyses, where it writes, and how it publishes (a schedule's definition).

    ``capture_uri`` is the endpoint's capture destination (above ``<endpoint>/<variant>/``).
    ``metric_endpoint`` and ``metric_schedule`` are the values of the ``Endpoint`` and
    ``MonitoringSchedule`` dimensions; empty means the endpoint's and the schedule's names.
    """

    endpoint: str
    variant: str
    schedule: str
    capture_uri: str
    statistics_uri: str
    constraints_uri: str
    reports_uri: str
    publish_metrics: bool = True
    namespace: str = DATA_METRICS_NAMESPACE
    metric_endpoint: str = ""
    metric_schedule: str = ""
    container: str = "current"  # Model Monitor's output generation: "current" or "2021" (formats.generation)

    def capture_prefix(self, hour: datetime) -> tuple[str, str]:
        """(bucket, prefix) of one hour's capture folder."""
        bucket, key = split_s3_uri(self.capture_uri)
        parts = (key, self.endpoint, self.variant, hour_path(hour))
        return bucket, "/".join(p.strip("/") for p in parts if p.strip("/")) + "/"

    def report_location(self, scheduled_hour: datetime) -> tuple[str, str]:
        """(bucket, prefix) of the report folder of the run scheduled in ``scheduled_hour``."""
        bucket, key = split_s3_uri(self.reports_uri)
        return bucket, report_prefix(key, self.endpoint, self.schedule, scheduled_hour)

    def dimensions(self) -> tuple[str, str]:
        return self.metric_endpoint or self.endpoint, self.metric_schedule or self.schedule


@dataclass(frozen=True)
class HourOutcome:
    """What a run did: Model Monitor's status and exit message, and where the reports are."""

    scheduled: datetime
    window: tuple[datetime, datetime]
    status: str  # Completed | CompletedWithViolations | Failed
    message: str
    report_uri: str
    violations: int = 0
    reused: bool = False  # the report set was already there: nothing analysed or published
    capture_files: int = 0
    outside_window: int = 0  # rows read from the two folders that belong to other hours
    detail: str = ""  # why a failed hour had no data (for the log; the message is the service's)
    result: MonitoringResult | None = None
    failure: str = "no-data"  # a failed run's kind: "no-data" or "input" (a baseline gone or refused)

    @property
    def exit_code(self) -> int:
        """0 when the run completed (violations are a result), 3 when the hour had no data, 2 when
        an input could not be used."""
        if self.status != "Failed":
            return 0
        return 3 if self.failure == "no-data" else 2


def capture_window(scheduled: datetime) -> tuple[datetime, datetime]:
    """The hour a run scheduled at ``scheduled`` analyses: [hh-1:00, hh:00) in UTC."""
    moment = scheduled.astimezone(timezone.utc) if scheduled.tzinfo else scheduled.replace(tzinfo=timezone.utc)
    end = moment.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=1), end


def run_hour(run: HourlyRun, scheduled: datetime, store: ObjectStore, publisher: MetricPublisher, *,
             finish: Finish | None = None, reuse_reports: bool = True) -> HourOutcome:
    """Analyse the hour before ``scheduled``; inside ``finish``, publish its metrics and write its report set."""
    window = capture_window(scheduled)
    bucket, prefix = run.report_location(window[1])
    base = HourOutcome(window[1], window, "Failed", NO_DATA_MESSAGE, f"s3://{bucket}/{prefix}")
    if reuse_reports and _has_report_set(store, bucket, prefix):
        return _reused(base, store, bucket, prefix)
    outcome = _analyse(run, window, store, base)
    pause_point("analysed")
    with (finish or _no_transaction)(outcome):
        pause_point("finishing")
        result = outcome.result
        if result is not None and run.publish_metrics and result.metrics:
            publisher.publish(run.namespace, metric_data(result.metrics, *run.dimensions(), publisher.now()))
        pause_point("published")
        if result is not None:
            store.write_report_set(bucket, prefix, report_files(result))
        pause_point("reported")
    return outcome


Finish = Callable[["HourOutcome"], AbstractContextManager]


def _no_transaction(outcome: HourOutcome) -> AbstractContextManager:
    return nullcontext()


def report_files(result: MonitoringResult) -> dict[str, bytes]:
    """The report set's files, in ``REPORT_FILES`` order (constraint_violations.json last)."""
    return {"statistics.json": result.statistics.to_json().encode("utf-8"),
            "constraints.json": result.constraints.to_json().encode("utf-8"),
            "constraint_violations.json": result.violations.to_json().encode("utf-8")}


def _has_report_set(store: ObjectStore, bucket: str, prefix: str) -> bool:
    existing = set(store.keys(bucket, prefix))
    return all(f"{prefix}{name}" in existing for name in REPORT_FILES)


class _MissingBaseline(Exception):
    """A baseline object the run names is gone: the run fails with the reason, the schedule goes on."""


def _analyse(run: HourlyRun, window: tuple[datetime, datetime], store: ObjectStore, base: HourOutcome) -> HourOutcome:
    """The hour analysed: completed (with its result) or failed with the service's reason."""
    capture_bucket, own = run.capture_prefix(window[0])
    _, late = run.capture_prefix(window[1])
    own_keys, late_keys = store.keys(capture_bucket, own), store.keys(capture_bucket, late)
    if not own_keys and not late_keys:
        return base
    counts: dict = {}
    try:
        stats = Statistics.from_string(_baseline(store, run.statistics_uri), source=run.statistics_uri)
        constraints = Constraints.from_string(_baseline(store, run.constraints_uri), source=run.constraints_uri)
        names = [f.name for f in constraints.features]
        with tempfile.TemporaryDirectory(prefix="hourly-run-") as tmp:
            own_paths = store.local_files(capture_bucket, own_keys, Path(tmp))
            paths = own_paths + store.local_files(capture_bucket, late_keys, Path(tmp))
            rows, outside = _in_window(read_capture(paths, names), {str(p) for p in own_paths}, window, len(names))
            counts = {"capture_files": len(paths), "outside_window": outside}
            result = run_monitor(stats, constraints, capture=rows, container=run.container)
    except NoDataError as err:
        return replace(base, detail=str(err), **counts)
    except _MissingBaseline as err:
        return replace(base, message=str(err), failure="input")
    except ValueError as err:  # a baseline or capture the analyzer refuses (FormatError, AnalyzerInputError)
        return replace(base, message=f"AlgorithmError: {err}", failure="input")
    return replace(base, status=result.status, message=result.exit_message, violations=len(result.violations),
                   result=result, failure="", **counts)


def _baseline(store: ObjectStore, uri: str) -> str:
    try:
        return _read(store, uri)
    except FileNotFoundError:
        raise _MissingBaseline(f"ClientError: the baseline object {uri} does not exist (deleted or moved); "
                               "restore it or update the schedule's BaselineConfig") from None


def _reused(base: HourOutcome, store: ObjectStore, bucket: str, prefix: str) -> HourOutcome:
    uri = f"s3://{bucket}/{prefix}constraint_violations.json"
    found = ConstraintViolations.from_string(_read(store, uri), source=uri)
    status = "CompletedWithViolations" if len(found) else "Completed"
    return replace(base, status=status, message=exit_message(len(found)), violations=len(found), reused=True,
                   failure="")


def _read(store: ObjectStore, uri: str) -> str:
    bucket, key = split_s3_uri(uri)
    data = store.read(bucket, key)
    if data is None:
        raise FileNotFoundError(f"no object at {uri}")
    return data.decode("utf-8")


def _in_window(rows: CaptureRows, own_files: set[str], window: tuple[datetime, datetime],
               named: int) -> tuple[CaptureRows, int]:
    """The rows whose inferenceTime is in the window (or unreadable, in the hour's own folder)."""
    meta = rows.meta
    times = meta.column("inferenceTime")
    readable = pc.fill_null(pc.match_substring_regex(times, _ISO_SECOND), False)
    second = pc.utf8_slice_codeunits(times, 0, 19)
    start, end = (f"{t:%Y-%m-%dT%H:%M:%S}" for t in window)
    inside = pc.and_(pc.greater_equal(second, start), pc.less(second, end))
    own = pc.is_in(meta.column("file"), value_set=pa.array(sorted(own_files), pa.string()))
    keep = pc.if_else(readable, pc.fill_null(inside, False), own).to_numpy(zero_copy_only=False)
    kept = rows.where(keep)
    width = max([named] + kept.meta.column("num_values").to_pylist())
    table = kept.table.select(list(range(min(width, kept.table.num_columns))))
    problems = [p for p in rows.problems if p.file in own_files]
    records = len(set(zip(kept.meta.column("file").to_pylist(), kept.meta.column("line").to_pylist(),
                          strict=True))) + len(problems)
    return CaptureRows(table, kept.meta, rows.files, records, problems), int(len(keep) - keep.sum())

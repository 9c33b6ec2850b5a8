"""The twin's side of an hourly monitoring run: its folder as the run's object store, its
CloudWatch as the run's metric publisher. The run itself is ``helpers.monitoring.hourly``, the
same code the self-run job runs on AWS.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from ..formats.layout import REPORT_FILES
from .core import Core
from .services.cloudwatch import CloudWatch

__all__ = ["TwinMetrics", "TwinObjects"]


class TwinObjects:
    """The twin's bucket folder; a report set is put in place whole (a staging folder renamed)."""

    def __init__(self, core: Core):
        self.core = core

    def keys(self, bucket: str, prefix: str) -> list[str]:
        return [o.key for o in self.core.ws.list_objects(bucket, prefix)]

    def read(self, bucket: str, key: str) -> bytes | None:
        return self.core.ws.get_object(bucket, key)

    def local_files(self, bucket: str, keys: list[str], folder: Path) -> list[Path]:
        return [self.core.ws.object_path(bucket, key) for key in keys]  # read in place, no copy

    def write_report_set(self, bucket: str, prefix: str, files: dict[str, bytes]) -> None:
        final = self.core.ws.object_path(bucket, prefix.rstrip("/"))
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = final.parent / f".staging-{final.name}-{uuid.uuid4().hex}"
        staging.mkdir()
        stamp = self.core.now().timestamp()
        for name in REPORT_FILES:
            (staging / name).write_bytes(files[name])
            os.utime(staging / name, (stamp, stamp))
        if final.exists():  # a partial set left by an interrupted run is replaced whole
            old = final.parent / f".replaced-{final.name}-{uuid.uuid4().hex}"
            os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old)
        else:
            os.replace(staging, final)


class TwinMetrics:
    """PutMetricData on the twin's CloudWatch, stamped when the execution ends (its virtual time)."""

    def __init__(self, core: Core, cloudwatch: CloudWatch, ends: datetime):
        self.core, self.cloudwatch, self.ends = core, cloudwatch, ends

    def now(self) -> datetime:
        self.core.set_clock(max(self.ends, self.core.now()))
        return self.core.now()

    def publish(self, namespace: str, metric_data: list[dict]) -> None:
        self.cloudwatch.PutMetricData({"Namespace": namespace, "MetricData": metric_data})

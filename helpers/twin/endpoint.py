"""Endpoint runtime: real inference, data capture as the endpoint writes it, endpoint metrics.

Capture records are written one file per request when called from a notebook, or grouped into
files of about five minutes when the twin sends an hour of traffic (as real endpoints buffer
them). Endpoint metrics (Invocations, ModelLatency, OverheadLatency, 4XX/5XX errors) are
measured on the real calls; instance metrics (CPU, memory, disk) are the twin process's own
use while serving, per minute.
"""

from __future__ import annotations

import os
import resource
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..capture import CaptureRecord, write_capture_file
from .api import TwinError
from .core import Core
from .model import Predictor
from .services.cloudwatch import CloudWatch, dimensions_key
from .store import iso

__all__ = ["CaptureBatch", "EndpointRuntime", "current_endpoint"]

_FILE_MINUTES = 5
_TOTAL_MEMORY = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
_VOLUME_BYTES = 30 * 2**30  # the variant's 30 GB volume


@dataclass
class CaptureBatch:
    """Records collected during simulated traffic, written in ~5-minute files on flush."""

    records: list[tuple[datetime, CaptureRecord]] = field(default_factory=list)
    metrics: list[tuple] = field(default_factory=list)


def current_endpoint(core: Core) -> str | None:
    """The endpoint production runs (the newest InService one), if any."""
    live = [e for e in core.ws.resources("endpoint") if e["EndpointStatus"] == "InService"]
    return live[-1]["EndpointName"] if live else None


class EndpointRuntime:
    """Invocations of the estate's endpoints; metrics go to ``cloudwatch``."""

    def __init__(self, core: Core, cloudwatch: CloudWatch):
        self.core = core
        self.cloudwatch = cloudwatch
        self._predictors: dict[str, Predictor] = {}

    def _predictor(self, endpoint: dict) -> Predictor:
        name = endpoint["EndpointName"]
        if name not in self._predictors:
            artifact = self.core.read_bytes(endpoint["ModelDataUrl"])
            self._predictors[name] = Predictor(artifact)
        return self._predictors[name]

    def invoke(self, name: str, body: bytes | str, content_type: str | None, *, inference_id: str | None = None,
               at: datetime | None = None, batch: CaptureBatch | None = None) -> tuple[str, str, str]:
        """(prediction body, content type, variant), capturing and measuring the call."""
        ws = self.core.ws
        endpoint = ws.resource("endpoint", name)
        if endpoint is None or endpoint["EndpointStatus"] != "InService":
            raise TwinError("ValidationError", f"Endpoint {name} of account {ws.account_id} not found.")
        moment = at or ws.now()
        variant = endpoint["ProductionVariants"][0]["VariantName"]
        started = time.perf_counter_ns()
        cpu_started = time.process_time()
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
        predictor = self._predictor(endpoint)
        model_started = time.perf_counter_ns()
        error = None
        try:
            if (content_type or "text/csv").split(";")[0].strip() != "text/csv":
                raise ValueError(f"Content-type {content_type} not supported. Supported content-type is text/csv")
            output = predictor.predict_csv(text)
        except ValueError as err:
            error = err
        model_ns = time.perf_counter_ns() - model_started
        metrics = self._metrics(endpoint, variant, moment, model_ns, time.perf_counter_ns() - started - model_ns,
                                error is not None, time.process_time() - cpu_started)
        if batch is not None:
            batch.metrics.extend(metrics)
        else:
            self.cloudwatch.record(metrics)
        if error is not None:  # not captured: the twin's choice; AWS does not document whether data capture
            # keeps a request its model refused (13c says so to the learner)
            raise TwinError("ModelError", f'Received client error (400) from primary with message "{error}". '
                            f"See https://{ws.region}.console.aws.amazon.com/cloudwatch/home?region={ws.region}"
                            f"#logEventViewer:group=/aws/sagemaker/Endpoints/{name} in account {ws.account_id} "
                            "for more information.", 424, OriginalStatusCode=400, OriginalMessage=str(error))
        capture = endpoint.get("DataCaptureConfig", {})
        if capture.get("EnableCapture") and capture.get("CurrentSamplingPercentage", 0) >= 100:
            record = CaptureRecord.create(
                text, output, event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{iso(moment)}/{text}/{inference_id}")),
                inference_time=moment, inference_id=inference_id, input_content_type=content_type or "text/csv")
            if batch is not None:
                batch.records.append((moment, record))
            else:
                self._write(name, variant, [record], f"{iso(moment)}-{uuid.uuid4()}")
        return output, "text/csv; charset=utf-8", variant

    def flush(self, name: str, batch: CaptureBatch) -> None:
        """Write a batch's capture records in ~5-minute files (deterministic names) and metrics."""
        endpoint = self.core.ws.resource("endpoint", name)
        variant = endpoint["ProductionVariants"][0]["VariantName"]
        groups: dict[datetime, list[CaptureRecord]] = {}
        for moment, record in sorted(batch.records, key=lambda r: r[0]):
            bucket = moment.replace(minute=moment.minute - moment.minute % _FILE_MINUTES, second=0, microsecond=0)
            groups.setdefault(bucket, []).append(record)
        for start, records in groups.items():
            self._write(name, variant, records, f"{name}/{iso(start)}")
        self.cloudwatch.record(batch.metrics)
        batch.records.clear()
        batch.metrics.clear()

    def _write(self, name: str, variant: str, records: list[CaptureRecord], seed: str) -> None:
        root = self.core.ws.objects / self.core.bucket
        file_id = str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
        write_capture_file(records, root, self.core.names.capture_prefix, name, variant, file_id=file_id)

    def _metrics(self, endpoint: dict, variant: str, moment: datetime, model_ns: int, overhead_ns: int,
                 failed: bool, cpu_seconds: float) -> list[tuple]:
        dims = dimensions_key([{"Name": "EndpointName", "Value": endpoint["EndpointName"]},
                               {"Name": "VariantName", "Value": variant}])
        stamp = iso(moment)
        minute = iso(moment.replace(second=0, microsecond=0) + timedelta(seconds=59))

        def row(namespace, metric, value, unit, ts=stamp):
            return (namespace, metric, dims, ts, 1.0, value, value, value, unit)

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        model_bytes = len(self._predictors[endpoint["EndpointName"]].booster.save_raw("json"))
        return [
            row("AWS/SageMaker", "Invocations", 0.0 if failed else 1.0, "None"),
            row("AWS/SageMaker", "Invocation4XXErrors", 1.0 if failed else 0.0, "None"),
            row("AWS/SageMaker", "Invocation5XXErrors", 0.0, "None"),
            row("AWS/SageMaker", "ModelLatency", model_ns / 1000.0, "Microseconds"),
            row("AWS/SageMaker", "OverheadLatency", overhead_ns / 1000.0, "Microseconds"),
            row("/aws/sagemaker/Endpoints", "CPUUtilization", cpu_seconds / 60.0 * 100.0, "Percent", minute),
            row("/aws/sagemaker/Endpoints", "MemoryUtilization", rss / _TOTAL_MEMORY * 100.0, "Percent", minute),
            row("/aws/sagemaker/Endpoints", "DiskUtilization", model_bytes / _VOLUME_BYTES * 100.0, "Percent", minute),
        ]


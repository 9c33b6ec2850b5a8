"""Capture records: the model of one captured request/response, and capture files on disk.

Writing follows the real key order (``captureData{endpointInput, endpointOutput}``,
``eventMetadata{eventId, inferenceId?, inferenceTime}``, ``eventVersion``) and file layout
(``<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..formats.codec import Model
from ..formats.jsonfmt import compact_dumps
from ..formats.layout import atomic_write_text, capture_key

__all__ = ["SHADOW_SOURCE", "CaptureData", "CaptureError", "CapturePayload", "CaptureRecord",
           "EventMetadata", "format_inference_time", "write_capture_file"]


SHADOW_SOURCE = "ShadowExperiment"


class CaptureError(ValueError):
    """A capture line that cannot be used; ``kind`` is a short fixed label to count them by."""

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind or message


@dataclass
class CapturePayload(Model):
    observed_content_type: str = field(metadata={"key": "observedContentType"})
    mode: str
    data: str
    encoding: str


@dataclass
class CaptureData(Model):
    endpoint_input: CapturePayload = field(metadata={"key": "endpointInput"})
    endpoint_output: CapturePayload | None = field(default=None, metadata={"key": "endpointOutput"})


@dataclass
class EventMetadata(Model):
    event_id: str = field(metadata={"key": "eventId"})
    inference_id: str | None = field(default=None, metadata={"key": "inferenceId"})
    inference_time: str | None = field(default=None, metadata={"key": "inferenceTime"})
    # "ShadowExperiment" marks a shadow variant's traffic, which today's container skips
    invocation_source: str | None = field(default=None, metadata={"key": "invocationSource"})

    @property
    def is_shadow(self) -> bool:
        return self.invocation_source == SHADOW_SOURCE


@dataclass
class CaptureRecord(Model):
    """One captured request/response pair (one line of a capture file)."""

    capture_data: CaptureData = field(metadata={"key": "captureData"})
    event_metadata: EventMetadata = field(metadata={"key": "eventMetadata"})
    event_version: str = field(default="0", metadata={"key": "eventVersion"})

    @classmethod
    def create(
        cls,
        input_data: str,
        output_data: str,
        *,
        event_id: str,
        inference_time: datetime,
        inference_id: str | None = None,
        input_content_type: str = "text/csv",
        output_content_type: str = "text/csv; charset=utf-8",
        encoding: str = "CSV",
    ) -> CaptureRecord:
        """A record as the endpoint writes it for one invocation."""
        return cls(
            CaptureData(
                CapturePayload(input_content_type, "INPUT", input_data, encoding),
                CapturePayload(output_content_type, "OUTPUT", output_data, encoding),
            ),
            EventMetadata(event_id, inference_id, format_inference_time(inference_time)),
        )

    def to_line(self) -> str:
        """The compact one-line JSON of a capture file (without the newline)."""
        return compact_dumps(self.encode())


def format_inference_time(moment: datetime) -> str:
    """``2020-02-04T20:33:57Z``: UTC, to the second, as capture files write it."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_capture_file(
    records: Sequence[CaptureRecord],
    root: str | Path,
    prefix: str,
    endpoint: str,
    variant: str,
    *,
    file_id: str | None = None,
) -> Path:
    """Write records as one capture file under ``root`` (an S3-like folder), atomically.

    The file is named after its first record's inferenceTime, as the endpoint names it.
    """
    if not records:
        raise ValueError("a capture file needs at least one record")
    first = records[0].event_metadata.inference_time
    moment = datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    key = capture_key(prefix, endpoint, variant, moment, file_id)
    text = "".join(record.to_line() + "\n" for record in records)
    return atomic_write_text(Path(root) / key, text)

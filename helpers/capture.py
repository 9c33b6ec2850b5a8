"""Data capture: the JSONL files an endpoint writes, read into rows as Model Monitor does.

One capture line becomes one row (or several, for a multi-line CSV or a batch JSON payload):
the output columns first, then the input columns, mapped by position onto the baseline's
column names. A line that cannot be used is never dropped silently: it is counted and listed
in ``CaptureRows.problems`` (file, line, reason); with ``strict=True`` the first one raises.

Writing follows the real key order (``captureData{endpointInput, endpointOutput}``,
``eventMetadata{eventId, inferenceId?, inferenceTime}``, ``eventVersion``) and file layout
(``<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl``).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .formats.codec import FormatError, Model
from .formats.jsonfmt import compact_dumps
from .formats.layout import atomic_write_text, capture_key

__all__ = [
    "CaptureError",
    "CapturePayload",
    "CaptureProblem",
    "CaptureRecord",
    "CaptureRows",
    "capture_files",
    "format_inference_time",
    "read_capture",
    "write_capture_file",
]

METADATA_COLUMNS = ("eventId", "inferenceTime", "inferenceId")


class CaptureError(ValueError):
    """A capture line that cannot be used, raised only with ``strict=True``."""


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


@dataclass
class CaptureProblem:
    """A capture line that could not become a row, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class CaptureRows:
    """Rows decoded from capture files, with what could not be used."""

    frame: pd.DataFrame  # feature columns, cell text as captured (None = missing)
    metadata: pd.DataFrame  # eventId, inferenceTime, inferenceId, file, line, num_values
    files: list[str]
    records: int
    problems: list[CaptureProblem]

    def to_frame(self, metadata: bool = True) -> pd.DataFrame:
        """Feature columns, with eventId, inferenceTime and inferenceId alongside."""
        if not metadata:
            return self.frame
        return pd.concat([self.frame, self.metadata[list(METADATA_COLUMNS)]], axis=1)


def format_inference_time(moment: datetime) -> str:
    """``2020-02-04T20:33:57Z``: UTC, to the second, as capture files write it."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def capture_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The ``.jsonl`` files named, or found below the folders named, in time order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.jsonl") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no capture file or folder at {path}")
    return found


def read_capture(
    paths: str | Path | Iterable[str | Path],
    columns: Sequence[str] | None = None,
    *,
    strict: bool = False,
) -> CaptureRows:
    """Decode capture files into rows: output columns first, then input columns.

    ``columns`` names the columns by position (the baseline's names, target first); cells
    beyond them are named ``_c<i>``. Without it every column is ``_c<i>``.
    """
    files = capture_files(paths)
    rows: list[list[str | None]] = []
    meta: list[tuple] = []
    problems: list[CaptureProblem] = []
    records = 0
    for path in files:
        for line_no, line in _lines(path):
            records += 1
            try:
                record = _parse_line(line, str(path), line_no)
                decoded = _record_rows(record)
            except (FormatError, CaptureError) as err:
                problem = CaptureProblem(str(path), line_no, _reason(err))
                if strict:
                    raise CaptureError(str(problem)) from None
                problems.append(problem)
                continue
            ev = record.event_metadata
            for cells in decoded:
                rows.append(cells)
                meta.append((ev.event_id, ev.inference_time, ev.inference_id, str(path), line_no, len(cells)))
    width = max([len(columns or ())] + [len(r) for r in rows])
    names = list(columns or ()) + [f"_c{i}" for i in range(len(columns or ()), width)]
    padded = [r + [None] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    metadata = pd.DataFrame(
        meta, columns=[*METADATA_COLUMNS, "file", "line", "num_values"]
    ).astype({"file": object})
    return CaptureRows(frame, metadata, [str(f) for f in files], records, problems)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if raw.strip():
                yield line_no, raw.decode("utf-8", errors="replace")


def _parse_line(line: str, source: str, line_no: int) -> CaptureRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise CaptureError(f"not valid JSON at column {err.colno} ({err.msg})") from None
    if not isinstance(data, dict) or "captureData" not in data:
        raise CaptureError("no captureData in the record")
    return CaptureRecord.decode(data, "", source)


def _reason(err: Exception) -> str:
    if isinstance(err, FormatError):
        return f"{err.where}: {err.problem}"
    return str(err)


def _record_rows(record: CaptureRecord) -> list[list[str | None]]:
    inputs = _payload_rows(record.capture_data.endpoint_input, "endpointInput")
    output = record.capture_data.endpoint_output
    outputs = _payload_rows(output, "endpointOutput") if output is not None else [[]] * len(inputs)
    if len(outputs) != len(inputs):
        raise CaptureError(f"{len(inputs)} input rows but {len(outputs)} output rows")
    return [out + inp for out, inp in zip(outputs, inputs, strict=True)]


def _payload_rows(payload: CapturePayload, where: str) -> list[list[str | None]]:
    encoding = payload.encoding.upper()
    text = payload.data
    if encoding == "BASE64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as err:
            raise CaptureError(f"{where}.data: BASE64 payload cannot be decoded ({err})") from None
        encoding = "JSON" if "json" in payload.observed_content_type.lower() else "CSV"
    if encoding == "CSV":
        rows = _csv_rows(text)
    elif encoding == "JSON":
        rows = _json_rows(text, where)
    else:
        raise CaptureError(f"{where}.encoding: expected CSV, JSON or BASE64, got {payload.encoding!r}")
    if not rows:
        raise CaptureError(f"{where}.data: empty payload")
    return rows


def _csv_rows(text: str) -> list[list[str | None]]:
    reader = csv.reader(io.StringIO(text))
    return [[cell if cell != "" else None for cell in row] for row in reader if row]


def _json_rows(text: str, where: str) -> list[list[str | None]]:
    try:
        # numbers keep their text, so "1" and "1.0" infer as Integral and Fractional
        value = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as err:
        raise CaptureError(f"{where}.data: JSON payload cannot be decoded ({err.msg})") from None
    while isinstance(value, dict) and len(value) == 1:  # {"instances": [...]}, {"predictions": ...}
        (value,) = value.values()
    if isinstance(value, list) and value and all(isinstance(v, (list, dict)) for v in value):
        return [_json_cells(v, where) for v in value]
    return [_json_cells(value, where)]


def _json_cells(value: object, where: str) -> list[str | None]:
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        value = [value]
    cells: list[str | None] = []
    for item in value:
        if isinstance(item, (list, dict)):
            raise CaptureError(f"{where}.data: nested JSON values cannot be flattened into columns")
        cells.append(None if item is None else str(item).lower() if isinstance(item, bool) else item)
    return cells


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

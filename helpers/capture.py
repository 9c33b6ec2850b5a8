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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

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
    """Rows decoded from capture files, with what could not be used.

    ``table`` holds the feature columns as cell text (null = missing), ``meta`` one row per
    data row: eventId, inferenceTime, inferenceId, file, line, num_values. ``frame`` and
    ``metadata`` give them as pandas DataFrames for display.
    """

    table: pa.Table
    meta: pa.Table
    files: list[str]
    records: int
    problems: list[CaptureProblem]

    @property
    def frame(self) -> pd.DataFrame:
        return _object_frame(self.table)

    @property
    def metadata(self) -> pd.DataFrame:
        return _object_frame(self.meta)

    def __len__(self) -> int:
        return self.table.num_rows

    def where(self, mask) -> CaptureRows:
        """The rows where ``mask`` (one boolean per row) is true, with their metadata."""
        keep = pa.array(np.asarray(mask, dtype=bool))
        return CaptureRows(self.table.filter(keep), self.meta.filter(keep), self.files, self.records, self.problems)

    def to_frame(self, metadata: bool = True) -> pd.DataFrame:
        """Feature columns, with eventId, inferenceTime and inferenceId alongside."""
        if not metadata:
            return self.frame
        return pd.concat([self.frame, self.metadata[list(METADATA_COLUMNS)]], axis=1)


def _object_frame(table: pa.Table) -> pd.DataFrame:
    """Text columns as Python str or None (not NaN), for display and plain comparisons."""
    return pd.DataFrame({
        name: pd.Series(col.to_pylist(), dtype=object if pa.types.is_string(col.type) else None)
        for name, col in zip(table.column_names, table.columns, strict=True)
    })


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
    fast: bool = True,
) -> CaptureRows:
    """Decode capture files into rows: output columns first, then input columns.

    ``columns`` names the columns by position (the baseline's names, target first); cells
    beyond them are named ``_c<i>``. Without it every column is ``_c<i>``. Well-formed CSV
    files take a vectorised path (Arrow's JSON reader); any file it cannot vouch for is read
    line by line, so each bad line is reported with its number. ``fast=False`` forces that.
    """
    files = capture_files(paths)
    parts = []
    for path in files:
        part = _read_file_fast(path) if fast else None
        parts.append(part if part is not None else _read_file_exact(path, strict))
    width = max([len(columns or ())] + [len(p.cells) for p in parts])
    names = list(columns or ()) + [f"_c{i}" for i in range(len(columns or ()), width)]
    arrays = []
    for i in range(width):
        chunks = [p.cells[i] if i < len(p.cells) else pa.nulls(p.rows, pa.string()) for p in parts]
        arrays.append(pa.chunked_array(chunks, type=pa.string()).combine_chunks())
    table = pa.table(arrays, names=names) if width else pa.table({})
    meta = pa.concat_tables([p.meta for p in parts]) if parts else _meta_table([], "", [], [])
    return CaptureRows(table, meta, [str(f) for f in files], sum(p.records for p in parts),
                       [problem for p in parts for problem in p.problems])


@dataclass
class _FileRows:
    cells: list[pa.Array]  # one string array per column position
    meta: pa.Table
    records: int
    problems: list[CaptureProblem]

    @property
    def rows(self) -> int:
        return self.meta.num_rows


def _meta_table(records: list[EventMetadata], file: str, lines: list[int], widths: list[int]) -> pa.Table:
    return pa.table({
        "eventId": pa.array([r.event_id for r in records], pa.string()),
        "inferenceTime": pa.array([r.inference_time for r in records], pa.string()),
        "inferenceId": pa.array([r.inference_id for r in records], pa.string()),
        "file": pa.array([file] * len(records), pa.string()),
        "line": pa.array(lines, pa.int64()),
        "num_values": pa.array(widths, pa.int64()),
    })


def _read_file_exact(path: Path, strict: bool) -> _FileRows:
    rows: list[list[str | None]] = []
    events: list[EventMetadata] = []
    lines: list[int] = []
    problems: list[CaptureProblem] = []
    records = 0
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
        for cells in decoded:
            rows.append(cells)
            events.append(record.event_metadata)
            lines.append(line_no)
    width = max((len(r) for r in rows), default=0)
    cells = [pa.array([r[i] if i < len(r) else None for r in rows], pa.string()) for i in range(width)]
    meta = _meta_table(events, str(path), lines, [len(r) for r in rows])
    return _FileRows(cells, meta, records, problems)


_PAYLOAD = pa.struct([("observedContentType", pa.string()), ("mode", pa.string()),
                      ("data", pa.string()), ("encoding", pa.string())])
_SCHEMA = pa.schema([
    ("captureData", pa.struct([("endpointInput", _PAYLOAD), ("endpointOutput", _PAYLOAD)])),
    ("eventMetadata", pa.struct([("eventId", pa.string()), ("inferenceId", pa.string()),
                                 ("inferenceTime", pa.string())])),
    ("eventVersion", pa.string()),
])


def _read_file_fast(path: Path) -> _FileRows | None:
    """The vectorised path for files of single-row CSV payloads; None when it does not apply."""
    raw = path.read_bytes()
    if not raw.strip() or b"\n\n" in raw or raw.startswith(b"\n") or b"\r" in raw:
        return None  # blank lines would shift line numbers: let the exact path handle them
    try:
        table = pajson.read_json(io.BytesIO(raw), parse_options=pajson.ParseOptions(
            explicit_schema=_SCHEMA, unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    capture = table.column("captureData").combine_chunks()
    event = table.column("eventMetadata").combine_chunks()
    payloads = [capture.field("endpointOutput"), capture.field("endpointInput")]
    if capture.null_count or event.null_count or event.field("eventId").null_count:
        return None
    cells: list[pa.Array] = []
    for payload in payloads:
        columns = _split_csv_payload(payload)
        if columns is None:
            return None
        cells.extend(columns)
    n = table.num_rows
    meta = pa.table({
        "eventId": event.field("eventId"), "inferenceTime": event.field("inferenceTime"),
        "inferenceId": event.field("inferenceId"), "file": pa.array([str(path)] * n, pa.string()),
        "line": pa.array(np.arange(1, n + 1), pa.int64()),
        "num_values": pa.array(np.full(n, len(cells)), pa.int64()),
    })
    return _FileRows(cells, meta, n, [])


def _split_csv_payload(payload: pa.StructArray) -> list[pa.Array] | None:
    """Columns of a payload whose every record is one unquoted CSV row of the same width."""
    data, encoding = payload.field("data"), payload.field("encoding")
    if payload.null_count or data.null_count or not pc.all(pc.equal(encoding, "CSV")).as_py():
        return None
    if pc.any(pc.match_substring_regex(data, r'["\n\r]|^$')).as_py():
        return None
    parts = pc.split_pattern(data, ",")
    lengths = pc.list_value_length(parts)
    width = pc.min(lengths).as_py()
    if width != pc.max(lengths).as_py():
        return None
    flat = pc.list_flatten(parts)
    empty = pa.scalar(None, pa.string())
    columns = []
    for j in range(width):
        column = flat.take(pa.array(np.arange(j, len(flat), width)))
        columns.append(pc.if_else(pc.equal(column, ""), empty, column))
    return columns


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

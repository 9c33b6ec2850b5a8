"""Capture files read into rows, as Model Monitor reads them.

One capture line becomes one row (or several, for a multi-line CSV or a batch JSON payload):
the output columns first, then the input columns, mapped by position onto the baseline's
column names. A line that cannot be used is never dropped silently: it is counted and listed
in ``CaptureRows.problems`` (file, line, reason); with ``strict=True`` the first one raises.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..formats.codec import FormatError
from .arrow import read_file_fast
from .filerows import CaptureProblem, FileRows
from .records import CaptureError, CapturePayload, CaptureRecord, EventMetadata

__all__ = ["METADATA_COLUMNS", "CaptureProblem", "CaptureRows", "capture_files", "read_capture"]

METADATA_COLUMNS = ("eventId", "inferenceTime", "inferenceId")


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
    shadow_records: int = 0  # skipped: a shadow variant's traffic (section 3b)

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
        return CaptureRows(self.table.filter(keep), self.meta.filter(keep), self.files, self.records,
                           self.problems, self.shadow_records)

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
        part = read_file_fast(path) if fast else None
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
                       [problem for p in parts for problem in p.problems], sum(p.shadow for p in parts))


def _meta_table(records: list[EventMetadata], file: str, lines: list[int], widths: list[int]) -> pa.Table:
    return pa.table({
        "eventId": pa.array([r.event_id for r in records], pa.string()),
        "inferenceTime": pa.array([r.inference_time for r in records], pa.string()),
        "inferenceId": pa.array([r.inference_id for r in records], pa.string()),
        "file": pa.array([file] * len(records), pa.string()),
        "line": pa.array(lines, pa.int64()),
        "num_values": pa.array(widths, pa.int64()),
    })


def _read_file_exact(path: Path, strict: bool) -> FileRows:
    rows: list[list[str | None]] = []
    events: list[EventMetadata] = []
    lines: list[int] = []
    problems: list[CaptureProblem] = []
    records = shadow = 0
    for line_no, line in _lines(path):
        records += 1
        try:
            record = _parse_line(line, str(path), line_no)
            if record.event_metadata.is_shadow:
                shadow += 1  # today's container skips a shadow variant's records
                continue
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
    return FileRows(cells, meta, records, problems, shadow)


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



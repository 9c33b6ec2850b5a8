"""The vectorised path for well-formed capture files: Arrow's JSON reader and string kernels.

It vouches only for files whose every line is a capture record with single-row, unquoted CSV
payloads of one width; for anything else it answers None and the exact per-line reader runs,
so every bad line is still reported with its number.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ..formats.arrays import from_numpy, strings, text_scalar
from .filerows import FileRows
from .files import read_capture_bytes

__all__ = ["read_file_fast"]


_PAYLOAD = pa.struct([("observedContentType", pa.string()), ("mode", pa.string()),
                      ("data", pa.string()), ("encoding", pa.string())])
_SCHEMA = pa.schema([
    ("captureData", pa.struct([("endpointInput", _PAYLOAD), ("endpointOutput", _PAYLOAD)])),
    ("eventMetadata", pa.struct([("eventId", pa.string()), ("inferenceId", pa.string()),
                                 ("inferenceTime", pa.string()), ("invocationSource", pa.string())])),
    ("eventVersion", pa.string()),
])


def read_file_fast(path: Path) -> FileRows | None:
    """The vectorised path for files of single-row CSV payloads; None when it does not apply."""
    try:
        raw = read_capture_bytes(path)
    except (OSError, EOFError, zlib.error):
        return None  # a damaged gzip stream: the exact path reports where it breaks
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
    if event.field("invocationSource").null_count != len(event):
        return None  # shadow-variant records are skipped and counted by the exact reader
    cells: list[pa.Array] = []
    for payload in payloads:
        columns = _split_csv_payload(payload)
        if columns is None:
            return None
        cells.extend(columns)
    n = table.num_rows
    meta = pa.table({
        "eventId": event.field("eventId"), "inferenceTime": event.field("inferenceTime"),
        "inferenceId": event.field("inferenceId"), "file": strings([str(path)]).take(from_numpy(np.zeros(n, np.int64))),
        "line": from_numpy(np.arange(1, n + 1, dtype=np.int64)),
        "num_values": from_numpy(np.full(n, len(cells), dtype=np.int64)),
    })
    return FileRows(cells, meta, n, [])


def _split_csv_payload(payload: pa.StructArray) -> list[pa.Array] | None:
    """Columns of a payload whose every record is one unquoted CSV row of the same width."""
    data, encoding = payload.field("data"), payload.field("encoding")
    if payload.null_count or data.null_count or not pc.all(pc.equal(encoding, text_scalar("CSV"))).as_py():
        return None
    if pc.any(pc.match_substring_regex(data, r'["\n\r]|^$')).as_py():
        return None
    parts = pc.split_pattern(data, ",")
    lengths = pc.list_value_length(parts)
    width = pc.min(lengths).as_py()
    if width != pc.max(lengths).as_py():
        return None
    flat = pc.list_flatten(parts)
    empty, blank = text_scalar(None), text_scalar("")
    columns = []
    for j in range(width):
        column = flat.take(from_numpy(np.arange(j, len(flat), width, dtype=np.int64)))
        columns.append(pc.if_else(pc.equal(column, blank), empty, column))
    return columns



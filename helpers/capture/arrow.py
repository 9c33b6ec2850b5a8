"""The vectorised decoder for a block of capture lines: Arrow's JSON reader and string kernels.

It decodes every record whose payloads are single-row, unquoted CSV of the block's usual width
and names the others (``Decoded.redo``), which the exact per-line decoder then reads, so each
bad or unusual line is reported with its number. A block Arrow cannot parse at all (a line that
is not JSON, a field of another type) gives None: the caller splits it and tries again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ..formats.arrays import from_numpy, strings, text_scalar, to_numpy, with_nulls
from .filerows import FileRows

__all__ = ["Decoded", "decode_block"]


_PAYLOAD = pa.struct([("observedContentType", pa.string()), ("mode", pa.string()),
                      ("data", pa.string()), ("encoding", pa.string())])
_SCHEMA = pa.schema([
    ("captureData", pa.struct([("endpointInput", _PAYLOAD), ("endpointOutput", _PAYLOAD)])),
    ("eventMetadata", pa.struct([("eventId", pa.string()), ("inferenceId", pa.string()),
                                 ("inferenceTime", pa.string()), ("invocationSource", pa.string())])),
    ("eventVersion", pa.string()),
])


@dataclass
class Decoded:
    """The rows of the records decoded here, and the positions (0-based, among the block's
    records) of those the exact decoder must read."""

    rows: FileRows
    redo: np.ndarray


def decode_block(block: bytes, file: str, lines: np.ndarray) -> Decoded | None:
    """Decode a block of non-blank capture lines; ``lines`` holds each line's number."""
    try:
        table = pajson.read_json(io.BytesIO(block), parse_options=pajson.ParseOptions(
            explicit_schema=_SCHEMA, unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_rows != len(lines):
        return None  # blank lines (Arrow skips them): the caller numbers the lines itself
    if not block.isascii():
        try:  # Arrow's JSON reader does not check that strings are UTF-8
            table.validate(full=True)
        except pa.ArrowInvalid:
            return None
    capture = table.column("captureData").combine_chunks()
    event = table.column("eventMetadata").combine_chunks()
    payloads = [capture.field("endpointOutput"), capture.field("endpointInput")]
    usable = to_numpy(capture.is_valid(), False) & to_numpy(event.is_valid(), False)
    usable &= to_numpy(event.field("eventId").is_valid(), False)
    usable &= ~to_numpy(event.field("invocationSource").is_valid(), False)  # shadow: counted exactly
    escaped = b"\\" in block  # a quote, newline or CR inside a payload is escaped in JSON
    widths = []
    for payload in payloads:
        ok, width = _single_csv_rows(payload, escaped)
        usable &= ok
        widths.append(width)
    for width in widths:  # one width per payload: the most common among usable records
        if usable.any():
            usable &= width == np.bincount(width[usable]).argmax()
    keep = None if usable.all() else from_numpy(np.flatnonzero(usable))
    cells: list[pa.Array] = []
    for payload in payloads:
        data = payload.field("data")
        cells.extend(_columns(data if keep is None else data.take(keep)))
    taken = event if keep is None else event.take(keep)
    n = len(taken)
    meta = pa.table({
        "eventId": taken.field("eventId"), "inferenceTime": taken.field("inferenceTime"),
        "inferenceId": taken.field("inferenceId"),
        "file": strings([file]).take(from_numpy(np.zeros(n, np.int64))),
        "line": from_numpy(np.ascontiguousarray(lines[usable], dtype=np.int64)),
        "num_values": from_numpy(np.full(n, len(cells), dtype=np.int64)),
    })
    return Decoded(FileRows(cells, meta, n, []), np.flatnonzero(~usable))


def _single_csv_rows(payload: pa.StructArray, escaped: bool) -> tuple[np.ndarray, np.ndarray]:
    """Which records hold one unquoted, non-empty CSV row in this payload, and each one's width."""
    data, encoding = payload.field("data"), payload.field("encoding")
    ok = to_numpy(payload.is_valid(), False) & to_numpy(data.is_valid(), False)
    ok &= to_numpy(pc.equal(encoding, text_scalar("CSV")), False)
    ok &= to_numpy(pc.binary_length(data), 0) > 0
    if escaped:
        ok &= ~to_numpy(pc.match_substring_regex(data, r'["\n\r]'), True)
    width = to_numpy(pc.count_substring(data, ","), 0).astype(np.int64) + 1
    return ok, np.where(ok, width, 0)


def _columns(data: pa.Array) -> list[pa.Array]:
    """The columns of single-row CSV payloads of one width (empty cells are null)."""
    if len(data) == 0:
        return []
    flat = pc.list_flatten(pc.split_pattern(data, ","))
    width = len(flat) // len(data)
    # one take puts each column's cells together (column-major), then zero-copy slices
    order = np.arange(len(flat), dtype=np.int64).reshape(len(data), width).T.ravel()
    by_column = flat.take(from_numpy(order))
    by_column = with_nulls(by_column, to_numpy(pc.binary_length(by_column), 0) > 0)  # "" is null
    return [by_column.slice(j * len(data), len(data)) for j in range(width)]

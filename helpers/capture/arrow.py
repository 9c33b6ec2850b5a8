"""The vectorised decoder for a block of capture lines: Arrow's JSON reader and string kernels.

It decodes every record whose payloads are single-row, unquoted CSV of the block's usual width
and names the others (``Decoded.redo``), which the exact per-line decoder then reads, so each
bad or unusual line is reported with its number. A block Arrow cannot parse at all (a line that
is not JSON, a field of another type) gives None: the caller splits it and tries again.
"""

from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.json as pajson

from ..formats.arrays import from_numpy, is_valid, repeated, to_numpy, validity, with_nulls
from ..native import c_function, compiled_pays, is_built
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


_MAX_PIECE = (1 << 31) - 1  # Arrow's block size is a 32-bit int


def line_shape(block: bytes) -> tuple[int, bool]:
    """How many newlines the block holds, and whether every line starts with '{' and ends with
    '}' (so none is blank or cut short): the block does, and every newline between two lines
    stands between a '}' and a '{'. One C pass (memchr from newline to newline) once the
    capture loops are built, else two ``bytes.count`` (each match of ``}\n{`` holds exactly
    one newline, so none overlap)."""
    kernel = _kernels() if _pays(0) else None
    if kernel is not None:
        newlines = ctypes.c_long()
        shaped = kernel.line_shape(block, len(block), ctypes.byref(newlines))
        return newlines.value, bool(shaped)
    newlines = block.count(b"\n")
    ends_line = block.endswith(b"\n")
    last = block[-2:-1] if ends_line else block[-1:]
    inner = newlines - 1 if ends_line else newlines
    return newlines, block[:1] == b"{" and last == b"}" and block.count(b"}\n{") == inner


@dataclass
class Decoded:
    """The rows of the records decoded here, and the positions (0-based, among the block's
    records) of those the exact decoder must read."""

    rows: FileRows
    redo: np.ndarray


def decode_block(block: bytes, file: str, lines: np.ndarray, threads: bool = True) -> Decoded | None:
    """Decode a block of non-blank capture lines; ``lines`` holds each line's number;
    ``threads``: parse on Arrow's thread pool rather than the calling thread."""
    # A BufferReader, not io.BytesIO: Arrow reads it without calling back into Python (the GIL).
    # On the calling thread the block is parsed as one piece (Arrow's own block size, 1 MB,
    # only splits the work for its pool: alone it costs 44 ms where one piece costs 30 ms
    # for a 3.75 MB file, and it leaves chunks to combine).
    options = pajson.ReadOptions() if threads else \
        pajson.ReadOptions(use_threads=False, block_size=min(max(len(block) + 1, 1 << 20), _MAX_PIECE))
    try:
        table = pajson.read_json(pa.BufferReader(block), read_options=options, parse_options=pajson.ParseOptions(
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
    usable = is_valid(capture) & is_valid(event)
    usable &= is_valid(event.field("eventId"))
    usable &= ~is_valid(event.field("invocationSource"))  # shadow: counted exactly
    escaped = b"\\" in block  # a quote, newline or CR inside a payload is escaped in JSON
    widths = []
    for payload in payloads:
        ok, width = _single_csv_rows(payload, escaped)
        usable &= ok
        for required in ("observedContentType", "mode"):  # the exact decoder refuses a record without
            usable &= is_valid(payload.field(required))
        widths.append(width)
    for width in widths:  # one width per payload: the most common among usable records
        if usable.any():
            usable &= width == np.bincount(width[usable]).argmax()
    rows = None if usable.all() else np.flatnonzero(usable)
    cells: list[pa.Array] = []
    for payload, width in zip(payloads, widths, strict=True):
        common = int(width[usable][0]) if usable.any() else 0
        cells.extend(_columns(payload.field("data"), rows, common))
    taken = event if rows is None else event.take(from_numpy(rows))
    n = len(taken)
    meta = pa.table({
        "eventId": taken.field("eventId"), "inferenceTime": taken.field("inferenceTime"),
        "inferenceId": taken.field("inferenceId"),
        "file": repeated(file, n),
        "line": from_numpy(np.ascontiguousarray(lines[usable], dtype=np.int64)),
        "num_values": from_numpy(np.full(n, len(cells), dtype=np.int64)),
    })
    return Decoded(FileRows(cells, meta, n, []), np.flatnonzero(~usable))


def _single_csv_rows(payload: pa.StructArray, escaped: bool,
                     compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which records hold one unquoted, non-empty CSV row in this payload, and each one's width.
    ``compiled``: the C loop (by default once a process has seen enough records) or Arrow's kernels."""
    data, encoding = payload.field("data"), payload.field("encoding")
    ok = is_valid(payload) & _equals(encoding, b"CSV")
    kernel = _kernels() if (_pays(len(data)) if compiled is None else compiled) else None
    if kernel is not None and len(data):  # one pass over the bytes: quotes, line breaks, commas
        raw, offsets = _string_buffers(data)
        valid = np.ascontiguousarray(is_valid(data)).view(np.uint8)
        single, width = np.empty(len(data), dtype=np.uint8), np.empty(len(data), dtype=np.int64)
        kernel.csv_shape(raw.ctypes.data, offsets.ctypes.data, valid.ctypes.data, len(data),
                         single.ctypes.data, width.ctypes.data)
        ok &= single.view(np.bool_)
        return ok, np.where(ok, width, 0)
    import pyarrow.compute as pc

    ok &= is_valid(data) & (to_numpy(pc.binary_length(data), 0) > 0)
    if escaped:
        ok &= ~to_numpy(pc.match_substring_regex(data, r'["\n\r]'), True)
    width = to_numpy(pc.count_substring(data, ","), 0).astype(np.int64) + 1
    return ok, np.where(ok, width, 0)


def _columns(data: pa.Array, rows: np.ndarray | None, width: int,
             compiled: bool | None = None) -> list[pa.Array]:
    """The columns of the single-row CSV payloads at ``rows`` (None: all), each ``width`` cells
    (empty cells are null); ``compiled`` as in ``_single_csv_rows``."""
    count = len(data) if rows is None else len(rows)
    if count == 0:
        return []
    kernel = _kernels() if (_pays(count * width) if compiled is None else compiled) else None
    if kernel is None:
        return _columns_by_arrow(data if rows is None else data.take(from_numpy(rows)))
    raw, offsets = _string_buffers(data)
    rows = np.arange(count, dtype=np.int64) if rows is None else np.ascontiguousarray(rows, dtype=np.int64)
    size = int((offsets[rows + 1] - offsets[rows]).sum()) - (width - 1) * count
    cells = count * width
    out_offsets, out_data = np.empty(cells + 1, dtype=np.int32), np.empty(max(size, 1), dtype=np.uint8)
    present, scratch = np.empty(cells, dtype=np.uint8), np.empty(width, dtype=np.int64)
    kernel.csv_split(raw.ctypes.data, offsets.ctypes.data, rows.ctypes.data, count, width,
                     out_offsets.ctypes.data, out_data.ctypes.data, present.ctypes.data, scratch.ctypes.data)
    present = present.view(np.bool_)
    by_column = pa.Array.from_buffers(pa.string(), cells, [
        validity(present), pa.py_buffer(out_offsets), pa.py_buffer(out_data)],
        cells - int(np.count_nonzero(present)))
    return [by_column.slice(j * count, count) for j in range(width)]


def _columns_by_arrow(data: pa.Array) -> list[pa.Array]:
    """``_columns`` with Arrow's kernels (no C compiler): split, then one take puts each
    column's cells together (column-major), then zero-copy slices."""
    import pyarrow.compute as pc

    flat = pc.list_flatten(pc.split_pattern(data, ","))
    width = len(flat) // len(data)
    order = np.arange(len(flat), dtype=np.int64).reshape(len(data), width).T.ravel()
    by_column = flat.take(from_numpy(order))
    by_column = with_nulls(by_column, to_numpy(pc.binary_length(by_column), 0) > 0)  # "" is null
    return [by_column.slice(j * len(data), len(data)) for j in range(width)]


def _equals(texts: pa.Array, value: bytes) -> np.ndarray:
    """Which strings are ``value`` (nulls are not), read from the buffers: the reader's usual
    path never loads pyarrow.compute (60 ms at start-up, before the first block can be read)."""
    raw, offsets = _string_buffers(texts)
    offsets = offsets[: len(texts) + 1]
    same = (np.diff(offsets) == len(value)) & is_valid(texts)
    at = offsets[:-1][same]
    match = np.ones(len(at), dtype=np.bool_)
    for i, byte in enumerate(value):
        match &= raw[at + i] == byte
    same[same] = match
    return same


def _string_buffers(data: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's bytes and its offsets (from its own offset on)."""
    buffers = data.buffers()
    raw = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(1, np.uint8)
    return raw, np.frombuffer(buffers[1], dtype=np.int32)[data.offset :]


# One pass over the payloads' bytes: which are one plain CSV row (non-empty; no quote, CR or
# LF, which in JSON only an escape can put there) and their widths; then the cells of the
# chosen rows copied column by column into one string array (empty cells null).
_CSV_C = r"""
#include <stdint.h>
#include <string.h>
void csv_shape(const uint8_t *data, const int32_t *offsets, const uint8_t *valid, long n,
               uint8_t *single, int64_t *width) {
    for (long i = 0; i < n; i++) {
        const uint8_t *p = data + offsets[i], *end = data + offsets[i + 1];
        int64_t commas = 0;
        int good = valid[i] && p < end;
        for (; good && p < end; p++) {
            if (*p == ',') commas++;
            else if (*p == '"' || *p == '\n' || *p == '\r') good = 0;
        }
        single[i] = (uint8_t)good;
        width[i] = good ? commas + 1 : 0;
    }
}
long line_shape(const uint8_t *data, long n, long *newlines) {
    long count = 0;
    int shaped = n > 0 && data[0] == '{';
    const uint8_t *p = data, *end = data + n;
    while (p < end && (p = memchr(p, '\n', end - p)) != NULL) {
        count++;
        if (p == data || p[-1] != '}' || (p + 1 < end && p[1] != '{')) shaped = 0;
        p++;
    }
    if (n > 0 && data[n - 1] != '\n' && data[n - 1] != '}') shaped = 0;
    *newlines = count;
    return shaped;
}
void csv_split(const uint8_t *data, const int32_t *offsets, const int64_t *rows, long m, long width,
               int32_t *out_offsets, uint8_t *out_data, uint8_t *present, int64_t *next) {
    memset(next, 0, width * sizeof(int64_t));
    for (long r = 0; r < m; r++) {                  /* bytes per column */
        const uint8_t *p = data + offsets[rows[r]], *end = data + offsets[rows[r] + 1], *cell = p;
        long j = 0;
        for (; p < end && j < width - 1; p++) if (*p == ',') { next[j++] += p - cell; cell = p + 1; }
        next[j] += end - cell;
    }
    int64_t start = 0;                              /* where each column's cells begin */
    for (long j = 0; j < width; j++) { int64_t bytes = next[j]; next[j] = start; start += bytes; }
    for (long r = 0; r < m; r++) {
        const uint8_t *p = data + offsets[rows[r]], *end = data + offsets[rows[r] + 1], *cell = p;
        for (long j = 0;; p++) {
            if (p == end || (*p == ',' && j < width - 1)) {
                long length = p - cell, k = j * m + r;
                memcpy(out_data + next[j], cell, length);
                out_offsets[k] = (int32_t)next[j];
                present[k] = length > 0;
                next[j] += length;
                j++;
                cell = p + 1;
                if (p == end) break;
            }
        }
    }
    out_offsets[width * m] = (int32_t)start;
}
"""


def _pays(count: int) -> bool:
    """The C loops once built on this machine, or once this process has seen enough payloads."""
    return is_built(_CSV_C) or compiled_pays(count)


class _Kernels:
    def __init__(self, shape, split, lines) -> None:
        self.csv_shape, self.csv_split, self.line_shape = shape, split, lines


@functools.cache
def _kernels() -> _Kernels | None:
    """The C loops, or None without a C compiler (then Arrow's kernels split the payloads)."""
    shape = c_function(_CSV_C, "csv_shape", [ctypes.c_void_p] * 3 + [ctypes.c_long] + [ctypes.c_void_p] * 2)
    split = c_function(_CSV_C, "csv_split", [ctypes.c_void_p] * 3 + [ctypes.c_long] * 2 + [ctypes.c_void_p] * 4)
    lines = c_function(_CSV_C, "line_shape", [ctypes.c_char_p, ctypes.c_long, ctypes.POINTER(ctypes.c_long)],
                       ctypes.c_long)
    return None if shape is None or split is None or lines is None else _Kernels(shape, split, lines)

"""Deequ's data-type inference on cell text (deequ-algorithms.md section 4), fast and exact.

Each cell is matched, whole and ASCII-only, against the newest generation of Deequ's regexes
(the one Spark 3.3 / Deequ 2.0.2 containers run), in the order Fractional, Integral, Boolean,
else String; a null cell is Unknown. ``REGEXES`` holds them for reference and for the tests;
``classify`` gives the same answer for a whole column at once with Arrow's kernels and numpy
(no per-cell Python), and parses numeric cells with Arrow's exactly-rounded parser.
"""

from __future__ import annotations

import ctypes
import functools
import re
from enum import IntEnum

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..formats.arrays import from_numpy, to_numpy
from ..native import c_function, compiled_pays

__all__ = ["CellType", "REGEXES", "as_text", "classify", "classify_text", "column_type"]


class CellType(IntEnum):
    UNKNOWN = 0  # null
    FRACTIONAL = 1
    INTEGRAL = 2
    BOOLEAN = 3
    STRING = 4


_CELL_TYPES = tuple(CellType)  # iterating the enum itself is slow, and this runs per column

TYPE_NAMES = {
    CellType.UNKNOWN: "Unknown",
    CellType.FRACTIONAL: "Fractional",
    CellType.INTEGRAL: "Integral",
    CellType.BOOLEAN: "Boolean",
    CellType.STRING: "String",
}

# Deequ >= 1.2.2; tried in this order, whole-string, ASCII digits only.
REGEXES = {
    CellType.FRACTIONAL: re.compile(r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$", re.ASCII),
    CellType.INTEGRAL: re.compile(r"^(-|\+)? ?\d+$", re.ASCII),
    CellType.BOOLEAN: re.compile(r"^(true|false)$", re.ASCII),
}


def classify_text(cell: str | None) -> CellType:
    """The reference classifier (plain regexes), one cell at a time."""
    if cell is None:
        return CellType.UNKNOWN
    for cell_type, pattern in REGEXES.items():
        if pattern.fullmatch(cell):
            return cell_type
    return CellType.STRING


def column_type(counts: dict[CellType, int] | np.ndarray) -> str:
    """Deequ's column decision from the counts of each cell type."""
    # a profile's counts are an array indexed by code (read once per column, 100k times)
    c = counts.tolist() if isinstance(counts, np.ndarray) else [int(counts[t]) for t in _CELL_TYPES]
    nulls, frac, integral, boolean, string = c
    if frac + integral + boolean + string == 0:
        return "Unknown"
    if string or (boolean and (frac or integral)):
        return "String"
    if boolean:
        return "Boolean"
    return "Fractional" if frac else "Integral"


_DIGIT = np.zeros(256, dtype=np.bool_)
_DIGIT[ord("0") : ord("9") + 1] = True
_SIGN = np.zeros(256, dtype=np.bool_)
_SIGN[[ord("+"), ord("-")]] = True
_NUMBER_LEAD = _DIGIT | _SIGN  # a number starts with a digit, a sign, or the space after one
_NUMBER_LEAD[ord(" ")] = True


def as_text(column: pa.Array) -> pa.Array:
    """A string column as it is, any other column cast to its text."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.string())


def classify(column: pa.Array, compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cell types (``CellType`` codes, int8) and parsed doubles (valid where numeric).

    Once a process has seen enough cells, a C loop (``_CLASSIFY_C``) matches every cell
    against Deequ's grammar in one pass over Arrow's buffers; before that (and without a C
    compiler) Arrow's kernels and numpy do it (``_classify_vectorised``). Either way the numbers
    are parsed by Arrow's exactly-rounded parser. ``compiled`` forces a path (tests).
    """
    column = as_text(column)
    use_c = compiled_pays(len(column)) if compiled is None else compiled
    kernel = _kernel() if use_c and pa.types.is_string(column.type) else None
    if kernel is None:
        return _classify_vectorised(column)
    n = len(column)
    types = np.empty(n, dtype=np.int8)
    counts = np.zeros(2, dtype=np.int64)  # numeric cells, and those with a space after the sign
    if n:
        buffers = column.buffers()
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(1, np.uint8)
        offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset :]
        valid = (np.ascontiguousarray(to_numpy(column.is_valid(), False)).view(np.uint8)
                 if column.null_count else None)
        kernel(data.ctypes.data, offsets.ctypes.data,
               None if valid is None else valid.ctypes.data, n, types.ctypes.data, counts.ctypes.data)
    return types, _parsed(column, types, int(counts[0]), bool(counts[1]))


def _parsed(column: pa.Array, types: np.ndarray, numeric: int, spaced: bool) -> np.ndarray:
    """The doubles of the numeric cells (0.0 elsewhere), by Arrow's exactly-rounded parser."""
    values = np.zeros(len(column), dtype=np.float64)
    if numeric == 0:
        return values
    if numeric == len(column) - column.null_count and not spaced:  # a number column: no take
        return _doubles(column).copy()
    where = np.flatnonzero((types == CellType.FRACTIONAL) | (types == CellType.INTEGRAL))
    cells = column.take(from_numpy(where))
    if spaced:  # Deequ allows one space after the sign ("- 1"); parsers do not
        cells = pc.replace_substring_regex(cells, r"^([-+]?) ", r"\1")
    values[where] = _doubles(cells)
    return values


def _doubles(cells: pa.Array) -> np.ndarray:
    """Cells of Deequ's number grammar as doubles (nulls 0.0): Arrow's parser, or Python's
    (also exactly rounded) for any it refuses, such as an exponent of thirty digits."""
    try:
        return to_numpy(pc.cast(cells, pa.float64()), 0.0)
    except pa.ArrowInvalid:
        return np.array([0.0 if c is None else float(c) for c in cells.to_pylist()], dtype=np.float64)


def _classify_vectorised(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``classify`` with Arrow's kernels and numpy: a cell can be a number only if it starts
    with a digit, a sign or a space; those cells are parsed by Arrow's exactly-rounded parser
    and checked against the narrower Deequ grammar (``_numbers``)."""
    n = len(column)
    types = np.full(n, np.int8(CellType.STRING))
    values = np.zeros(n, dtype=np.float64)
    valid = to_numpy(column.is_valid(), False)
    types[~valid] = CellType.UNKNOWN
    starts, ends, data = _cell_bounds(column)
    first = data[np.minimum(starts, max(len(data) - 1, 0))] if len(data) else np.zeros(n, np.uint8)
    candidates = valid & (ends > starts) & _NUMBER_LEAD[first]
    maybe_word = np.flatnonzero(valid & ((first == ord("t")) | (first == ord("f"))))
    if len(maybe_word):
        for word in (b"true", b"false"):
            types[maybe_word[_is_word(starts[maybe_word], ends[maybe_word], data, word)]] = CellType.BOOLEAN
    if candidates.any():
        where = np.flatnonzero(candidates)
        cells = column if len(where) == n else column.take(from_numpy(where))
        types[where], values[where] = _numbers(cells)
    return types, values


def _is_word(starts: np.ndarray, ends: np.ndarray, data: np.ndarray, word: bytes) -> np.ndarray:
    """Cells whose bytes are exactly ``word``."""
    match = (ends - starts) == len(word)
    where = np.flatnonzero(match)
    for i, byte in enumerate(word):
        where_ok = data[starts[where] + i] == byte
        match[where[~where_ok]] = False
    return match


def _cell_bounds(column: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's start and end in the data buffer, and the buffer as bytes."""
    buffers = column.buffers()
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets[:-1].astype(np.int64), offsets[1:].astype(np.int64), data


def _numbers(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Types (Fractional, Integral or String) and doubles of non-null cells that start like a number.

    When Arrow's parser takes every cell, its grammar is wider than Deequ's by exactly the
    cells whose mantissa does not start with a digit (".5", "-inf", "+nan") and those whose
    '.' is not followed by a digit ("1.", "1.e5"): those are Strings. Otherwise (a space after
    the sign, or text) the regexes decide, cell by cell, still in Arrow's kernels.
    """
    try:
        parsed = pc.cast(cells, pa.float64())
    except pa.ArrowInvalid:
        return _numbers_by_regex(cells)
    starts, ends, data = _cell_bounds(cells)
    last = max(len(data) - 1, 0)
    mantissa = starts + _SIGN[data[starts]]
    ok = (mantissa < ends) & _DIGIT[data[np.minimum(mantissa, last)]]
    dot = to_numpy(pc.find_substring(cells, "."), -1)
    after = starts + dot + 1
    ok &= (dot < 0) | ((after < ends) & _DIGIT[data[np.minimum(after, last)]])
    exponent = np.zeros(len(cells), dtype=np.bool_)
    letters = np.flatnonzero((data[starts[0] : ends[-1]] | 0x20) == ord("e")) + starts[0]  # e or E
    exponent[np.searchsorted(starts, letters, side="right") - 1] = True
    types = np.where(ok, np.where((dot >= 0) | exponent, np.int8(CellType.FRACTIONAL),
                                  np.int8(CellType.INTEGRAL)), np.int8(CellType.STRING))
    return types, to_numpy(parsed, 0.0)


_FRACTIONAL_RE2 = r"^(-|\+)? ?[0-9]+((\.[0-9]+)|((\.[0-9]+)?[Ee][-+]?[0-9]+))$"
_INTEGRAL_RE2 = r"^(-|\+)? ?[0-9]+$"


def _numbers_by_regex(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Deequ's regexes (RE2 in Arrow), then Arrow's parser on the numbers without their space."""
    fractional = to_numpy(pc.match_substring_regex(cells, _FRACTIONAL_RE2), False)
    integral = to_numpy(pc.match_substring_regex(cells, _INTEGRAL_RE2), False)
    types = np.where(fractional, np.int8(CellType.FRACTIONAL),
                     np.where(integral, np.int8(CellType.INTEGRAL), np.int8(CellType.STRING)))
    values = np.zeros(len(cells), dtype=np.float64)
    where = np.flatnonzero(fractional | integral)
    if len(where):
        numbers = pc.replace_substring_regex(cells.take(from_numpy(where)), r"^([-+]?) ", r"\1")
        values[where] = to_numpy(pc.cast(numbers, pa.float64()), 0.0)
    return types.astype(np.int8), values


# Deequ's grammar (``REGEXES``), byte by byte over Arrow's buffers: types[i] is the CellType of
# cell i; counts[0] the numeric cells, counts[1] those with a space after their sign.
_CLASSIFY_C = r"""
#include <stdint.h>
#include <string.h>
static const uint8_t *digits(const uint8_t *p, const uint8_t *end) {
    while (p < end && *p >= '0' && *p <= '9') p++;
    return p;
}
static int8_t cell_type(const uint8_t *p, const uint8_t *end, int64_t *spaced) {
    long n = end - p;
    if ((n == 4 && !memcmp(p, "true", 4)) || (n == 5 && !memcmp(p, "false", 5))) return 3;
    int space = 0;
    if (p < end && (*p == '-' || *p == '+')) p++;
    if (p < end && *p == ' ') { p++; space = 1; }
    const uint8_t *q = digits(p, end);
    if (q == p) return 4;
    int8_t type = 2;                                  /* Integral: ^(-|\+)? ?\d+$ */
    if (q < end && *q == '.') {                       /* Fractional: \.\d+ ... */
        p = q + 1; q = digits(p, end);
        if (q == p) return 4;
        type = 1;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {        /* ... or (\.\d+)?[Ee][-+]?\d+ */
        p = q + 1;
        if (p < end && (*p == '-' || *p == '+')) p++;
        q = digits(p, end);
        if (q == p) return 4;
        type = 1;
    }
    if (q != end) return 4;
    *spaced += space;
    return type;
}
void classify_cells(const uint8_t *data, const int32_t *offsets, const uint8_t *valid, long n,
                    int8_t *types, int64_t *counts) {
    for (long i = 0; i < n; i++) {
        if (valid && !valid[i]) { types[i] = 0; continue; }
        types[i] = cell_type(data + offsets[i], data + offsets[i + 1], &counts[1]);
        counts[0] += types[i] == 1 || types[i] == 2;
    }
}
"""


@functools.cache
def _kernel():
    """The C classifier, or None without a C compiler (then Arrow's kernels and numpy classify)."""
    return c_function(_CLASSIFY_C, "classify_cells", [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                                      ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p])

"""Deequ's data-type inference on cell text (deequ-algorithms.md section 4), fast and exact.

Each cell is matched, whole and ASCII-only, against the newest generation of Deequ's regexes
(the one Spark 3.3 / Deequ 2.0.2 containers run), in the order Fractional, Integral, Boolean,
else String; a null cell is Unknown. ``REGEXES`` holds them for reference and for the tests;
``classify`` gives the same answer for a whole column at once with Arrow's kernels and numpy
(no per-cell Python), and parses numeric cells with Arrow's exactly-rounded parser.
"""

from __future__ import annotations

import re
from enum import IntEnum

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..formats.arrays import from_numpy, to_numpy

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
    c = [int(counts[t]) for t in _CELL_TYPES]
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


def classify(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Cell types (``CellType`` codes, int8) and parsed doubles (valid where numeric).

    Vectorised over the whole column with Arrow's kernels and numpy: a cell can be a number
    only if it starts with a digit, a sign or a space; those cells are parsed by Arrow's
    exactly-rounded parser and checked against the narrower Deequ grammar (``_numbers``).
    """
    column = as_text(column)
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

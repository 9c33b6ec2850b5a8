"""Deequ's data-type inference on cell text (deequ-algorithms.md section 4), fast and exact.

Each cell is matched, whole and ASCII-only, against the newest generation of Deequ's regexes
(the one Spark 3.3 / Deequ 2.0.2 containers run), in the order Fractional, Integral, Boolean,
else String; a null cell is Unknown. ``REGEXES`` holds them for reference and for the tests;
``classify`` runs the same automaton compiled with numba over Arrow's string buffers, and parses
numeric cells to doubles in the same pass (exactly rounded; hard cases go to Python's float).
"""

from __future__ import annotations

import re
from enum import IntEnum

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


_POW10 = np.array([10.0**i for i in range(23)])
_TRUE = np.frombuffer(b"true", dtype=np.uint8)
_FALSE = np.frombuffer(b"false", dtype=np.uint8)


@numba.njit(cache=True, nogil=True)
def _is_digit(b):
    return 48 <= b <= 57


@numba.njit(cache=True, nogil=True)
def _matches(data, start, end, word):
    if end - start != len(word):
        return False
    for i in range(len(word)):  # noqa: SIM110 - numba compiles loops, not generators
        if data[start + i] != word[i]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _classify_cell(data, start, end, pow10, true_w, false_w):
    """Return (type, value, exact): value is the parsed double when exact is True."""
    i = start
    neg = False
    if i < end and (data[i] == 45 or data[i] == 43):  # - +
        neg = data[i] == 45
        i += 1
    if i < end and data[i] == 32:  # one optional space after the sign
        i += 1
    mant = 0
    sig = 0  # significant digits taken into mant
    big = False
    scale = 0  # decimal exponent adjustment
    n_int = 0
    while i < end and _is_digit(data[i]):
        d = data[i] - 48
        if sig > 0 or d != 0:
            if sig < 19:
                mant = mant * 10 + d
                sig += 1
            else:
                big = True
                scale += 1
        n_int += 1
        i += 1
    if n_int == 0:
        return _word_type(data, start, end, true_w, false_w), 0.0, False
    if i == end:
        v, ok = _compose(neg, mant, scale, sig, big, pow10)
        return 2, v, ok
    if data[i] == 46:  # '.'
        i += 1
        n_frac = 0
        while i < end and _is_digit(data[i]):
            d = data[i] - 48
            if sig > 0 or d != 0:
                if sig < 19:
                    mant = mant * 10 + d
                    sig += 1
                    scale -= 1
                else:
                    big = True
            else:
                scale -= 1
            n_frac += 1
            i += 1
        if n_frac == 0:
            return 4, 0.0, False
        if i == end:
            v, ok = _compose(neg, mant, scale, sig, big, pow10)
            return 1, v, ok
    if data[i] == 69 or data[i] == 101:  # E e
        i += 1
        eneg = False
        if i < end and (data[i] == 45 or data[i] == 43):
            eneg = data[i] == 45
            i += 1
        n_exp = 0
        e = 0
        while i < end and _is_digit(data[i]):
            if e < 100000:
                e = e * 10 + (data[i] - 48)
            n_exp += 1
            i += 1
        if n_exp == 0 or i != end:
            return 4, 0.0, False
        scale += -e if eneg else e
        v, ok = _compose(neg, mant, scale, sig, big, pow10)
        return 1, v, ok
    return 4, 0.0, False


@numba.njit(cache=True, nogil=True)
def _word_type(data, start, end, true_w, false_w):
    if _matches(data, start, end, true_w) or _matches(data, start, end, false_w):
        return 3
    return 4


@numba.njit(cache=True, nogil=True)
def _compose(neg, mant, scale, sig, big, pow10):
    # Clinger's fast path: an exact integer mantissa and one exact power of ten give a
    # correctly rounded double; anything else is left to Python's float (exact = False)
    if mant == 0:
        return (-0.0 if neg else 0.0), True
    if big or mant > 9007199254740992 or scale > 22 or scale < -22:
        return 0.0, False
    v = float(mant) * pow10[scale] if scale >= 0 else float(mant) / pow10[-scale]
    return (-v if neg else v), True


@numba.njit(cache=True, nogil=True)
def _classify_all(data, offsets, valid, types, values, exact):
    for r in range(len(types)):
        if not valid[r]:
            types[r] = 0
            continue
        t, v, ok = _classify_cell(data, offsets[r], offsets[r + 1], _POW10, _TRUE, _FALSE)
        types[r] = t
        values[r] = v
        exact[r] = ok


def as_text(column: pa.Array) -> pa.Array:
    """A string column as it is, any other column cast to its text."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.string())


def classify(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Cell types (``CellType`` codes, int8) and parsed doubles (valid where numeric)."""
    column = as_text(column)
    n = len(column)
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    buffers = column.buffers()
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[column.offset : column.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    types = np.empty(n, dtype=np.int8)
    values = np.empty(n, dtype=np.float64)
    exact = np.ones(n, dtype=np.bool_)
    _classify_all(data, offsets, valid, types, values, exact)
    numeric = (types == CellType.FRACTIONAL) | (types == CellType.INTEGRAL)
    slow = np.flatnonzero(numeric & ~exact)
    if len(slow):
        values[slow] = _parse_hard(column.take(pa.array(slow)))
    return types, values


def _parse_hard(cells: pa.Array) -> np.ndarray:
    """Doubles the fast path could not round exactly: Arrow's parser (exactly rounded), or
    Python's float for the forms Arrow refuses (a space after the sign, as in ``"- 1"``)."""
    try:
        return pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return np.array([float(c.replace(" ", "", 1)) for c in cells.to_pylist()])

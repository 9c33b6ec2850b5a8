"""Arrow arrays to and from numpy and Python values, without pyarrow's pandas probe.

pyarrow imports pandas (half a second) the first time ``pa.array``, ``pa.scalar`` or a
non-zero-copy ``to_numpy`` runs, just to ask whether the input is a pandas object. The
analyzer's commands never hold one, so they build and read arrays through these functions,
straight from and to buffers (tests/test_startup.py checks that pandas stays unloaded).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = ["from_numpy", "is_valid", "repeated", "strings", "to_numpy", "validity", "with_nulls"]

_NUMPY_TYPES = {"double": np.float64, "float": np.float32, "int64": np.int64, "int32": np.int32,
                "int16": np.int16, "int8": np.int8, "uint8": np.uint8, "uint32": np.uint32,
                "uint64": np.uint64}
_ARROW_TYPES = {np.dtype(np.float64): pa.float64(), np.dtype(np.int64): pa.int64(),
                np.dtype(np.int32): pa.int32(), np.dtype(np.uint8): pa.uint8()}


def to_numpy(array: pa.Array, fill) -> np.ndarray:
    """A boolean or numeric array as numpy, nulls replaced by ``fill`` (read from the buffers:
    Arrow's ``fill_null`` would make a scalar, and with it import pandas)."""
    buffers = array.buffers()
    n, start = len(array), array.offset
    if len(buffers) < 2 or buffers[1] is None:  # a null-typed array, or no values at all
        return np.full(n, fill)
    values = _bits(buffers[1], start, n) if pa.types.is_boolean(array.type) else \
        np.frombuffer(buffers[1], dtype=_NUMPY_TYPES[str(array.type)])[start : start + n]
    if array.null_count:
        values = np.where(_bits(buffers[0], start, n), values, np.asarray(fill, dtype=values.dtype))
    return values


def is_valid(array: pa.Array) -> np.ndarray:
    """Which entries are not null, from the validity bitmap (``Array.is_valid`` is a compute
    kernel, and loading pyarrow.compute costs 60 ms that the capture reader need not pay)."""
    if array.null_count == 0:
        return np.ones(len(array), dtype=np.bool_)
    bitmap = array.buffers()[0]
    if bitmap is None:  # a null-typed array has no bitmap: every entry is null
        return np.zeros(len(array), dtype=np.bool_)
    return _bits(bitmap, array.offset, len(array))


def _bits(buffer: pa.Buffer, start: int, n: int) -> np.ndarray:
    """Arrow's little-endian bitmap as booleans."""
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")[start : start + n].view(np.bool_)


def validity(valid: np.ndarray | None) -> pa.Buffer | None:
    if valid is None or valid.all():
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def from_numpy(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A numeric or boolean numpy array as Arrow; ``valid`` (booleans) marks the non-nulls."""
    values = np.ascontiguousarray(values)
    nulls = 0 if valid is None else int(len(values) - np.count_nonzero(valid))
    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity(valid), data], nulls)
    kind = _ARROW_TYPES[values.dtype]
    return pa.Array.from_buffers(kind, len(values), [validity(valid), pa.py_buffer(values)], nulls)


def strings(values: Sequence[str | None]) -> pa.Array:
    """Python strings (None = null) as an Arrow string array."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    valid = np.array([v is not None for v in values], dtype=np.bool_)
    kind = pa.string() if offsets[-1] < 2**31 else pa.large_string()
    width = np.int32 if kind == pa.string() else np.int64
    buffers = [validity(valid), pa.py_buffer(offsets.astype(width)), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(kind, len(encoded), buffers, int(len(values) - valid.sum()))


def repeated(text: str, n: int) -> pa.Array:
    """``text`` ``n`` times as a string array, built from its buffers (no compute kernel)."""
    encoded = text.encode("utf-8")
    kind, width = (pa.string(), np.int32) if len(encoded) * n < 2**31 else (pa.large_string(), np.int64)
    offsets = np.arange(n + 1, dtype=width) * len(encoded)
    return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), pa.py_buffer(encoded * n)], 0)


def with_nulls(array: pa.Array, valid: np.ndarray) -> pa.Array:
    """A string array (without nulls, offset 0) with ``valid`` as its nulls, sharing its buffers."""
    buffers = array.buffers()
    return pa.Array.from_buffers(array.type, len(array), [validity(valid), *buffers[1:]],
                                 int(len(array) - np.count_nonzero(valid)))

"""Approximate distinct count: Deequ's HyperLogLog++ (p = 9, Spark's XXH64 with seed 42).

deequ-algorithms.md section 5. Registers depend only on the set of distinct texts, so chunks
add to them in any order and merge by maximum. The estimate follows Deequ's
``DeequHyperLogLogPlusPlusUtils.count``:
1. V = zero registers; if V > 0 and H = M ln(M / V) <= 400, the result is H (linear counting);
2. else the raw estimate E = alpha M^2 / sum(2^-register), and below 5M the bias of the published
   p = 9 tables is subtracted: the mean bias of the 6 table entries nearest to E (``_bias``);
3. rounded as Java's ``Math.round`` (half up), to an integer.
What is hashed: each non-null cell's text, as the service reads CSV and capture (``add_text``:
distinct values through the ``xxhash`` package on small data, a numba kernel over Arrow's
buffers once the data is large, so millions of cells cost one pass); ``add`` takes strings.
"""

from __future__ import annotations

import bisect
import functools
import math
import threading
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from .hll_bias import BIAS_P9, RAW_ESTIMATES_P9

__all__ = ["HLL_P", "HyperLogLog", "java_math_round"]

HLL_P = 9
_M = 1 << HLL_P
_LINEAR_COUNTING_THRESHOLD = 400.0  # Spark's THRESHOLDS(p - 4) for p = 9
_BIAS_NEIGHBOURS = 6  # Spark's K
_ALPHA_M2 = (0.7213 / (1.0 + 1.079 / _M)) * _M * _M
_SEED = 42
_MASK64 = (1 << 64) - 1
COMPILE_AFTER = 300_000  # cells hashed in this process before numba is loaded (as moments.py)
_seen = 0
_lock = threading.Lock()


class HyperLogLog:
    """512 six-bit registers; ``add``/``add_text`` values, ``merge`` by maximum, ``estimate``."""

    def __init__(self) -> None:
        self.registers = np.zeros(_M, dtype=np.uint8)

    def add(self, values: Iterable[str]) -> None:
        """Add Python strings (hashed as their UTF-8 bytes)."""
        for value in values:
            _update(self.registers, xxhash.xxh64_intdigest(value.encode("utf-8"), seed=_SEED))

    def add_text(self, column: pa.Array, compiled: bool | None = None) -> None:
        """Add every non-null cell of an Arrow string column.

        Small inputs hash their distinct values in Python; once this process has seen enough
        cells for it to pay for its load time, a numba kernel hashes every cell over Arrow's
        buffers. ``compiled`` forces a path (the tests check they agree).
        """
        global _seen
        if pa.types.is_large_string(column.type):
            column = column.cast(pa.string())
        if len(column) == 0 or column.null_count == len(column):
            return
        if compiled is None:
            with _lock:
                _seen += len(column)
                compiled = _seen > COMPILE_AFTER
        if not compiled:
            self.add(pc.unique(column.drop_null()).to_pylist())
            return
        buffers = column.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + len(column) + 1]
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
        valid = column.is_valid().to_numpy(zero_copy_only=False)
        _kernel()(data, offsets, valid, self.registers, np.uint64(_SEED))

    def merge(self, other: HyperLogLog) -> HyperLogLog:
        np.maximum(self.registers, other.registers, out=self.registers)
        return self

    def estimate(self) -> int:
        """Deequ's distinct-count estimate (see the module docstring)."""
        return estimate_from_registers(self.registers)


def estimate_from_registers(registers: np.ndarray) -> int:
    zeros = int(np.count_nonzero(registers == 0))
    if zeros:
        linear = _M * math.log(_M / zeros)
        if linear <= _LINEAR_COUNTING_THRESHOLD:
            return java_math_round(linear)
    z_inverse = 0.0
    for register in registers.tolist():  # in register order, as Deequ sums
        z_inverse += _inverse_power(register)
    raw = _ALPHA_M2 / z_inverse
    if raw < 5.0 * _M:
        raw -= _bias(raw)
    return java_math_round(raw)


def _inverse_power(register: int) -> float:
    """Deequ's ``1.0 / (1 << Midx)`` with an Int 1: Java masks the shift to 5 bits and
    ``1 << 31`` is negative. Registers of 31 and more are very rare (a 2^-30 chance per value);
    reproduced on purpose for exactness."""
    shifted = 1 << (register & 31)
    if shifted >= 1 << 31:
        shifted -= 1 << 32
    return 1.0 / shifted


def _bias(raw: float) -> float:
    """Mean bias of the 6 entries of the p = 9 table nearest to ``raw`` (Spark's window walk)."""
    n = len(RAW_ESTIMATES_P9)
    nearest = bisect.bisect_left(RAW_ESTIMATES_P9, raw)
    low = max(nearest - _BIAS_NEIGHBOURS + 1, 0)
    high = min(low + _BIAS_NEIGHBOURS, n)
    while high < n and (raw - RAW_ESTIMATES_P9[high]) ** 2 < (raw - RAW_ESTIMATES_P9[low]) ** 2:
        low += 1
        high += 1
    total = 0.0
    for i in range(low, high):
        total += BIAS_P9[i]
    return total / (high - low)


def java_math_round(x: float) -> int:
    """Java's ``Math.round(double)``: the nearest integer, halves up (exact, no x + 0.5 error)."""
    whole = math.floor(x)
    return int(whole) + (1 if x - whole >= 0.5 else 0)


def _update(registers: np.ndarray, h: int) -> None:
    idx = h >> (64 - HLL_P)
    w = ((h << HLL_P) & _MASK64) | (1 << (HLL_P - 1))
    rank = 65 - w.bit_length()  # 1 + leading zeros of the 64-bit word
    if rank > registers[idx]:
        registers[idx] = rank


# XXH64 (Yann Collet's published specification) in unsigned 64-bit arithmetic, one function so
# numba compiles it whole; it runs only compiled (see ``_kernel``).
_P1 = np.uint64(11400714785074694791)
_P2 = np.uint64(14029467366897019727)
_P3 = np.uint64(1609587929392839161)
_P4 = np.uint64(9650029242287828579)
_P5 = np.uint64(2870177450012600261)
_U0 = np.uint64(0)


def _hash_cells(data, offsets, valid, registers, seed):  # pragma: no cover - runs compiled
    """Add XXH64(seed) of every valid cell ``data[offsets[i]:offsets[i + 1]]`` to the registers."""
    top = np.uint64(1) << np.uint64(63)
    for row in range(len(valid)):
        if not valid[row]:
            continue
        i, end = offsets[row], offsets[row + 1]
        length = end - i
        if length >= 32:
            v = np.empty(4, dtype=np.uint64)
            v[0], v[1], v[2], v[3] = seed + _P1 + _P2, seed + _P2, seed, seed - _P1
            while i + 32 <= end:
                for lane in range(4):
                    word = _U0
                    for k in range(8):
                        word |= np.uint64(data[i + 8 * lane + k]) << np.uint64(8 * k)
                    acc = v[lane] + word * _P2
                    v[lane] = ((acc << np.uint64(31)) | (acc >> np.uint64(33))) * _P1
                i += 32
            h = (((v[0] << np.uint64(1)) | (v[0] >> np.uint64(63)))
                 + ((v[1] << np.uint64(7)) | (v[1] >> np.uint64(57)))
                 + ((v[2] << np.uint64(12)) | (v[2] >> np.uint64(52)))
                 + ((v[3] << np.uint64(18)) | (v[3] >> np.uint64(46))))
            for lane in range(4):
                acc = v[lane] * _P2
                acc = ((acc << np.uint64(31)) | (acc >> np.uint64(33))) * _P1
                h = (h ^ acc) * _P1 + _P4
        else:
            h = seed + _P5
        h += np.uint64(length)
        while i + 8 <= end:
            word = _U0
            for k in range(8):
                word |= np.uint64(data[i + k]) << np.uint64(8 * k)
            acc = word * _P2
            acc = ((acc << np.uint64(31)) | (acc >> np.uint64(33))) * _P1
            h ^= acc
            h = ((h << np.uint64(27)) | (h >> np.uint64(37))) * _P1 + _P4
            i += 8
        if i + 4 <= end:
            word = _U0
            for k in range(4):
                word |= np.uint64(data[i + k]) << np.uint64(8 * k)
            h ^= word * _P1
            h = ((h << np.uint64(23)) | (h >> np.uint64(41))) * _P2 + _P3
            i += 4
        while i < end:
            h ^= np.uint64(data[i]) * _P5
            h = ((h << np.uint64(11)) | (h >> np.uint64(53))) * _P1
            i += 1
        h ^= h >> np.uint64(33)
        h *= _P2
        h ^= h >> np.uint64(29)
        h *= _P3
        h ^= h >> np.uint64(32)
        idx = np.int64(h >> np.uint64(64 - HLL_P))
        w = (h << np.uint64(HLL_P)) | np.uint64(1 << (HLL_P - 1))
        rank = 1
        while (w & top) == _U0:
            w <<= np.uint64(1)
            rank += 1
        if rank > registers[idx]:
            registers[idx] = rank


@functools.cache
def _kernel():
    import numba

    return numba.njit(cache=True, nogil=True)(_hash_cells)

"""Approximate distinct count: Deequ's HyperLogLog++ (p = 9, Spark's XXH64 with seed 42).

deequ-algorithms.md section 5. Registers depend only on the set of distinct texts, so chunks
add to them in any order and merge by maximum. The estimate follows Deequ's
``DeequHyperLogLogPlusPlusUtils.count``:
1. V = zero registers; if V > 0 and H = M ln(M / V) <= 400, the result is H (linear counting);
2. else the raw estimate E = alpha M^2 / sum(2^-register), and below 5M the bias of the published
   p = 9 tables is subtracted: the mean bias of the 6 table entries nearest to E (``_bias``);
3. rounded as Java's ``Math.round`` (half up), to an integer.
Hashing runs in numba over Arrow's string buffers (``add_text``), so a numeric column of
millions of cells costs one pass; ``add`` takes Python strings for small inputs.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

import numba
import numpy as np
import pyarrow as pa
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


class HyperLogLog:
    """512 six-bit registers; ``add``/``add_text`` values, ``merge`` by maximum, ``estimate``."""

    def __init__(self) -> None:
        self.registers = np.zeros(_M, dtype=np.uint8)

    def add(self, values: Iterable[str]) -> None:
        """Add Python strings (hashed as their UTF-8 bytes)."""
        for value in values:
            _update(self.registers, xxhash.xxh64_intdigest(value.encode("utf-8"), seed=_SEED))

    def add_text(self, column: pa.Array) -> None:
        """Add every non-null cell of an Arrow string column (hashed in numba)."""
        if pa.types.is_large_string(column.type):
            column = column.cast(pa.string())
        if len(column) == 0 or column.null_count == len(column):
            return
        buffers = column.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + len(column) + 1]
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
        valid = column.is_valid().to_numpy(zero_copy_only=False)
        _add_cells(data, offsets, valid, self.registers)

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


# XXH64 (Yann Collet's published specification), unsigned 64-bit arithmetic throughout.
_P1 = np.uint64(11400714785074694791)
_P2 = np.uint64(14029467366897019727)
_P3 = np.uint64(1609587929392839161)
_P4 = np.uint64(9650029242287828579)
_P5 = np.uint64(2870177450012600261)


@numba.njit(cache=True, inline="always")
def _rotl(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


@numba.njit(cache=True, inline="always")
def _read64(data, i):
    v = np.uint64(0)
    for k in range(8):
        v |= np.uint64(data[i + k]) << np.uint64(8 * k)
    return v


@numba.njit(cache=True, inline="always")
def _read32(data, i):
    v = np.uint64(0)
    for k in range(4):
        v |= np.uint64(data[i + k]) << np.uint64(8 * k)
    return v


@numba.njit(cache=True, inline="always")
def _round(acc, lane):
    acc = acc + lane * _P2
    return _rotl(acc, 31) * _P1


@numba.njit(cache=True, inline="always")
def _merge_round(acc, v):
    acc ^= _round(np.uint64(0), v)
    return acc * _P1 + _P4


@numba.njit(cache=True)
def xxh64(data, start, end, seed):
    """XXH64 of ``data[start:end]`` (uint8 array) with a 64-bit seed."""
    length = end - start
    i = start
    if length >= 32:
        v1 = seed + _P1 + _P2
        v2 = seed + _P2
        v3 = seed
        v4 = seed - _P1
        while i + 32 <= end:
            v1 = _round(v1, _read64(data, i))
            v2 = _round(v2, _read64(data, i + 8))
            v3 = _round(v3, _read64(data, i + 16))
            v4 = _round(v4, _read64(data, i + 24))
            i += 32
        acc = _rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)
        acc = _merge_round(acc, v1)
        acc = _merge_round(acc, v2)
        acc = _merge_round(acc, v3)
        acc = _merge_round(acc, v4)
    else:
        acc = seed + _P5
    acc += np.uint64(length)
    while i + 8 <= end:
        acc ^= _round(np.uint64(0), _read64(data, i))
        acc = _rotl(acc, 27) * _P1 + _P4
        i += 8
    if i + 4 <= end:
        acc ^= _read32(data, i) * _P1
        acc = _rotl(acc, 23) * _P2 + _P3
        i += 4
    while i < end:
        acc ^= np.uint64(data[i]) * _P5
        acc = _rotl(acc, 11) * _P1
        i += 1
    acc ^= acc >> np.uint64(33)
    acc *= _P2
    acc ^= acc >> np.uint64(29)
    acc *= _P3
    acc ^= acc >> np.uint64(32)
    return acc


@numba.njit(cache=True, nogil=True)
def _add_cells(data, offsets, valid, registers):
    seed = np.uint64(_SEED)
    top = np.uint64(1) << np.uint64(63)
    for row in range(len(valid)):
        if not valid[row]:
            continue
        h = xxh64(data, offsets[row], offsets[row + 1], seed)
        idx = np.int64(h >> np.uint64(64 - HLL_P))
        w = (h << np.uint64(HLL_P)) | np.uint64(1 << (HLL_P - 1))
        rank = 1
        while (w & top) == np.uint64(0):
            w <<= np.uint64(1)
            rank += 1
        if rank > registers[idx]:
            registers[idx] = rank

"""Approximate distinct count: Deequ's HyperLogLog++ (p = 9, Spark's XXH64 with seed 42).

deequ-algorithms.md section 5. Registers depend only on the set of distinct texts, so chunks
add to them in any order and merge by maximum. The estimate follows Deequ's
``DeequHyperLogLogPlusPlusUtils.count``:
1. V = zero registers; if V > 0 and H = M ln(M / V) <= 400, the result is H (linear counting);
2. else the raw estimate E = alpha M^2 / sum(2^-register), and below 5M the bias of the published
   p = 9 tables is subtracted: the mean bias of the 6 table entries nearest to E (``_bias``);
3. rounded as Java's ``Math.round`` (half up), to an integer.
What is hashed: each non-null cell's text, as the service reads CSV and capture (``add_text``:
distinct values through the ``xxhash`` package on small data, a C loop over Arrow's buffers
once the data is large, so millions of cells cost one pass); ``add`` takes strings.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import math
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from ..formats.arrays import to_numpy
from ..native import c_function, compiled_pays
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

    __slots__ = ("registers",)

    def __init__(self) -> None:
        self.registers = np.zeros(_M, dtype=np.uint8)

    def add(self, values: Iterable[str]) -> None:
        """Add Python strings (hashed as their UTF-8 bytes)."""
        for value in values:
            _update(self.registers, xxhash.xxh64_intdigest(value.encode("utf-8"), seed=_SEED))

    def add_text(self, column: pa.Array, compiled: bool | None = None) -> None:
        """Add every non-null cell of an Arrow string column.

        Small inputs hash their distinct values in Python; once this process has seen enough
        cells for it to pay, a C loop (``native.py``) hashes every cell over Arrow's
        buffers. ``compiled`` forces a path (the tests check they agree).
        """
        if pa.types.is_large_string(column.type):
            column = column.cast(pa.string())
        if len(column) == 0 or column.null_count == len(column):
            return
        if compiled is None:
            compiled = compiled_pays(len(column))
        kernel = _kernel() if compiled else None
        if kernel is None:
            self.add(pc.unique(column.drop_null()).to_pylist())
            return
        buffers = column.buffers()
        offsets = np.ascontiguousarray(
            np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + len(column) + 1])
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(1, np.uint8)
        valid = np.ascontiguousarray(to_numpy(column.is_valid(), False)).view(np.uint8)
        kernel(data.ctypes.data, offsets.ctypes.data, valid.ctypes.data, len(column),
               self.registers.ctypes.data, _SEED)

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


# XXH64 (Yann Collet's published specification) over every valid cell of Arrow's string buffers,
# and the register update of ``_update``, in C (see native.py: built once, loaded in a millisecond).
_HASH_C = r"""
#include <stdint.h>
#include <string.h>
static const uint64_t P1 = 11400714785074694791ULL, P2 = 14029467366897019727ULL,
    P3 = 1609587929392839161ULL, P4 = 9650029242287828579ULL, P5 = 2870177450012600261ULL;
static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint64_t read64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint64_t read32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t lane(uint64_t acc, uint64_t word) { return rotl(acc + word * P2, 31) * P1; }
static uint64_t merge(uint64_t h, uint64_t v) { return (h ^ lane(0, v)) * P1 + P4; }
static uint64_t xxh64(const uint8_t *p, long len, uint64_t seed) {
    const uint8_t *end = p + len;
    uint64_t h;
    if (len >= 32) {
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        while (p + 32 <= end) {
            v1 = lane(v1, read64(p)); v2 = lane(v2, read64(p + 8));
            v3 = lane(v3, read64(p + 16)); v4 = lane(v4, read64(p + 24));
            p += 32;
        }
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4);
    } else {
        h = seed + P5;
    }
    h += (uint64_t)len;
    for (; p + 8 <= end; p += 8) h = rotl(h ^ lane(0, read64(p)), 27) * P1 + P4;
    if (p + 4 <= end) { h = rotl(h ^ (read32(p) * P1), 23) * P2 + P3; p += 4; }
    for (; p < end; p++) h = rotl(h ^ (*p * P5), 11) * P1;
    h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
    return h;
}
void hash_cells(const uint8_t *data, const int32_t *offsets, const uint8_t *valid, long n,
                uint8_t *registers, uint64_t seed) {
    for (long row = 0; row < n; row++) {
        if (!valid[row]) continue;
        uint64_t h = xxh64(data + offsets[row], offsets[row + 1] - offsets[row], seed);
        uint64_t w = (h << 9) | (1ULL << 8);
        uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
        if (rank > registers[h >> 55]) registers[h >> 55] = rank;
    }
}
"""


@functools.cache
def _kernel():
    """The C hash loop, or None without a C compiler (then distinct values go through xxhash)."""
    return c_function(_HASH_C, "hash_cells", [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                              ctypes.c_long, ctypes.c_void_p, ctypes.c_uint64])

"""Approximate distinct count: Spark's HyperLogLog++ as Deequ configures it (p = 9, XXH64 seed 42).

Registers depend only on the set of distinct values, so callers hash each chunk's unique values
and merge registers by maximum. The estimate uses linear counting up to 400 (Spark's threshold
for p = 9) and the raw HLL estimate above it. Spark also subtracts an empirical bias (from the
HLL++ paper's tables) for raw estimates under 2,560; we do not ship those tables, so between
about 400 and 2,560 distinct values our count can differ from the service's by a few percent.
The result is rounded like Java's ``Math.round`` (half up).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import xxhash

__all__ = ["HLL_P", "HyperLogLog"]

HLL_P = 9
_M = 1 << HLL_P
_LINEAR_COUNTING_THRESHOLD = 400.0
_MASK64 = (1 << 64) - 1


class HyperLogLog:
    """512 six-bit registers; ``add`` strings, ``merge`` by maximum, ``estimate``."""

    def __init__(self) -> None:
        self.registers = np.zeros(_M, dtype=np.uint8)

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            h = xxhash.xxh64_intdigest(value.encode("utf-8"), seed=42)
            idx = h >> (64 - HLL_P)
            w = ((h << HLL_P) & _MASK64) | (1 << (HLL_P - 1))
            rank = 65 - w.bit_length()  # 1 + leading zeros of the 64-bit word
            if rank > self.registers[idx]:
                self.registers[idx] = rank

    def merge(self, other: HyperLogLog) -> HyperLogLog:
        np.maximum(self.registers, other.registers, out=self.registers)
        return self

    def estimate(self) -> float:
        zeros = int(np.count_nonzero(self.registers == 0))
        if zeros:
            linear = _M * math.log(_M / zeros)
            if linear <= _LINEAR_COUNTING_THRESHOLD:
                return float(math.floor(linear + 0.5))
        alpha = 0.7213 / (1 + 1.079 / _M)
        raw = alpha * _M * _M / float(np.sum(np.ldexp(1.0, -self.registers.astype(np.int64))))
        return float(math.floor(raw + 0.5))

"""Deequ's KLL sketch, as Model Monitor runs it (deequ-algorithms.md section 1).

Deterministic: no randomness, so the same values in the same order give the same sketch, and
the file's ``sketch.data`` matches the real container's item for item. We write our own rather
than use a KLL library because every published implementation randomises compaction and sizes
levels differently; only Deequ's exact rules reproduce Model Monitor's buckets and distances.

The state (levels, per-level compaction counters and offset bits) is mergeable: ``merge``
follows Deequ's merge, which is also how Spark's final aggregation phase builds the result
(``finalize`` = merge into a fresh sketch, a quirk that matters at exactly 2050 values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["KLLState", "SKETCH_C", "SKETCH_K", "level_capacity"]

SKETCH_K = 2048
SKETCH_C = 0.64
MAX_LEVELS = 40  # 2**40 values: far beyond any data set this runs on
_LEVEL_SLOTS = 12_000  # > 2 x the total capacity of 40 levels (5,826): room for a merge
# Deequ's running min/max start at the 32-bit int limits (a quirk kept on purpose, see buckets)
_MIN_START = 2147483647.0
_MAX_START = -2147483648.0


def level_capacity(h: int, k: int = SKETCH_K, c: float = SKETCH_C) -> int:
    """``2 * (ceil(k * c**h / 2) + 1)`` in doubles; depends only on the level."""
    return int(2 * (math.ceil(k * math.pow(c, h) / 2) + 1))


_CAPS = np.array([level_capacity(h) for h in range(MAX_LEVELS)], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _java_order_key(x):
    # Java's Double.compare order (-0.0 < 0.0, NaN last) as a signed int64 key; an involution
    bits = x.view(np.int64)
    return bits ^ ((bits >> 63) & 0x7FFFFFFFFFFFFFFF)


@numba.njit(cache=True, nogil=True)
def _compact(levels, lengths, counters, offsets, h):
    n = lengths[h]
    even = n - (n % 2)
    if counters[h] % 2 == 1:
        offsets[h] = 1 - offsets[h]
    keys = _java_order_key(levels[h, :even].copy())
    keys.sort()
    ordered = _java_order_key(keys).view(np.float64)
    dest = lengths[h + 1]
    for i in range(offsets[h], even, 2):
        levels[h + 1, dest] = ordered[i]
        dest += 1
    lengths[h + 1] = dest
    if n % 2 == 1:
        levels[h, 0] = levels[h, n - 1]  # the level keeps its last item in arrival order
        lengths[h] = 1
    else:
        lengths[h] = 0
    counters[h] += 1


@numba.njit(cache=True, nogil=True)
def _condense(levels, lengths, counters, offsets, meta, caps):
    # meta = [number of levels, items held, total capacity]; one pass compacts one level
    for h in range(meta[0]):
        if lengths[h] >= caps[h]:
            if h == meta[0] - 1:
                meta[0] += 1
                meta[2] += caps[h + 1]
            _compact(levels, lengths, counters, offsets, h)
            total = 0
            for j in range(meta[0]):
                total += lengths[j]
            meta[1] = total
            return


@numba.njit(cache=True, nogil=True)
def _insert(levels, lengths, counters, offsets, meta, caps, values, minmax):
    for x in values:
        levels[0, lengths[0]] = x
        lengths[0] += 1
        meta[1] += 1
        if x < minmax[0]:
            minmax[0] = x
        if x > minmax[1]:
            minmax[1] = x
        if meta[1] > meta[2]:
            _condense(levels, lengths, counters, offsets, meta, caps)


@numba.njit(cache=True, nogil=True)
def _merge(levels, lengths, counters, offsets, meta, caps, other_levels, other_lengths, other_n):
    while meta[0] < other_n:
        meta[2] += caps[meta[0]]
        meta[0] += 1
    for h in range(other_n):
        for i in range(other_lengths[h]):
            levels[h, lengths[h]] = other_levels[h, i]
            lengths[h] += 1
    total = 0
    for j in range(meta[0]):
        total += lengths[j]
    meta[1] = total
    while meta[1] >= meta[2]:  # note: >= here, > on insert (Deequ's merge)
        _condense(levels, lengths, counters, offsets, meta, caps)


@dataclass
class KLLState:
    """A Deequ KLL sketch plus its running min and max (Spark's aggregate buffer)."""

    levels: np.ndarray
    lengths: np.ndarray
    counters: np.ndarray
    offsets: np.ndarray
    meta: np.ndarray  # [levels in use, items held, total capacity]
    minmax: np.ndarray  # Deequ's sketch min/max (start at the 32-bit int limits)

    @classmethod
    def empty(cls) -> KLLState:
        return cls(
            levels=np.empty((MAX_LEVELS, _LEVEL_SLOTS), dtype=np.float64),
            lengths=np.zeros(MAX_LEVELS, dtype=np.int64),
            counters=np.zeros(MAX_LEVELS, dtype=np.int64),
            offsets=np.zeros(MAX_LEVELS, dtype=np.int64),
            meta=np.array([1, 0, _CAPS[0]], dtype=np.int64),
            minmax=np.array([_MIN_START, _MAX_START]),
        )

    @classmethod
    def of(cls, values) -> KLLState:
        """One partition's sketch of these values, finalised as Spark does."""
        state = cls.empty()
        state.update(values)
        return state.finalize()

    def update(self, values) -> None:
        """Insert values in order (nulls must already be removed)."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        _insert(self.levels, self.lengths, self.counters, self.offsets, self.meta, _CAPS,
                values, self.minmax)

    def merge(self, other: KLLState) -> KLLState:
        """Merge ``other`` into this sketch (Deequ's merge; this sketch's counters are kept)."""
        _merge(self.levels, self.lengths, self.counters, self.offsets, self.meta, _CAPS,
               other.levels, other.lengths, int(other.meta[0]))
        self.minmax[0] = min(self.minmax[0], other.minmax[0])
        self.minmax[1] = max(self.minmax[1], other.minmax[1])
        return self

    def finalize(self) -> KLLState:
        """Spark's final phase: a fresh sketch with this one merged into it."""
        return KLLState.empty().merge(self)

    @property
    def data(self) -> list[list[float]]:
        """One list per level, level 0 first, each in stored (arrival) order."""
        return [self.levels[h, : self.lengths[h]].tolist() for h in range(int(self.meta[0]))]

    @classmethod
    def from_data(cls, data: list[list[float]], minimum: float, maximum: float) -> KLLState:
        """Rebuild a sketch from a statistics file's ``sketch.data`` (for distances)."""
        state = cls.empty()
        state.meta[0] = max(1, len(data))
        for h, items in enumerate(data):
            state.levels[h, : len(items)] = items
            state.lengths[h] = len(items)
        state.meta[1] = int(state.lengths.sum())
        state.meta[2] = int(_CAPS[: state.meta[0]].sum())
        state.minmax[:] = (minimum, maximum)
        return state

    def weighted_items(self) -> tuple[np.ndarray, np.ndarray]:
        """All items (level 0 first, stored order) and their weights 2**level."""
        n = int(self.meta[0])
        items = np.concatenate([self.levels[h, : self.lengths[h]] for h in range(n)])
        weights = np.concatenate(
            [np.full(self.lengths[h], float(2**h)) for h in range(n)]
        )
        return items, weights

    @property
    def weight(self) -> float:
        """Total weight: always the number of values inserted."""
        return float(sum(int(self.lengths[h]) << h for h in range(int(self.meta[0]))))

    def buckets(self, count: int = 10) -> list[tuple[float, float, float]]:
        """Equal-width buckets over the sketch's min and max, counted from ranks (section 1.11).

        Bounds are computed in exactly Deequ's order (subtract, multiply, divide, add), so the
        last upper bound can round below the max; then values equal to the max fall in no
        bucket. That is what the service does, and we keep it.
        """
        lo, hi = float(self.minmax[0]), float(self.minmax[1])
        items, weights = self.weighted_items()
        order = np.argsort(items, kind="stable")
        items, cum = items[order], np.concatenate([[0.0], np.cumsum(weights[order])])

        lows = [lo + ((hi - lo) * i) / count for i in range(count)]
        highs = [lo + ((hi - lo) * (i + 1)) / count for i in range(count)]
        # exclusive ranks r-(x) of every bound at once; the last bucket's top is inclusive, r(x)
        below_low = cum[np.searchsorted(items, lows, side="left")]
        top = cum[np.searchsorted(items, highs, side="left")]
        top[-1] = cum[np.searchsorted(items, highs[-1], side="right")]
        return [(low, high, float(t - b)) for low, high, t, b in zip(lows, highs, top, below_low, strict=True)]

    def rank_map(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct items ascending and their running weights (section 1.12).

        Quirk kept on purpose: each distinct item keeps only the weight of its last (highest
        level) copy; copies are not added. With repeated values the total falls below n.
        """
        items, weights = self.weighted_items()
        order = np.argsort(items, kind="stable")
        items, weights = items[order], weights[order]
        last = np.r_[items[1:] != items[:-1], True]
        return items[last], np.cumsum(weights[last])

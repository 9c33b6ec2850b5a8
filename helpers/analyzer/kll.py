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

import bisect
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["KLLState", "SKETCH_C", "SKETCH_K", "level_capacity"]

SKETCH_K = 2048
SKETCH_C = 0.64
MAX_LEVELS = 40  # 2**40 values: far beyond any data set this runs on
_LEVEL_SLOTS = 12_000  # > 2 x the total capacity of 40 levels (5,826): room for a merge
_FIRST_SLOTS = 16  # a sketch starts this small and grows: a wide table has many short columns
# Deequ's running min/max start at the 32-bit int limits (a quirk kept on purpose, see buckets)
_MIN_START = 2147483647.0
_MAX_START = -2147483648.0


def level_capacity(h: int, k: int = SKETCH_K, c: float = SKETCH_C) -> int:
    """``2 * (ceil(k * c**h / 2) + 1)`` in doubles; depends only on the level."""
    return int(2 * (math.ceil(k * math.pow(c, h) / 2) + 1))


_CAPS = np.array([level_capacity(h) for h in range(MAX_LEVELS)], dtype=np.int64)


_CAP_LIST = _CAPS.tolist()


def _java_sorted(items: np.ndarray) -> np.ndarray:
    """Items in Java's Double.compare order: numpy's order, with -0.0 before 0.0 (numpy
    treats them as equal, and its vectorised sort may even swap their signs, so the zeros are
    counted in the input). NaN never reaches a sketch: the profile refuses non-finite values."""
    ordered = np.sort(items)
    if not ordered[0] <= 0.0 <= ordered[-1]:  # no zero among them (most levels of most columns)
        return ordered
    lo, hi = np.searchsorted(ordered, 0.0, side="left"), np.searchsorted(ordered, 0.0, side="right")
    if hi > lo:
        negative = int(np.count_nonzero(np.signbit(items[items == 0.0])))
        ordered[lo : lo + negative] = -0.0
        ordered[lo + negative : hi] = 0.0
    return ordered


class _Counters:
    """A sketch's lengths, counters, offsets and meta as Python ints while values go in (numpy
    scalars are slow one at a time); ``save`` writes them back."""

    def __init__(self, state: KLLState):
        self.state = state
        self.lengths = state.lengths.tolist()
        self.counters = state.counters.tolist()
        self.offsets = state.offsets.tolist()
        self.levels_in_use, self.items, self.capacity = state.meta.tolist()

    @property
    def levels(self) -> np.ndarray:
        return self.state.levels

    def room(self, h: int, end: int) -> None:
        """Make level ``h`` hold at least ``end`` items (the storage grows by doubling)."""
        rows, slots = self.state.levels.shape
        if h < rows and end <= slots:
            return
        grown = np.empty((rows if h < rows else min(MAX_LEVELS, max(h + 1, 2 * rows)),
                          slots if end <= slots else min(_LEVEL_SLOTS, max(end, 2 * slots))))
        grown[:rows, :slots] = self.state.levels
        self.state.levels = grown

    def save(self, state: KLLState) -> None:
        state.lengths[:] = self.lengths
        state.counters[:] = self.counters
        state.offsets[:] = self.offsets
        state.meta[:] = (self.levels_in_use, self.items, self.capacity)

    def compact(self, h: int) -> None:
        """Sort level h (Java order), keep every other item from the offset bit on in level h + 1."""
        n = self.lengths[h]
        even = n - (n % 2)
        if self.counters[h] % 2 == 1:
            self.offsets[h] = 1 - self.offsets[h]
        kept = _java_sorted(self.levels[h, :even])[self.offsets[h] :: 2]
        dest = self.lengths[h + 1]
        self.room(h + 1, dest + len(kept))
        self.levels[h + 1, dest : dest + len(kept)] = kept
        self.lengths[h + 1] = dest + len(kept)
        if n % 2 == 1:
            self.levels[h, 0] = self.levels[h, n - 1]  # the level keeps its last item in arrival order
            self.lengths[h] = 1
        else:
            self.lengths[h] = 0
        self.counters[h] += 1

    def condense(self) -> None:
        """Compact the lowest full level (one level per call), growing a level when the top fills."""
        for h in range(self.levels_in_use):
            if self.lengths[h] >= _CAP_LIST[h]:
                if h == self.levels_in_use - 1:
                    self.levels_in_use += 1
                    self.capacity += _CAP_LIST[h + 1]
                self.compact(h)
                self.items = sum(self.lengths[: self.levels_in_use])
                return

    def insert(self, values: np.ndarray) -> None:
        """Deequ's insert, one value at a time in effect: values go to level 0 in runs that end
        exactly where a single insert would find the sketch over capacity and condense it."""
        done, n = 0, len(values)
        while done < n:
            run = min(n - done, max(self.capacity - self.items + 1, 1))
            start = self.lengths[0]
            self.room(0, start + run)
            self.levels[0, start : start + run] = values[done : done + run]
            self.lengths[0] = start + run
            self.items += run
            done += run
            if self.items > self.capacity:
                self.condense()

    def merge(self, other: KLLState) -> None:
        """Deequ's merge: the other sketch's levels appended to these, then condensed."""
        other_n = int(other.meta[0])
        while self.levels_in_use < other_n:
            self.capacity += _CAP_LIST[self.levels_in_use]
            self.levels_in_use += 1
        for h in range(other_n):
            count, start = int(other.lengths[h]), self.lengths[h]
            self.room(h, start + count)
            self.levels[h, start : start + count] = other.levels[h, :count]
            self.lengths[h] = start + count
        self.items = sum(self.lengths[: self.levels_in_use])
        while self.items >= self.capacity:  # note: >= here, > on insert (Deequ's merge)
            self.condense()


def _running_extremes(values: np.ndarray, minmax: np.ndarray) -> None:
    """``if x < min: min = x`` and ``if x > max: max = x`` over the values in order: the first
    of equal extremes is kept, which decides the sign of a zero."""
    if len(values) <= 32:  # a short chunk (a wide table's): the loop itself costs less than numpy's calls
        lo, hi = minmax.tolist()
        for x in values.tolist():
            if x < lo:
                lo = x
            if x > hi:
                hi = x
        minmax[:] = (lo, hi)
        return
    numbers = values[~np.isnan(values)]  # NaN is never below nor above anything
    if len(numbers) == 0:
        return
    lo, hi = numbers.min(), numbers.max()
    if lo < minmax[0]:
        minmax[0] = numbers[np.argmax(numbers == lo)]
    if hi > minmax[1]:
        minmax[1] = numbers[np.argmax(numbers == hi)]


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
            levels=np.empty((1, _FIRST_SLOTS), dtype=np.float64),
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
        work = _Counters(self)
        work.insert(values)
        work.save(self)
        if len(values):
            _running_extremes(values, self.minmax)

    def merge(self, other: KLLState) -> KLLState:
        """Merge ``other`` into this sketch (Deequ's merge; this sketch's counters are kept)."""
        work = _Counters(self)
        work.merge(other)
        work.save(self)
        self.minmax[0] = min(self.minmax[0], other.minmax[0])
        self.minmax[1] = max(self.minmax[1], other.minmax[1])
        return self

    def finalize(self) -> KLLState:
        """Spark's final phase: a fresh sketch with this one merged into it.

        Below capacity the merge condenses nothing: the fresh sketch is this one's levels with
        zero counters and offsets, made here directly (a wide table finalises 100k of them).
        """
        if int(self.meta[1]) >= int(self.meta[2]):
            return KLLState.empty().merge(self)
        levels_in_use = int(self.meta[0])
        lengths = np.zeros(MAX_LEVELS, dtype=np.int64)
        lengths[:levels_in_use] = self.lengths[:levels_in_use]
        return KLLState(
            levels=self.levels[:levels_in_use].copy(), lengths=lengths,
            counters=np.zeros(MAX_LEVELS, dtype=np.int64), offsets=np.zeros(MAX_LEVELS, dtype=np.int64),
            meta=self.meta.copy(),
            minmax=np.array([min(_MIN_START, self.minmax[0]), max(_MAX_START, self.minmax[1])]))

    @property
    def data(self) -> list[list[float]]:
        """One list per level, level 0 first, each in stored (arrival) order."""
        return [self.levels[h, : self.lengths[h]].tolist() for h in range(int(self.meta[0]))]

    @classmethod
    def from_data(cls, data: list[list[float]], minimum: float, maximum: float) -> KLLState:
        """Rebuild a sketch from a statistics file's ``sketch.data`` (for distances)."""
        state = cls.empty()
        state.meta[0] = max(1, len(data))
        state.levels = np.empty((max(1, len(data)), max([_FIRST_SLOTS, *map(len, data)])), dtype=np.float64)
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
        lows = [lo + ((hi - lo) * i) / count for i in range(count)]
        highs = [lo + ((hi - lo) * (i + 1)) / count for i in range(count)]
        if int(self.meta[1]) <= _FEW_ITEMS:
            return _few_item_buckets(self, lows, highs)
        return _array_buckets(self, lows, highs)

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


def _array_buckets(state: KLLState, lows: list[float], highs: list[float]) -> list[tuple[float, float, float]]:
    items, weights = state.weighted_items()
    order = np.argsort(items, kind="stable")
    items, cum = items[order], np.concatenate([[0.0], np.cumsum(weights[order])])
    # exclusive ranks r-(x) of every bound at once; the last bucket's top is inclusive, r(x)
    below_low = cum[np.searchsorted(items, lows, side="left")]
    top = cum[np.searchsorted(items, highs, side="left")]
    top[-1] = cum[np.searchsorted(items, highs[-1], side="right")]
    return [(low, high, float(t - b)) for low, high, t, b in zip(lows, highs, top, below_low, strict=True)]


_FEW_ITEMS = 64


def _few_item_buckets(state: KLLState, lows: list[float], highs: list[float]) -> list[tuple[float, float, float]]:
    """``KLLState.buckets`` for a sketch of a few items (a wide table's), in Python: the same
    stable order, running weights and binary searches as the numpy path, without its set-up."""
    pairs = []
    for h in range(int(state.meta[0])):
        pairs += [(x, float(2**h)) for x in state.levels[h, : state.lengths[h]].tolist()]
    pairs.sort(key=lambda pair: pair[0])  # stable, as argsort(kind="stable")
    items, cum = [x for x, _ in pairs], [0.0]
    for _, weight in pairs:
        cum.append(cum[-1] + weight)
    out = []
    for i, (low, high) in enumerate(zip(lows, highs, strict=True)):
        top = bisect.bisect_right(items, high) if i == len(lows) - 1 else bisect.bisect_left(items, high)
        out.append((low, high, float(cum[top] - cum[bisect.bisect_left(items, low)])))
    return out

"""Deequ's KLL sketch against the test vectors of deequ-algorithms.md section 1.14."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.analyzer.kll import KLLState, level_capacity


def sketch(n):
    return KLLState.of(np.arange(1.0, n + 1))


def test_level_capacities():
    assert [level_capacity(h) for h in range(18)] == [
        2050, 1314, 842, 540, 346, 222, 144, 94, 60, 40, 26, 18, 12, 10, 6, 6, 4, 4]


def test_2049_values_stay_in_one_level_in_input_order():
    s = sketch(2049)
    assert s.data == [list(np.arange(1.0, 2050))]
    assert [c for _, _, c in s.buckets()] == [205.0] * 4 + [204.0] + [205.0] * 5
    assert s.buckets()[1][:2] == (205.8, 410.6)


def test_2050_values_compact_in_the_final_merge():
    # the partial sketch is one full level; Spark's merge into a fresh sketch compacts it
    s = sketch(2050)
    assert s.data == [[], list(np.arange(1.0, 2050, 2))]
    assert [c for _, _, c in s.buckets()] == [206.0, 204.0] * 5


def test_2051_values():
    s = sketch(2051)
    assert s.data == [[2051.0], list(np.arange(1.0, 2050, 2))]
    assert [c for _, _, c in s.buckets()] == [206.0, 204.0] * 4 + [206.0, 205.0]


def test_5000_values_flip_the_offset_on_the_second_compaction():
    s = sketch(5000)
    assert [len(level) for level in s.data] == [610, 2195]
    assert s.data[0] == list(np.arange(4391.0, 5001))
    assert s.data[1] == list(np.arange(1.0, 2050, 2)) + list(np.arange(2052.0, 4391, 2))
    assert [c for _, _, c in s.buckets()] == [500.0] * 10


def test_10000_values():
    s = sketch(10000)
    level0, level1, level2 = s.data
    assert level0 == list(np.arange(9831.0, 10001))
    assert level1 == [7498.0] + list(np.arange(7499.0, 9830, 2))
    assert level2 == (list(np.arange(1.0, 2050, 4)) + list(np.arange(2054.0, 4387, 4))
                      + list(np.arange(4392.0, 7497, 4)))
    assert [c for _, _, c in s.buckets()] == [1000.0] * 10
    assert s.weight == 10000


def test_last_bucket_can_miss_the_max():
    # a quirk of the service kept on purpose: the last bound rounds below 2.2
    buckets = KLLState.of([-1.1, 0.0, 2.2, 2.2]).buckets()
    assert buckets[-1][1] == 2.1999999999999997
    assert [c for _, _, c in buckets] == [1.0, 0, 0, 1.0, 0, 0, 0, 0, 0, 0]


def test_min_starts_at_the_int_limit():
    # Deequ's running min starts at 2147483647.0: above it, the buckets start there
    s = KLLState.of([3e9, 4e9])
    assert s.buckets()[0][0] == 2147483647.0


def test_equal_min_and_max_put_everything_in_the_last_bucket():
    assert [c for _, _, c in KLLState.of([5.0] * 7).buckets()] == [0.0] * 9 + [7.0]


def test_java_order_for_signed_zeros():
    s = KLLState.empty()
    s.update([0.0, -0.0] * 1100)
    level1 = s.finalize().data[1]
    assert str(level1[0]) == "-0.0" and str(level1[-1]) == "0.0"


def test_rank_map_keeps_one_weight_per_distinct_value():
    keys, running = KLLState.of([1.0, 1.0, 2.0]).rank_map()
    assert keys.tolist() == [1.0, 2.0] and running.tolist() == [1.0, 2.0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=9000),
       st.integers(1, 4))
def test_merged_chunk_sketches_match_one_pass_within_the_sketch_error(values, parts):
    one = KLLState.of(values)
    merged = KLLState.empty()
    for chunk in np.array_split(np.array(values), parts):
        part = KLLState.empty()
        part.update(chunk)
        merged.merge(part)
    merged = merged.finalize()
    assert merged.weight == one.weight == len(values)
    a, b = np.array(one.buckets())[:, 2], np.array(merged.buckets())[:, 2]
    # rank error of a KLL sketch with k = 2048 stays well under 1 % of n
    assert np.max(np.abs(np.cumsum(a) - np.cumsum(b))) <= 0.01 * len(values) + 2


@pytest.mark.parametrize("n", [1, 2050, 2051, 7777])
def test_total_weight_is_conserved(n):
    values = np.random.default_rng(n).random(n)
    assert KLLState.of(values).weight == n


class _OneByOne:
    """Deequ's KLL written plainly, one value at a time (the reference for the run-wise code)."""

    def __init__(self):
        self.levels, self.counters, self.offsets = [[]], [0], [0]

    def capacity(self):
        return sum(level_capacity(h) for h in range(len(self.levels)))

    def compact(self, h):
        level = self.levels[h]
        even = len(level) - len(level) % 2
        if self.counters[h] % 2 == 1:
            self.offsets[h] = 1 - self.offsets[h]
        # Java's Double.compare order: -0.0 before 0.0
        ordered = sorted(level[:even], key=lambda x: (x, np.copysign(1.0, x)))
        self.levels[h + 1].extend(ordered[self.offsets[h]::2])
        self.levels[h] = level[even:]
        self.counters[h] += 1

    def condense(self):
        for h, level in enumerate(self.levels):
            if len(level) >= level_capacity(h):
                if h == len(self.levels) - 1:
                    self.levels.append([])
                    self.counters.append(0)
                    self.offsets.append(0)
                self.compact(h)
                return

    def update(self, values):
        for x in values:
            self.levels[0].append(x)
            if sum(map(len, self.levels)) > self.capacity():
                self.condense()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.5, -2.0, 7.25]) | st.floats(-1e3, 1e3, allow_nan=False),
                min_size=1, max_size=12_000), st.integers(1, 5))
def test_insert_in_runs_equals_inserting_one_by_one(values, parts):
    """Values go in by runs and are sorted by numpy; the sketch is the one-by-one sketch, to the
    sign of every zero and the compaction counters."""
    ours, reference = KLLState.empty(), _OneByOne()
    for part in np.array_split(np.array(values), parts):
        ours.update(part)
        reference.update(part.tolist())
    got = [[x.hex() for x in level] for level in ours.data]
    assert got == [[x.hex() for x in level] for level in reference.levels]
    assert ours.counters[: len(reference.counters)].tolist() == reference.counters


def test_the_few_item_buckets_are_the_array_buckets():
    """A sketch of a few items (a wide table's columns) is bucketed in Python: the same counts."""
    from helpers.analyzer.kll import _array_buckets, _few_item_buckets

    rng = np.random.default_rng(3)
    for trial in range(300):
        levels = [rng.choice([-0.0, 0.0, 1.0, 2.5, -3.0, 7.0, 1e-9], size=rng.integers(0, 20)).tolist()
                  for _ in range(rng.integers(1, 4))]
        if not any(levels):
            continue
        values = [v for level in levels for v in level]
        state = KLLState.from_data(levels, min(values), max(values) if trial % 3 else max(values) + 1e-12)
        lo, hi = float(state.minmax[0]), float(state.minmax[1])
        lows = [lo + ((hi - lo) * i) / 10 for i in range(10)]
        highs = [lo + ((hi - lo) * (i + 1)) / 10 for i in range(10)]
        assert _few_item_buckets(state, lows, highs) == _array_buckets(state, lows, highs)

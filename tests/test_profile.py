"""Profile properties: counts add up, chunks do not change results, inputs agree."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.reader import CsvSource

cell = st.one_of(st.none(), st.integers(-50, 50).map(str),
                 st.floats(-1e4, 1e4, allow_nan=False).map(repr), st.sampled_from(["a", "b", "true"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=300))
def test_counts_add_up(rows):
    frame = pd.DataFrame(rows, columns=["x", "y"], dtype=object)
    stats = run_baseline(frame).statistics
    for feature in stats.features:
        assert feature.common.num_present + feature.common.num_missing == stats.item_count
        num = feature.numerical_statistics
        if num is not None:
            counts = sum(b.count for b in num.kll.buckets)
            # the last bucket can miss the max when its bound rounds below it (kept on purpose)
            missed = 0 if num.kll.buckets[-1].upper_bound >= num.max else sum(
                1 for r in rows for v in [r[[f.name for f in stats.features].index(feature.name)]]
                if v is not None and float(v) == num.max)
            assert counts == feature.common.num_present - missed


def test_chunked_csv_reading_gives_identical_files(tmp_path):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"a": rng.normal(size=30_000), "b": rng.integers(0, 9, 30_000),
                          "c": rng.choice(["x", "y", "z"], 30_000)})
    frame.loc[::97, "a"] = np.nan
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    whole = run_baseline(CsvSource(path, block_bytes=64 << 20))
    chunked = run_baseline(CsvSource(path, block_bytes=20_000))
    assert chunked.statistics.to_json() == whole.statistics.to_json()
    assert chunked.constraints.to_json() == whole.constraints.to_json()
    assert run_baseline(frame).statistics.to_json() == whole.statistics.to_json()


def test_a_column_that_turns_string_late_counts_every_chunk(tmp_path):
    values = [str(i % 7) for i in range(20_000)] + ["seven"]
    path = tmp_path / "d.csv"
    path.write_text("v\n" + "\n".join(values) + "\n")
    feature = run_baseline(CsvSource(path, block_bytes=10_000)).statistics.feature("v")
    assert feature.inferred_type == "String"
    counts = {b.value: b.count for b in feature.string_statistics.buckets}
    assert counts["seven"] == 1 and sum(counts.values()) == 20_001
    assert feature.string_statistics.distinct_count == 8.0


def test_high_cardinality_strings_get_no_buckets():
    frame = pd.DataFrame({"id": [f"id-{i}" for i in range(5000)]})
    result = run_baseline(frame)
    strings = result.statistics.feature("id").string_statistics
    assert strings.distribution is None
    assert abs(strings.distinct_count - 5000) / 5000 < 0.1  # HLL with p = 9: about 5 % error
    assert result.constraints.feature("id").string_constraints is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)), min_size=1, max_size=2049))
def test_numeric_statistics_equal_the_spec_formulas(values):
    """Below 2050 values the sketch holds every value, so every figure is exact and checkable."""
    import math

    stats = run_baseline(pd.DataFrame({"v": values})).statistics.feature("v").numerical_statistics
    total = 0.0
    n, avg, m2 = 0, 0.0, 0.0
    for x in values:  # Spark's row-order sum and Welford update, written out independently
        total += x
        n += 1
        delta = x - avg
        avg += delta / n
        m2 += delta * (delta - delta / n)
    assert stats.sum == total and stats.mean == total / n and stats.std_dev == math.sqrt(m2 / n)
    assert (stats.min, stats.max) == (min(values), max(values))
    lo, hi = min(values), max(values)
    for i, bucket in enumerate(stats.kll.buckets):
        low, high = lo + ((hi - lo) * i) / 10, lo + ((hi - lo) * (i + 1)) / 10
        inside = sum(1 for x in values if low <= x < high or (i == 9 and x == high))
        assert (bucket.lower_bound, bucket.upper_bound, bucket.count) == (low, high, inside)
    assert stats.kll.sketch.data == [[float(x) for x in values]]


def test_python_and_compiled_moments_agree_to_the_bit():
    """The Welford loop gives the same bits in Python and compiled in C (no FMA, no reordering)."""
    import math
    import shutil

    import pytest

    from helpers.analyzer.moments import _compiled, accumulate

    if _compiled() is None:
        assert shutil.which("cc") is None and shutil.which("gcc") is None, "a compiler is there but the build failed"
        pytest.skip("no C compiler on this machine: the analyzer runs the Python loop only")

    rng = np.random.default_rng(9)
    columns = [rng.standard_normal(5000) * 1e6, np.round(rng.random(5000) * 100, 2),
               rng.integers(-5, 5, 5000).astype(float), np.array([0.0, -0.0, 5e-324, 1e308, -1e308, 3.0])]
    for values in columns:
        results = []
        for compiled in (False, True):
            acc = np.array([0.0, 0.0, 0.0, 0.0, math.inf, -math.inf])
            for part in np.array_split(values, 3):
                accumulate(part, acc, compiled=compiled)
            results.append(acc.view(np.int64).tolist())
        assert results[0] == results[1]


def test_short_chunks_counted_in_python_match_the_arrow_kernels():
    """Chunks of at most 32 cells (a wide table's) are counted in Python, longer ones with
    Arrow's kernels: value counts (in first-appearance order), distinct-count registers and
    in-domain counts are the same either way."""
    import pyarrow as pa

    from helpers.analyzer.profile import ColumnProfile

    cells = [None if i % 7 == 0 else f"v{(i * 5) % 11}" for i in range(200)] + ["x", "", "é", "true"]
    column = pa.array(cells, pa.string())
    whole, short = (ColumnProfile("c", domain=frozenset({"v1", "v3", "é"})) for _ in range(2))
    whole.update(0, column)
    for start in range(0, len(column), 16):
        short.update(start // 16, column.slice(start, 16), start)
    assert list(short.value_counts.items()) == list(whole.value_counts.items())
    assert short.hll.registers.tolist() == whole.hll.registers.tolist()
    assert (short.in_domain, short.type_counts.tolist()) == (whole.in_domain, whole.type_counts.tolist())

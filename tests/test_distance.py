import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.analyzer.distance import (
    chi_squared_distance,
    exact_ks,
    linf_categorical_distance,
    numerical_distance,
)
from helpers.analyzer.kll import KLLState


def test_deequ_vector_5000_against_10000():
    d = numerical_distance(KLLState.of(np.arange(1.0, 5001)), KLLState.of(np.arange(1.0, 10001)))
    assert d.simple == 0.5002
    assert d.robust == 0.4690230854637602
    assert d.by_method("Robust") == d.robust and d.by_method("Simple") == d.simple


def test_rank_map_quirk_compares_sets_of_values():
    # Deequ's distance is 0 here although the true KS distance is 1/3
    a, b = [1.0, 1.0, 2.0], [1.0, 2.0, 2.0]
    assert numerical_distance(KLLState.of(a), KLLState.of(b)).simple == 0.0
    assert exact_ks(a, b) == 1 / 3


def test_repeated_small_integers_use_deduplicated_totals():
    # n and m are the rank maps' totals (one weight per distinct value), not the row counts
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 56, 900), rng.integers(0, 51, 20000)
    d = numerical_distance(KLLState.of(a), KLLState.of(b))
    assert d.n == len(set(a.tolist())) == 56  # no compaction: every weight is 1
    keys, running = KLLState.of(b).rank_map()
    assert len(keys) == 51 and d.m == running[-1] < 2000
    assert d.simple > 0.05 and d.robust == 0.0


def test_linf_categorical_vector():
    d = linf_categorical_distance({"a": 100, "b": 0}, {"a": 60, "b": 40})
    assert d.simple == 0.4 and d.robust == 0.14544155877284293


def test_chi_squared_vector():
    d = chi_squared_distance({"a": 50, "b": 30, "c": 20, "d": 3},
                             {"a": 400, "b": 350, "c": 200, "d": 10, "e": 2, "f": 1})
    assert d.simple == 2.696230782754781
    assert math.isclose(d.robust, 0.2597292877440337, rel_tol=1e-12)  # commons-math vs SciPy CDF


def test_chi_squared_needs_two_categories_and_overlap():
    assert math.isnan(chi_squared_distance({"x": 5}, {"a": 5, "b": 5}).robust)
    assert math.isnan(chi_squared_distance({"a": 5}, {"a": 5}).simple)


finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=1, max_size=5000))
def test_a_data_set_against_itself_has_no_drift(values):
    s = KLLState.of(values)
    d = numerical_distance(s, KLLState.of(values))
    assert d.simple == 0.0 and d.robust == 0.0


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=1, max_size=3000), st.lists(finite, min_size=1, max_size=3000))
def test_corrected_distance_never_exceeds_plain(a, b):
    d = numerical_distance(KLLState.of(a), KLLState.of(b))
    assert 0.0 <= d.robust <= d.simple <= 1.0


def test_plain_distance_tracks_exact_ks_on_continuous_data():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 200_000), rng.normal(0.1, 1.1, 50_000)
    d = numerical_distance(KLLState.of(a), KLLState.of(b))
    assert abs(d.simple - exact_ks(a, b)) < 0.01

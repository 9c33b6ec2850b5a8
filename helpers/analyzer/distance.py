"""Drift distances: Deequ's numerical and categorical distances, and the exact KS for teaching.

Model Monitor's ``comparison_method`` maps onto Deequ's inverted flag: "Robust" (the default)
is the distance corrected for small samples, ``max(0, d - 1.8 * sqrt((n + m) / (n * m)))``;
"Simple" is the plain d. [inferred: only this mapping reproduces the real 2021 run's 0.138.]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .kll import KLLState

__all__ = [
    "Distance",
    "cdf_at",
    "chi_squared_distance",
    "exact_ks",
    "linf_categorical_distance",
    "numerical_distance",
]

ROBUST_C = 1.8


@dataclass(frozen=True)
class Distance:
    """A distance with both of Deequ's readings and the sample sizes it used."""

    simple: float
    robust: float
    n: float
    m: float

    def by_method(self, method: str | None) -> float:
        """The value for a constraints file's ``comparison_method`` (default "Robust")."""
        return self.simple if (method or "Robust") == "Simple" else self.robust


def _corrected(d: float, n: float, m: float, alpha: float | None = None) -> float:
    c = ROBUST_C if alpha is None else math.sqrt(-math.log(alpha / 2) / 2)
    return max(0.0, d - c * math.sqrt((n + m) / (n * m)))


def numerical_distance(baseline: KLLState, current: KLLState, alpha: float | None = None) -> Distance:
    """Deequ's L-infinity distance between two sketches' CDFs (deequ-algorithms.md section 2).

    Both CDFs come from the de-duplicating rank maps, so n and m are the rank maps' totals, not
    the row counts, and repeated values compare as sets: (1,1,2) against (1,2,2) gives 0. That
    is Deequ's quirk, and the service's; ``exact_ks`` gives the textbook statistic.
    """
    keys1, run1 = baseline.rank_map()
    keys2, run2 = current.rank_map()
    if len(keys1) == 0 or len(keys2) == 0:
        raise ValueError("cannot compare an empty sketch")
    n, m = float(run1[-1]), float(run2[-1])
    union = sorted_union(keys1, keys2)
    f1 = cdf_at(keys1, run1, union) / n
    f2 = cdf_at(keys2, run2, union) / m
    d = float(np.max(np.abs(f1 - f2), initial=0.0))
    return Distance(d, _corrected(d, n, m, alpha), n, m)


def sorted_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distinct values of both (sorted), as ``np.union1d`` gives them: its ``np.unique``
    imports numpy.ma on first use (15-20 ms of a monitoring run) to ask if an array is masked."""
    both = np.sort(np.concatenate((a, b)))
    return both[np.r_[True, both[1:] != both[:-1]]] if len(both) else both


def cdf_at(keys: np.ndarray, running: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A rank map's running weight at each point (the weight of the largest key <= point)."""
    idx = np.searchsorted(keys, points, side="right") - 1
    return np.where(idx >= 0, running[np.maximum(idx, 0)], 0.0)


def linf_categorical_distance(
    current: dict[str, int], baseline: dict[str, int], alpha: float | None = None
) -> Distance:
    """Max over categories of |p_current - p_baseline|, raw totals as n and m (section 3)."""
    n, m = float(sum(current.values())), float(sum(baseline.values()))
    if n == 0 or m == 0:
        raise ValueError("cannot compare an empty category distribution")
    keys = set(current) | set(baseline)
    d = max((abs(current.get(k, 0) / n - baseline.get(k, 0) / m) for k in keys), default=0.0)
    return Distance(d, _corrected(d, n, m, alpha), n, m)


def chi_squared_distance(current: dict[str, int], baseline: dict[str, int]) -> Distance:
    """Pearson goodness-of-fit of current counts against baseline proportions (section 3).

    ``simple`` holds the statistic and ``robust`` the p-value (Deequ's flag picks one the same
    way as for L-infinity). Small expected cells are merged as Deequ does; where Deequ breaks
    ties by hash-map order (not reproducible) we break them by category name. NaN under two
    categories or with no overlap.
    """
    from scipy.stats import chi2

    sample = float(sum(v for k, v in current.items() if k in baseline))
    total = float(sum(baseline.values()))
    expected = {k: v / total * sample for k, v in baseline.items()} if total and sample else {}
    observed = {k: float(current.get(k, 0)) for k in expected}
    _regroup(expected, observed)
    if len(expected) < 2:
        return Distance(math.nan, math.nan, sample, total)
    keys = sorted(expected)
    obs = np.array([observed[k] for k in keys])
    exp = np.array([expected[k] for k in keys])
    if abs(obs.sum() - exp.sum()) >= 1e-7:
        exp = exp * (obs.sum() / exp.sum())
    if np.any((exp == 0) & (obs > 0)):
        return Distance(math.inf, 0.0, sample, total)
    stat = float(np.sum(np.where(exp > 0, (obs - exp) ** 2 / np.where(exp > 0, exp, 1), 0.0)))
    p = 1.0 - float(chi2.cdf(stat, len(keys) - 1))  # one minus the CDF, as Spark computes it
    return Distance(stat, p, sample, total)


def _regroup(expected: dict[str, float], observed: dict[str, float]) -> None:
    while len(expected) >= 2:
        k = len(expected)
        threshold, allowed = (10.0, 0) if k == 2 else (5.0, math.floor(0.2 * k))
        if sum(1 for v in expected.values() if v < threshold) <= allowed:
            return
        smallest = min(expected, key=lambda key: (expected[key], key))
        e, o = expected.pop(smallest), observed.pop(smallest)
        target = min(expected, key=lambda key: (expected[key], key))
        expected[target] += e
        observed[target] += o


def exact_ks(a, b) -> float:
    """The true two-sample Kolmogorov-Smirnov statistic of raw values (for teaching)."""
    a = np.sort(np.asarray(a, dtype=float))
    b = np.sort(np.asarray(b, dtype=float))
    points = np.concatenate([a, b])
    fa = np.searchsorted(a, points, side="right") / len(a)
    fb = np.searchsorted(b, points, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))

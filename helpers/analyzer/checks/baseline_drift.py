"""baseline_drift_check: Deequ's distance between baseline and current distributions [verified wording].

Numeric features compare KLL sketches (``numerical_distance``); string features compare value
counts with L-infinity or, when the config says ``ChiSquared``, Pearson's test. For the
chi-squared test "Robust" reads the p-value and flags values below the threshold, "Simple"
reads the statistic and flags values above it [inferred]. Every distance computed is kept for
the run's ``feature_baseline_drift_<name>`` metric.
"""

from __future__ import annotations

import math

from ...formats.jsonfmt import java_double
from ...formats.statistics import FeatureStatistics
from ...formats.violations import Violation
from ..distance import Distance, chi_squared_distance, linf_categorical_distance, numerical_distance
from ..kll import KLLState
from ..profile import ColumnProfile
from .context import CheckContext

CHECK = "baseline_drift_check"


def check(ctx: CheckContext) -> list[Violation]:
    if not ctx.config.perform_comparison:
        return []
    found = []
    names = {f.name for f in ctx.baseline_statistics.features}
    for feature, column in ctx.evaluated_features():
        if feature.name not in names:
            continue
        measured = _distance(ctx, ctx.baseline_statistics.feature(feature.name), column)
        if isinstance(measured, str):
            ctx.note_not_evaluated(feature.name, CHECK, measured)
            continue
        value, threshold, drifted = measured
        ctx.drift_values[feature.name] = value
        if drifted:
            found.append(Violation(feature.name, CHECK, describe(value, threshold)))
    return found


def describe(distance: float, threshold: float) -> str:
    """The service's wording [verified on the 2020 log]."""
    return f"Baseline drift distance: {java_double(distance)} exceeds threshold: {java_double(threshold)}"


def _distance(ctx: CheckContext, base: FeatureStatistics, column: ColumnProfile):
    """(distance, threshold, drifted), or why no distance can be computed."""
    cfg = ctx.config
    if base.numerical_statistics is not None:
        kll = base.numerical_statistics.kll
        current = column.finished_sketch()
        if kll is None or kll.sketch is None or not any(kll.sketch.data):
            return "the baseline statistics hold no values in its KLL sketch"
        if current is None:
            return f"the current data has no numeric values in this column ({column.inferred_type})"
        stats = base.numerical_statistics
        baseline = KLLState.from_data(kll.sketch.data, stats.min, stats.max)
        dist = numerical_distance(baseline, current)
        ctx.distances[base.name] = dist
        value = dist.by_method(cfg.comparison_method)
        return value, cfg.comparison_threshold, value > cfg.comparison_threshold
    if base.string_statistics is not None:
        return _categorical_distance(ctx, base, column)
    return f"the baseline feature is {base.inferred_type}, with no distribution to compare"


def _categorical_distance(ctx: CheckContext, base: FeatureStatistics, column: ColumnProfile):
    cfg = ctx.config
    if not base.string_statistics.buckets:
        return "the baseline statistics hold no value counts (string_statistics.distribution.categorical)"
    if column.value_counts is None:
        return (f"the current data has more than {column.options.categorical_cap} distinct values, "
                "beyond the value counts kept")
    if not column.value_counts:
        return f"the current data has no text values in this column ({column.inferred_type})"
    expected = {b.value: b.count for b in base.string_statistics.buckets}
    threshold = cfg.categorical_comparison_threshold
    if cfg.categorical_drift_method == "ChiSquared":
        dist = chi_squared_distance(column.value_counts, expected)
        ctx.distances[base.name] = dist
        if cfg.comparison_method == "Simple":
            return dist.simple, threshold, dist.simple > threshold
        return dist.robust, threshold, not math.isnan(dist.robust) and dist.robust < threshold
    dist: Distance = linf_categorical_distance(column.value_counts, expected)
    ctx.distances[base.name] = dist
    value = dist.by_method(cfg.comparison_method)
    return value, threshold, value > threshold

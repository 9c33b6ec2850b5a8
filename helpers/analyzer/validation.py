"""The baseline files checked before any check runs, so a typo never turns a check off.

A switch is exactly "Enabled" or "Disabled" (the service's spelling: "enabled" or "Maybe"
would otherwise read as off, and a run on bad data would say "no violations"); a threshold is a
finite number in its range; ``version`` and ``inferred_type`` are values the service writes;
and a feature whose checks need statistics (the KLL sketch of a numeric feature, the value
counts of a string one) has them. Each refusal is a ``FormatError`` naming the file and field.
"""

from __future__ import annotations

import math

from ..formats.codec import FormatError
from ..formats.constraints import Constraints, DistributionConstraints, MonitoringConfig
from ..formats.statistics import FeatureStatistics, Statistics

__all__ = ["INFERRED_TYPES", "VERSIONS", "validate_baseline"]

SWITCH = ("Enabled", "Disabled")
COMPARISON_METHODS = ("Robust", "Simple")
CATEGORICAL_DRIFT_METHODS = ("LInfinity", "ChiSquared")
INFERRED_TYPES = ("Integral", "Fractional", "String", "Boolean", "Unknown")
VERSIONS = (0.0,)


def validate_baseline(statistics: Statistics, constraints: Constraints) -> None:
    """Refuse a baseline pair the checks could not honour; return quietly when it is sound."""
    stats_src, cons_src = _source(statistics), _source(constraints)
    _check_version(statistics.version, stats_src)
    _check_version(constraints.version, cons_src)
    config = constraints.monitoring_config
    if config is not None:
        _check_config(config, cons_src)
    for i, feature in enumerate(constraints.features):
        where = f"features[{i}]"
        _check_choice(feature.inferred_type, INFERRED_TYPES, cons_src, f"{where}.inferred_type")
        if feature.completeness is not None:
            _check_range(feature.completeness, 0.0, 1.0, cons_src, f"{where}.completeness")
        for block, holder in (("", feature), (".num_constraints", feature.num_constraints),
                              (".string_constraints", feature.string_constraints)):
            over = holder.monitoring_config_overrides if holder is not None else None
            if over is not None:
                prefix = f"{where}{block}.monitoring_config_overrides"
                _check_choice(over.evaluate_constraints, SWITCH, cons_src, f"{prefix}.evaluate_constraints")
                _check_choice(over.emit_metrics, SWITCH, cons_src, f"{prefix}.emit_metrics")
    drift = _drift_enabled(config)
    checked = {f.name for f in constraints.features if f.evaluated()} if _evaluated(config) else set()
    for i, feature in enumerate(statistics.features):
        _check_choice(feature.inferred_type, INFERRED_TYPES, stats_src, f"features[{i}].inferred_type")
        if drift and feature.name in checked:
            _check_drift_statistics(feature, stats_src, f"features[{i}]")


def _source(document) -> str:
    return getattr(document, "source", None) or f"<{type(document).__name__}>"


def _check_version(version: float, source: str) -> None:
    if version not in VERSIONS:
        raise FormatError(source, "version", f"expected {' or '.join(map(str, VERSIONS))} "
                          f"(the only version Model Monitor writes), got {version!r}")


def _check_config(config: MonitoringConfig, source: str) -> None:
    where = "monitoring_config"
    _check_choice(config.evaluate_constraints, SWITCH, source, f"{where}.evaluate_constraints")
    _check_choice(config.emit_metrics, SWITCH, source, f"{where}.emit_metrics")
    for name in ("datatype_check_threshold", "domain_content_threshold"):
        value = getattr(config, name)
        if value is not None:
            _check_range(value, 0.0, 1.0, source, f"{where}.{name}")
    if config.distribution_constraints is not None:
        _check_distribution(config.distribution_constraints, source, f"{where}.distribution_constraints")


def _check_distribution(dist: DistributionConstraints, source: str, where: str) -> None:
    _check_choice(dist.perform_comparison, SWITCH, source, f"{where}.perform_comparison")
    _check_choice(dist.comparison_method, COMPARISON_METHODS, source, f"{where}.comparison_method")
    _check_choice(dist.categorical_drift_method, CATEGORICAL_DRIFT_METHODS, source,
                  f"{where}.categorical_drift_method")
    if dist.comparison_threshold is not None:
        _check_range(dist.comparison_threshold, 0.0, 1.0, source, f"{where}.comparison_threshold")
    if dist.categorical_comparison_threshold is not None:
        # the chi-squared statistic ("Simple") is unbounded; distances and p-values lie in [0, 1]
        statistic = dist.categorical_drift_method == "ChiSquared" and dist.comparison_method == "Simple"
        _check_range(dist.categorical_comparison_threshold, 0.0, math.inf if statistic else 1.0,
                     source, f"{where}.categorical_comparison_threshold")


def _check_choice(value, allowed: tuple, source: str, where: str) -> None:
    if value is not None and value not in allowed:
        names = ", ".join(f'"{a}"' for a in allowed)
        raise FormatError(source, where, f"expected one of {names} (exactly), got {value!r}")


def _check_range(value: float, low: float, high: float, source: str, where: str) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high):
        upper = "" if math.isinf(high) else f" and {high}"
        span = f"between {low}{upper}" if upper else f"at least {low}"
        raise FormatError(source, where, f"expected a finite number {span}, got {value!r}")


def _evaluated(config: MonitoringConfig | None) -> bool:
    return config is None or config.evaluate_constraints in (None, "Enabled")


def _drift_enabled(config: MonitoringConfig | None) -> bool:
    dist = config.distribution_constraints if config is not None else None
    return dist is None or dist.perform_comparison in (None, "Enabled")


def _check_drift_statistics(feature: FeatureStatistics, source: str, where: str) -> None:
    """A numeric feature needs its KLL sketch, a string one its value counts (drift reads them)."""
    if feature.inferred_type in ("Integral", "Fractional"):
        num = feature.numerical_statistics
        if num is None:
            raise FormatError(source, f"{where}.numerical_statistics", f"missing: {feature.inferred_type} "
                              f"feature {feature.name!r} needs it for baseline_drift_check")
        sketch = num.kll.sketch if num.kll is not None else None
        if sketch is None:
            raise FormatError(source, f"{where}.numerical_statistics.distribution.kll.sketch",
                              f"missing: feature {feature.name!r} needs its KLL sketch for baseline_drift_check")
        if num.common.num_present > 0 and not any(sketch.data):
            raise FormatError(source, f"{where}.numerical_statistics.distribution.kll.sketch.data",
                              f"empty, but feature {feature.name!r} has {num.common.num_present} values "
                              "(baseline_drift_check needs them)")
    elif feature.inferred_type == "String" and feature.string_statistics is None:
        raise FormatError(source, f"{where}.string_statistics",
                          f"missing: String feature {feature.name!r} needs it for baseline_drift_check")

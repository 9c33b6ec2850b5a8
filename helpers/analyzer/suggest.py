"""Constraint suggestion: constraints.json from a profile, as Model Monitor's baseline job writes it.

Each rule is a small named function answering "does it apply?" with what it suggests:
- completeness: num_present / item_count as a raw double (not rounded) [verified];
- is_non_negative: the numeric minimum is >= 0 (Deequ's NonNegativeNumbersRule) [verified];
- domains: Deequ's CategoricalRangeRule for String and Boolean columns whose value counts are
  known: applies when the share of values seen exactly once (nulls one more entry) is <= 0.1;
  the domain lists the values by count, most frequent first (ties by value) [inferred].
- monitoring_config: the defaults of real suggestions; ``newer_container=True`` adds the
  categorical drift keys newer containers write.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formats.constraints import (
    Constraints,
    DistributionConstraints,
    FeatureConstraints,
    MonitoringConfig,
    NumConstraints,
    StringConstraints,
)
from .profile import ColumnProfile, Profile

__all__ = ["SuggestionOptions", "default_monitoring_config", "suggest_constraints"]

UNIQUE_SHARE_MAX = 0.1


@dataclass(frozen=True)
class SuggestionOptions:
    """newer_container: write categorical_comparison_threshold / categorical_drift_method."""

    newer_container: bool = False


def default_monitoring_config(newer_container: bool = False) -> MonitoringConfig:
    distribution = DistributionConstraints(
        perform_comparison="Enabled", comparison_threshold=0.1, comparison_method="Robust")
    if newer_container:
        distribution.categorical_comparison_threshold = 0.1
        distribution.categorical_drift_method = "LInfinity"
    return MonitoringConfig(
        evaluate_constraints="Enabled", emit_metrics="Enabled", datatype_check_threshold=1.0,
        domain_content_threshold=1.0, distribution_constraints=distribution)


def suggest_constraints(profile: Profile, options: SuggestionOptions | None = None) -> Constraints:
    options = options or SuggestionOptions()
    features = [_feature(col, profile.item_count) for col in profile.columns.values()]
    return Constraints(version=0.0, features=features,
                       monitoring_config=default_monitoring_config(options.newer_container))


def _feature(col: ColumnProfile, item_count: int) -> FeatureConstraints:
    kind = col.inferred_type
    feature = FeatureConstraints(col.name, kind, completeness=_completeness(col, item_count))
    if kind in ("Integral", "Fractional"):
        feature.num_constraints = NumConstraints(is_non_negative=_is_non_negative(col))
    elif kind in ("String", "Boolean"):
        domain = _categorical_domain(col)
        if domain is not None:
            feature.string_constraints = StringConstraints(domains=domain)
    return feature


def _completeness(col: ColumnProfile, item_count: int) -> float:
    return col.num_present / item_count if item_count else 0.0


def _is_non_negative(col: ColumnProfile) -> bool:
    return bool(col.moments[4] >= 0.0)


def _categorical_domain(col: ColumnProfile) -> list[str] | None:
    """Deequ's CategoricalRangeRule; None when it does not apply."""
    counts = col.value_counts
    if not counts:
        return None
    entries = list(counts.values())
    nulls = col.rows - col.num_present
    if nulls:
        entries.append(nulls)  # Deequ's histogram has a NullValue entry
    unique_share = sum(1 for c in entries if c == 1) / len(entries)
    if unique_share > UNIQUE_SHARE_MAX:
        return None
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

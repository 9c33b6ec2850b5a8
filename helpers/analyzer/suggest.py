"""Constraint suggestion: constraints.json from a profile, as Model Monitor's baseline job writes it.

Each rule is a small named function answering "does it apply?" with what it suggests:
- completeness: num_present / item_count as a raw double (not rounded) [verified];
- is_non_negative: the numeric minimum is >= 0 (Deequ's NonNegativeNumbersRule) [verified];
- domains: Deequ's CategoricalRangeRule for String and Boolean columns whose value counts are
  known: applies when the share of values seen exactly once (nulls one more entry) is <= 0.1;
  the domain lists the values in the order of the container generation: Scala HashMap order
  today, by count (ties by value) in the 2021 layout (``profile.categorical_order``).
- monitoring_config: the defaults of real suggestions; today's container adds
  ``categorical_comparison_threshold`` 0.1 and ``categorical_drift_method`` "LInfinity".
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formats.bulk import collector_paused
from ..formats.constraints import (
    Constraints,
    DistributionConstraints,
    FeatureConstraints,
    MonitoringConfig,
    NumConstraints,
    StringConstraints,
)
from ..formats.generation import Container, parse_container
from .profile import ColumnProfile, Profile, categorical_order

__all__ = ["SuggestionOptions", "default_monitoring_config", "suggest_constraints"]

UNIQUE_SHARE_MAX = 0.1


@dataclass(frozen=True)
class SuggestionOptions:
    """container: the generation whose constraints.json is written (today's by default)."""

    container: Container = Container.CURRENT

    def __post_init__(self) -> None:
        object.__setattr__(self, "container", parse_container(self.container))


def default_monitoring_config(container: Container | str = Container.CURRENT) -> MonitoringConfig:
    distribution = DistributionConstraints(
        perform_comparison="Enabled", comparison_threshold=0.1, comparison_method="Robust")
    if parse_container(container) is Container.CURRENT:
        distribution.categorical_comparison_threshold = 0.1
        distribution.categorical_drift_method = "LInfinity"
    return MonitoringConfig(
        evaluate_constraints="Enabled", emit_metrics="Enabled", datatype_check_threshold=1.0,
        domain_content_threshold=1.0, distribution_constraints=distribution)


@collector_paused()
def suggest_constraints(profile: Profile, options: SuggestionOptions | None = None) -> Constraints:
    options = options or SuggestionOptions()
    features = [_feature(col, profile.item_count, options.container) for col in profile.columns.values()]
    return Constraints(version=0.0, features=features,
                       monitoring_config=default_monitoring_config(options.container))


def _feature(col: ColumnProfile, item_count: int, container: Container) -> FeatureConstraints:
    kind = col.inferred_type
    feature = FeatureConstraints(col.name, kind, completeness=_completeness(col, item_count))
    if kind in ("Integral", "Fractional"):
        feature.num_constraints = NumConstraints(is_non_negative=_is_non_negative(col))
    elif kind in ("String", "Boolean"):
        domain = _categorical_domain(col, container)
        if domain is not None:
            feature.string_constraints = StringConstraints(domains=domain)
    return feature


def _completeness(col: ColumnProfile, item_count: int) -> float:
    return col.num_present / item_count if item_count else 0.0


def _is_non_negative(col: ColumnProfile) -> bool:
    return bool(col.moments[4] >= 0.0)


def _categorical_domain(col: ColumnProfile, container: Container) -> list[str] | None:
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
    return categorical_order(counts, container)

"""constraints.json: the suggested (or edited) constraints and the monitoring configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only by to_frame (a display helper)
    import pandas as pd

from .codec import Document, Model

__all__ = [
    "Constraints",
    "DistributionConstraints",
    "FeatureConstraints",
    "MonitoringConfig",
    "MonitoringConfigOverrides",
    "NumConstraints",
    "StringConstraints",
]


@dataclass
class MonitoringConfigOverrides(Model):
    """Per-feature switches (the SDK's ``Constraints.set_monitoring`` writes these)."""

    evaluate_constraints: str | None = None
    emit_metrics: str | None = None


@dataclass
class NumConstraints(Model):
    """A numeric feature's ``num_constraints``."""

    is_non_negative: bool | None = None
    monitoring_config_overrides: MonitoringConfigOverrides | None = None


@dataclass
class StringConstraints(Model):
    """A string feature's ``string_constraints`` (its domain of values)."""

    domains: list[str] | None = None
    monitoring_config_overrides: MonitoringConfigOverrides | None = None


@dataclass
class FeatureConstraints(Model):
    """One column's entry in constraints.json."""

    name: str
    inferred_type: str
    completeness: float | None = None
    num_constraints: NumConstraints | None = None
    string_constraints: StringConstraints | None = None
    monitoring_config_overrides: MonitoringConfigOverrides | None = None

    def overrides(self) -> MonitoringConfigOverrides | None:
        """The feature's overrides wherever the file put them (feature, num or string block)."""
        for holder in (self, self.num_constraints, self.string_constraints):
            if holder is not None and holder.monitoring_config_overrides is not None:
                return holder.monitoring_config_overrides
        return None

    def evaluated(self, default: bool = True) -> bool:
        """Whether checks run on this feature (per-feature override, else the file default)."""
        over = self.overrides()
        if over is None or over.evaluate_constraints is None:
            return default
        return over.evaluate_constraints == "Enabled"


@dataclass
class DistributionConstraints(Model):
    """When and how the baseline drift check compares distributions."""

    perform_comparison: str | None = None
    comparison_threshold: float | None = None
    comparison_method: str | None = None
    categorical_comparison_threshold: float | None = None
    categorical_drift_method: str | None = None


@dataclass
class MonitoringConfig(Model):
    """constraints.json's ``monitoring_config``."""

    evaluate_constraints: str | None = None
    emit_metrics: str | None = None
    datatype_check_threshold: float | None = None
    domain_content_threshold: float | None = None
    distribution_constraints: DistributionConstraints | None = None


@dataclass
class Constraints(Document):
    """A whole constraints.json."""

    version: float
    features: list[FeatureConstraints]
    monitoring_config: MonitoringConfig | None = None

    def feature(self, name: str) -> FeatureConstraints:
        for feat in self.features:
            if feat.name == name:
                return feat
        raise KeyError(f"no feature {name!r} in constraints (features: {[f.name for f in self.features]})")

    def to_frame(self) -> pd.DataFrame:
        """One row per feature, for display."""
        import pandas as pd

        rows = []
        for feat in self.features:
            nums, strs = feat.num_constraints, feat.string_constraints
            rows.append({
                "name": feat.name,
                "inferred_type": feat.inferred_type,
                "completeness": feat.completeness,
                "is_non_negative": nums.is_non_negative if nums else None,
                "domains": strs.domains if strs else None,
                "evaluated": feat.evaluated(),
            })
        columns = ["name", "inferred_type", "completeness", "is_non_negative", "domains", "evaluated"]
        return pd.DataFrame(rows, columns=columns).set_index("name")

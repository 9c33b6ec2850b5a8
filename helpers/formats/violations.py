"""constraint_violations.json: what a monitoring run found (written even when empty)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only by to_frame (a display helper)
    import pandas as pd

from .codec import Document, Model

__all__ = ["CHECK_TYPES", "ConstraintViolations", "Violation"]

CHECK_TYPES = (
    "data_type_check",
    "completeness_check",
    "baseline_drift_check",
    "categorical_values_check",
    "missing_column_check",
    "extra_column_check",
)


@dataclass
class Violation(Model):
    """One violated constraint: the feature, the check and what was found."""

    feature_name: str
    constraint_check_type: str
    description: str


@dataclass
class ConstraintViolations(Document):
    """A whole constraint_violations.json. Real files are not in column order."""

    violations: list[Violation] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.violations)

    def by_check(self, check: str) -> list[Violation]:
        return [v for v in self.violations if v.constraint_check_type == check]

    def to_frame(self) -> pd.DataFrame:
        """One row per violation, for display."""
        import pandas as pd

        columns = ["feature_name", "constraint_check_type", "description"]
        rows = [{c: getattr(v, c) for c in columns} for v in self.violations]
        return pd.DataFrame(rows, columns=columns)

"""missing_column_check: a baseline column the current records do not have.

The real wording is not public [unknown]; ours names both column counts.
"""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext

CHECK = "missing_column_check"


def check(ctx: CheckContext) -> list[Violation]:
    if not ctx.config.evaluate_constraints:
        return []
    expected = len(ctx.baseline_constraints.features)
    return [Violation(name, CHECK, (
        f"Missing column requirement is not met. Expected: {expected} columns. "
        f"Observed: Only {ctx.current_width} columns; {name} is not in the current data."))
        for name in ctx.missing_columns]

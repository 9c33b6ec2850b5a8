"""extra_column_check: a current column the baseline does not have.

The real wording is not public [unknown]; ours names both column counts.
"""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext

CHECK = "extra_column_check"


def check(ctx: CheckContext) -> list[Violation]:
    if not ctx.config.evaluate_constraints:
        return []
    expected = len(ctx.baseline_constraints.features)
    return [Violation(name, CHECK, (
        f"Extra column requirement is not met. Expected: {expected} columns. "
        f"Observed: {ctx.current_width} columns; {name} is not in the baseline."))
        for name in ctx.extra_columns]

"""missing_column_check: the current data lacks baseline columns [verified wording, 2026].

One violation for the data set, not one per column (feature_name "Missing columns"). Checks of
the columns that are present still run.
"""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext, column_count_violation

CHECK = "missing_column_check"


def check(ctx: CheckContext) -> list[Violation]:
    return column_count_violation(ctx, CHECK, "missing") if ctx.missing_columns else []

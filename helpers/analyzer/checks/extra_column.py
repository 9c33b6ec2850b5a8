"""extra_column_check: the current data has columns the baseline lacks [inferred wording].

By symmetry with the verified missing-column violation: one violation named "Extra columns".
"""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext, column_count_violation

CHECK = "extra_column_check"


def check(ctx: CheckContext) -> list[Violation]:
    return column_count_violation(ctx, CHECK, "extra") if ctx.extra_columns else []

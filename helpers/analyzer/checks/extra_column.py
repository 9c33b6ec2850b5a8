"""extra_column_check: a current column the baseline does not have."""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext, column_violations

CHECK = "extra_column_check"


def check(ctx: CheckContext) -> list[Violation]:
    return column_violations(ctx, ctx.extra_columns, CHECK, "Extra",
                             "{width} columns; {name} is not in the baseline.")

"""missing_column_check: a baseline column the current records do not have."""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext, column_violations

CHECK = "missing_column_check"


def check(ctx: CheckContext) -> list[Violation]:
    return column_violations(ctx, ctx.missing_columns, CHECK, "Missing",
                             "Only {width} columns; {name} is not in the current data.")

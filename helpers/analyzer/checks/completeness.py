"""completeness_check: current num_present / item_count below the baseline's completeness [verified wording]."""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext, percent

CHECK = "completeness_check"


def check(ctx: CheckContext) -> list[Violation]:
    found = []
    for feature, column in ctx.evaluated_features():
        if feature.completeness is None:
            ctx.note_not_evaluated(feature.name, CHECK, "the baseline constraints give no completeness")
            continue
        observed = column.num_present / column.rows
        if observed < feature.completeness:
            found.append(Violation(feature.name, CHECK, (
                f"Data completeness requirement is not met. Expected: {percent(feature.completeness)}%. "
                f"Observed: Only {percent(observed)}%.")))
    return found

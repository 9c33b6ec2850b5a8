"""categorical_values_check: the share of current values inside the baseline's domain.

The real wording is not public [unknown]; ours follows the style of the verified templates.
"""

from __future__ import annotations

from ...formats.violations import Violation
from .context import CheckContext, percent

CHECK = "categorical_values_check"


def check(ctx: CheckContext) -> list[Violation]:
    found = []
    threshold = ctx.config.domain_content_threshold
    for feature, column in ctx.evaluated_features():
        domains = feature.string_constraints.domains if feature.string_constraints else None
        if not domains or column.num_present == 0:
            continue
        ratio = column.in_domain / column.num_present
        if ratio < threshold:
            found.append(Violation(feature.name, CHECK, (
                f"Categorical value requirement is not met. Expected: {percent(threshold)}% of values "
                f"in the baseline domain. Observed: Only {percent(ratio)}% of data is in the domain.")))
    return found

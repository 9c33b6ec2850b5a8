"""data_type_check: the share of non-null current values of the baseline's type [verified wording]."""

from __future__ import annotations

from ...formats.violations import Violation
from ..datatypes import CellType
from .context import CheckContext, percent

CHECK = "data_type_check"
_CELL_OF = {"Fractional": CellType.FRACTIONAL, "Integral": CellType.INTEGRAL,
            "Boolean": CellType.BOOLEAN, "String": CellType.STRING}


def match_ratio(expected: str, counts, integral_satisfies_fractional: bool = False) -> float | None:
    """Matching cells over non-null cells (Deequ's hasDataType); None with no non-null cell."""
    present = int(counts[1:].sum())
    if present == 0 or expected not in _CELL_OF:
        return None
    matching = int(counts[_CELL_OF[expected]])
    if expected == "Fractional" and integral_satisfies_fractional:
        matching += int(counts[CellType.INTEGRAL])
    return matching / present


def check(ctx: CheckContext) -> list[Violation]:
    found = []
    threshold = ctx.config.datatype_check_threshold
    for feature, column in ctx.evaluated_features():
        expected = feature.inferred_type
        ratio = match_ratio(expected, column.type_counts, ctx.options.integral_satisfies_fractional)
        if ratio is not None and ratio < threshold:
            found.append(Violation(feature.name, CHECK, (
                f"Data type match requirement is not met. Expected data type: {expected}, "
                f"Expected match: {percent(threshold)}%. Observed: Only {percent(ratio)}% of data is {expected}.")))
    return found

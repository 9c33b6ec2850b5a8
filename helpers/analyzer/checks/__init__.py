"""The six monitoring checks, one module each, run in a fixed order.

A check that fails on one feature never stops the others: each returns its violations.
"""

from __future__ import annotations

from ...formats.violations import Violation
from . import (
    baseline_drift,
    categorical_values,
    completeness,
    data_type,
    extra_column,
    missing_column,
)
from .context import CheckContext, CheckOptions, NotEvaluated, ResolvedConfig

__all__ = ["ALL_CHECKS", "CheckContext", "CheckOptions", "NotEvaluated", "ResolvedConfig", "run_checks"]

ALL_CHECKS = (data_type, completeness, baseline_drift, categorical_values, missing_column, extra_column)


def run_checks(ctx: CheckContext) -> list[Violation]:
    found: list[Violation] = []
    for module in ALL_CHECKS:
        found.extend(module.check(ctx))
    return found

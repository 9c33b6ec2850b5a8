"""A monitoring run: the current window against the baseline, as the hourly job does it.

Writes (through ``MonitoringResult.write``) the run's statistics.json, a fresh constraints.json
suggested from the current data, and constraint_violations.json (even when empty), and returns
the CloudWatch metrics the run would publish.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.compute as pc

from ..capture import CaptureProblem, CaptureRows
from ..formats.constraints import Constraints
from ..formats.generation import Container
from ..formats.reportset import write_report_set
from ..formats.statistics import Statistics
from ..formats.violations import ConstraintViolations
from .baseline import generation_options, table_source
from .capture_source import CaptureSource
from .checks import CheckContext, CheckOptions, NotEvaluated, ResolvedConfig, run_checks
from .distance import Distance
from .metrics import FeatureMetric
from .problems import summarise_problems
from .profile import Profile, ProfileOptions, profile_table
from .reader import AnalyzerInputError, ArrowSource, RowProblem, TableSource
from .suggest import SuggestionOptions, suggest_constraints
from .validation import validate_baseline

if TYPE_CHECKING:
    import pandas as pd

    from ..capture.readahead import ReadAhead

__all__ = ["MonitoringResult", "NoDataError", "exit_message", "not_evaluated_note", "not_evaluated_part",
           "run_monitor"]

NO_DATA_MESSAGE = "Job inputs had no data"


class NoDataError(AnalyzerInputError):
    """The window held no records: the real job fails with "Job inputs had no data"."""

    def __init__(self, detail: str = ""):
        super().__init__(NO_DATA_MESSAGE + (f" ({detail})" if detail else ""))


@dataclass
class MonitoringResult:
    statistics: Statistics
    constraints: Constraints
    violations: ConstraintViolations
    metrics: list[FeatureMetric]
    distances: dict[str, Distance]
    profile: Profile
    problems: list[RowProblem | CaptureProblem] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    shadow_records: int = 0  # capture records of a shadow variant, skipped (section 3b)

    @property
    def status(self) -> str:
        return "CompletedWithViolations" if len(self.violations) else "Completed"

    @property
    def exit_message(self) -> str:
        """The execution's ExitMessage, worded as the service words it, then the checks that
        could not be evaluated (the service's own message would not say; ours never hides them)."""
        return exit_message(len(self.violations)) + not_evaluated_note(self.not_evaluated)

    def write(self, folder: str | Path) -> list[Path]:
        """The three report files, all or nothing (see ``write_report_set``)."""
        return write_report_set(folder, {
            "statistics.json": self.statistics.to_json().encode("utf-8"),
            "constraints.json": self.constraints.to_json().encode("utf-8"),
            "constraint_violations.json": self.violations.to_json().encode("utf-8")})


def exit_message(violations: int) -> str:
    """A completed run's ExitMessage, worded as the service words it."""
    if not violations:
        return "Completed: Job completed successfully with no violations."
    return f"CompletedWithViolations: Job completed successfully with {violations} violations."


def run_monitor(
    baseline_statistics: Statistics,
    baseline_constraints: Constraints,
    *,
    capture: str | Path | Iterable[str | Path] | CaptureRows | ReadAhead | None = None,
    dataset: str | Path | pd.DataFrame | TableSource | None = None,
    header: bool = True,
    container: Container | str | None = None,
    check_options: CheckOptions | None = None,
    profile_options: ProfileOptions | None = None,
    suggestion_options: SuggestionOptions | None = None,
) -> MonitoringResult:
    """Analyse the current data (capture files or a data set) against the baseline.

    ``capture``: files and folders, decoded rows, or a ``ReadAhead`` already reading the files.
    Capture and a headerless data set (``header=False``) are mapped by position onto the
    baseline's column names. ``container``: "current" (default) or "2021", the generation of
    the files written.
    """
    names = _baseline_names(baseline_statistics, baseline_constraints)
    validate_baseline(baseline_statistics, baseline_constraints)
    profile_options, suggestion_options = generation_options(container, profile_options, suggestion_options)
    problems: list = []
    shadow = 0
    if (capture is None) == (dataset is None):
        raise ValueError("give exactly one of capture= or dataset=")
    if isinstance(capture, CaptureRows):
        problems.extend(capture.problems)
        shadow = capture.shadow_records
        if len(capture) == 0:
            raise NoDataError(_unusable(capture.records, capture.problems, capture.shadow_records))
        source: TableSource = ArrowSource(capture.table, name="capture")
    elif capture is not None:
        source = CaptureSource(capture, names)  # read block by block while profiling
    else:
        source = table_source(dataset, header, names=names)
    domains = {f.name: f.string_constraints.domains for f in baseline_constraints.features
               if f.string_constraints and f.string_constraints.domains}
    profile = profile_table(source, profile_options, {k: v for k, v in domains.items() if k in source.columns})
    problems.extend(profile.problems)
    if isinstance(source, CaptureSource):
        shadow = source.shadow
        if profile.item_count == 0:
            raise NoDataError(_unusable(source.records, source.problems, source.shadow))
    if isinstance(capture, CaptureRows):
        width = int(pc.max(capture.meta.column("num_values")).as_py())
    else:
        width = source.width if isinstance(source, CaptureSource) else len(source.columns)
    current_names = (names[:width] + [c for c in source.columns if c not in names]
                     if capture is not None else list(source.columns))
    if profile.item_count == 0:
        skipped = summarise_problems(profile.problems)
        raise NoDataError(f"{source.name} has no data rows"
                          + (f"; {len(profile.problems)} rows could not be used: {skipped}" if skipped else ""))
    ctx = CheckContext(
        baseline_statistics, baseline_constraints, profile,
        ResolvedConfig.of(baseline_constraints.monitoring_config), check_options or CheckOptions(),
        missing_columns=[n for n in names if n not in current_names],
        extra_columns=[n for n in current_names if n not in names],
        current_width=width,
    )
    violations = ConstraintViolations(run_checks(ctx))
    return MonitoringResult(
        statistics=profile.to_statistics(),
        constraints=suggest_constraints(profile, suggestion_options),
        violations=violations,
        metrics=_metrics(ctx),
        distances=dict(ctx.distances),
        profile=profile,
        problems=problems,
        not_evaluated=list(ctx.not_evaluated),
        shadow_records=shadow,
    )


NOT_EVALUATED = "Not evaluated ("


def not_evaluated_note(notes: list[NotEvaluated]) -> str:
    """`` Not evaluated (N): ...`` after the exit message, or nothing when every check ran."""
    if not notes:
        return ""
    return f" {NOT_EVALUATED}{len(notes)}): " + "; ".join(map(str, notes)) + "."


def not_evaluated_part(message: str) -> str:
    """The ``Not evaluated (N): ...`` part of an execution's ExitMessage ("" when there is none)."""
    at = message.find(NOT_EVALUATED)
    return message[at:] if at >= 0 else ""


def _unusable(records: int, problems: list[CaptureProblem], shadow: int = 0) -> str:
    """Why a capture gave no rows: the records seen, and the reasons (counted, then the first)."""
    skipped = f" ({shadow} from a shadow variant, skipped)" if shadow else ""
    if not problems:
        return f"{records} capture records, none usable{skipped}" if records else ""
    refused = sum(p.line is None for p in problems)
    files = f", {refused} files not read" if refused else ""
    return f"{records} capture records, none usable{skipped}{files}: {summarise_problems(problems)}"


def _baseline_names(stats: Statistics, constraints: Constraints) -> list[str]:
    names = [f.name for f in constraints.features]
    stat_names = [f.name for f in stats.features]
    if names != stat_names:
        only_c = [n for n in names if n not in stat_names]
        only_s = [n for n in stat_names if n not in names]
        raise AnalyzerInputError(
            "baseline statistics and constraints do not match: "
            f"only in constraints {only_c}, only in statistics {only_s}"
            + ("" if only_c or only_s else " (same features in another order)"))
    return names


def _metrics(ctx: CheckContext) -> list[FeatureMetric]:
    if not ctx.config.emit_metrics:
        return []
    out: list[FeatureMetric] = []
    for feature in ctx.baseline_constraints.features:
        column = ctx.current.columns.get(feature.name)
        over = feature.overrides()
        if column is None or feature.name in ctx.missing_columns or (over and over.emit_metrics == "Disabled"):
            continue
        if feature.name in ctx.drift_values and not math.isnan(ctx.drift_values[feature.name]):
            out.append(FeatureMetric(f"feature_baseline_drift_{feature.name}", ctx.drift_values[feature.name]))
        out.append(FeatureMetric(f"feature_non_null_{feature.name}", column.num_present / column.rows))
        if column.inferred_type in ("Integral", "Fractional") and column.num_present:
            n, total, _, _, lo, hi = column.moments.tolist()
            out.append(FeatureMetric(f"feature_data_{feature.name}", statistic_values={
                "SampleCount": n, "Sum": total, "Minimum": lo, "Maximum": hi}))
    return out

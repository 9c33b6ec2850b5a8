"""The baseline job: statistics.json and constraints.json from a training data set."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..formats.constraints import Constraints
from ..formats.reportset import write_report_set
from ..formats.statistics import Statistics
from .problems import summarise_problems
from .profile import Profile, ProfileOptions, profile_table
from .reader import AnalyzerInputError, CsvSource, FrameSource, RowProblem, TableSource
from .suggest import SuggestionOptions, suggest_constraints

if TYPE_CHECKING:  # pandas is imported only by a caller that passes a DataFrame
    import pandas as pd

__all__ = ["BaselineResult", "run_baseline", "table_source"]


@dataclass
class BaselineResult:
    statistics: Statistics
    constraints: Constraints
    profile: Profile
    problems: list[RowProblem]

    def write(self, folder: str | Path) -> list[Path]:
        """statistics.json and constraints.json, in the container's bytes, as one set."""
        return write_report_set(folder, {
            "statistics.json": self.statistics.to_json().encode("utf-8"),
            "constraints.json": self.constraints.to_json().encode("utf-8")})


def table_source(data: str | Path | pd.DataFrame | TableSource, header: bool = True) -> TableSource:
    """A CSV path (with or without a header row), a DataFrame, or a source already made."""
    if isinstance(data, TableSource):
        return data
    pandas = sys.modules.get("pandas")  # a DataFrame exists only if its caller imported pandas
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return FrameSource(data)
    return CsvSource(data, header=header)


def run_baseline(
    data: str | Path | pd.DataFrame | TableSource,
    *,
    header: bool = True,
    profile_options: ProfileOptions | None = None,
    suggestion_options: SuggestionOptions | None = None,
) -> BaselineResult:
    """Profile the data and suggest constraints, as the baseline processing job does."""
    source = table_source(data, header)
    profile = profile_table(source, profile_options)
    if profile.item_count == 0:
        skipped = summarise_problems(profile.problems)
        raise AnalyzerInputError(f"{source.name}: no data rows (a baseline needs at least one)"
                                 + (f"; {len(profile.problems)} rows could not be used: {skipped}" if skipped else ""))
    return BaselineResult(profile.to_statistics(), suggest_constraints(profile, suggestion_options),
                          profile, profile.problems)

"""The baseline job: statistics.json and constraints.json from a training data set."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..formats.constraints import Constraints
from ..formats.generation import Container, parse_container
from ..formats.reportset import write_report_set
from ..formats.statistics import Statistics
from .problems import summarise_problems
from .profile import Profile, ProfileOptions, profile_table
from .reader import AnalyzerInputError, CsvSource, FrameSource, RowProblem, TableSource
from .suggest import SuggestionOptions, suggest_constraints

if TYPE_CHECKING:  # pandas is imported only by a caller that passes a DataFrame
    import pandas as pd

__all__ = ["BaselineResult", "generation_options", "run_baseline", "table_source"]


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


def table_source(
    data: str | Path | pd.DataFrame | TableSource, header: bool = True, names: list[str] | None = None
) -> TableSource:
    """A CSV path (with or without a header row), a DataFrame, or a source already made.

    ``names`` name a headerless CSV's columns by position (else ``_c0``, ``_c1``, ...).
    """
    if isinstance(data, TableSource):
        return data
    pandas = sys.modules.get("pandas")  # a DataFrame exists only if its caller imported pandas
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return FrameSource(data)
    return CsvSource(data, header=header, names=names)


def generation_options(
    container: Container | str | None,
    profile_options: ProfileOptions | None,
    suggestion_options: SuggestionOptions | None,
) -> tuple[ProfileOptions, SuggestionOptions]:
    """The options with ``container`` applied to both (None keeps what the options say)."""
    profile_options = profile_options or ProfileOptions()
    suggestion_options = suggestion_options or SuggestionOptions()
    if container is not None:
        generation = parse_container(container)
        profile_options = replace(profile_options, container=generation)
        suggestion_options = replace(suggestion_options, container=generation)
    return profile_options, suggestion_options


def run_baseline(
    data: str | Path | pd.DataFrame | TableSource,
    *,
    header: bool = True,
    container: Container | str | None = None,
    profile_options: ProfileOptions | None = None,
    suggestion_options: SuggestionOptions | None = None,
) -> BaselineResult:
    """Profile the data and suggest constraints, as the baseline processing job does.

    ``container``: "current" (today's files, the default) or "2021" (the 2021 layout).
    """
    source = table_source(data, header)
    profile_options, suggestion_options = generation_options(container, profile_options, suggestion_options)
    profile = profile_table(source, profile_options)
    if profile.item_count == 0:
        skipped = summarise_problems(profile.problems)
        raise AnalyzerInputError(f"{source.name}: no data rows (a baseline needs at least one)"
                                 + (f"; {len(profile.problems)} rows could not be used: {skipped}" if skipped else ""))
    return BaselineResult(profile.to_statistics(), suggest_constraints(profile, suggestion_options),
                          profile, profile.problems)

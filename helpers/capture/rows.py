"""Capture files read into rows, as Model Monitor reads them.

One capture line becomes one row (or several, for a multi-line CSV or a batch JSON payload):
the output columns first, then the input columns, mapped by position onto the baseline's
column names. A line that cannot be used is never dropped silently: it is counted and listed
in ``CaptureRows.problems`` (file, line, reason); with ``strict=True`` the first one raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..formats.arrays import from_numpy
from .filerows import CaptureProblem, FileRows
from .files import capture_files, find_capture_files
from .records import CaptureError
from .stream import file_rows, meta_table

if TYPE_CHECKING:  # pandas is imported only for the display frames
    import pandas as pd

__all__ = ["METADATA_COLUMNS", "CaptureProblem", "CaptureRows", "capture_files", "read_capture"]

METADATA_COLUMNS = ("eventId", "inferenceTime", "inferenceId")


@dataclass
class CaptureRows:
    """Rows decoded from capture files, with what could not be used.

    ``table`` holds the feature columns as cell text (null = missing), ``meta`` one row per
    data row: eventId, inferenceTime, inferenceId, file, line, num_values. ``frame`` and
    ``metadata`` give them as pandas DataFrames for display.
    """

    table: pa.Table
    meta: pa.Table
    files: list[str]
    records: int
    problems: list[CaptureProblem]
    shadow_records: int = 0  # skipped: a shadow variant's traffic (section 3b)

    @property
    def frame(self) -> pd.DataFrame:
        return _object_frame(self.table)

    @property
    def metadata(self) -> pd.DataFrame:
        return _object_frame(self.meta)

    def __len__(self) -> int:
        return self.table.num_rows

    def where(self, mask) -> CaptureRows:
        """The rows where ``mask`` (one boolean per row) is true, with their metadata."""
        keep = from_numpy(np.asarray(mask, dtype=bool))
        return CaptureRows(self.table.filter(keep), self.meta.filter(keep), self.files, self.records,
                           self.problems, self.shadow_records)

    def to_frame(self, metadata: bool = True) -> pd.DataFrame:
        """Feature columns, with eventId, inferenceTime and inferenceId alongside."""
        if not metadata:
            return self.frame
        import pandas as pd

        return pd.concat([self.frame, self.metadata[list(METADATA_COLUMNS)]], axis=1)


def _object_frame(table: pa.Table) -> pd.DataFrame:
    """Text columns as Python str or None (not NaN), for display and plain comparisons."""
    import pandas as pd

    return pd.DataFrame({
        name: pd.Series(col.to_pylist(), dtype=object if pa.types.is_string(col.type) else None)
        for name, col in zip(table.column_names, table.columns, strict=True)
    })


def read_capture(
    paths: str | Path | Iterable[str | Path],
    columns: Sequence[str] | None = None,
    *,
    strict: bool = False,
    fast: bool = True,
) -> CaptureRows:
    """Decode capture files into rows: output columns first, then input columns.

    ``columns`` names the columns by position (the baseline's names, target first); cells
    beyond them are named ``_c<i>``. Without it every column is ``_c<i>``. Files are read in
    blocks (``stream.file_rows``): well-formed records take a vectorised path (Arrow's JSON
    reader), the others are read line by line, so each bad line is reported with its number.
    ``fast=False`` reads every line that way.
    """
    found = find_capture_files(paths)
    if strict and found.refused:
        raise CaptureError(str(found.refused[0]), kind=found.refused[0].kind)
    parts = [part for path in found.paths for part in file_rows(path, strict, fast)]
    rows = FileRows.concat(parts) if parts else FileRows([], meta_table([], "", [], []), 0, [])
    width = max(len(columns or ()), len(rows.cells))
    names = list(columns or ()) + [f"_c{i}" for i in range(len(columns or ()), width)]
    arrays = [rows.cells[i] if i < len(rows.cells) else pa.nulls(rows.rows, pa.string()) for i in range(width)]
    table = pa.table(arrays, names=names) if width else pa.table({})
    return CaptureRows(table, rows.meta, [str(f) for f in found.paths], rows.records,
                       found.refused + rows.problems, rows.shadow)

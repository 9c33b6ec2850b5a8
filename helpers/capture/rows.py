"""Capture files read into rows, as Model Monitor reads them.

One capture line becomes one row (or several, for a multi-line CSV or a batch JSON payload):
the output columns first, then the input columns, mapped by position onto the baseline's
column names. A line that cannot be used is never dropped silently: it is counted and listed
in ``CaptureRows.problems`` (file, line, reason); with ``strict=True`` the first one raises.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..formats.arrays import from_numpy, strings
from .arrow import read_file_fast
from .decode import decode_line
from .filerows import CaptureProblem, FileRows
from .files import capture_files, find_capture_files, open_capture
from .records import CaptureError, EventMetadata

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
    beyond them are named ``_c<i>``. Without it every column is ``_c<i>``. Well-formed CSV
    files take a vectorised path (Arrow's JSON reader); any file it cannot vouch for is read
    line by line, so each bad line is reported with its number. ``fast=False`` forces that.
    """
    found = find_capture_files(paths)
    if strict and found.refused:
        raise CaptureError(str(found.refused[0]), kind=found.refused[0].kind)
    files = found.paths
    parts = []
    for path in files:
        part = read_file_fast(path) if fast else None
        parts.append(part if part is not None else _read_file_exact(path, strict))
    width = max([len(columns or ())] + [len(p.cells) for p in parts])
    names = list(columns or ()) + [f"_c{i}" for i in range(len(columns or ()), width)]
    arrays = []
    for i in range(width):
        chunks = [p.cells[i] if i < len(p.cells) else pa.nulls(p.rows, pa.string()) for p in parts]
        arrays.append(pa.chunked_array(chunks, type=pa.string()).combine_chunks())
    table = pa.table(arrays, names=names) if width else pa.table({})
    meta = pa.concat_tables([p.meta for p in parts]) if parts else _meta_table([], "", [], [])
    return CaptureRows(table, meta, [str(f) for f in files], sum(p.records for p in parts),
                       found.refused + [problem for p in parts for problem in p.problems],
                       sum(p.shadow for p in parts))


def _meta_table(records: list[EventMetadata], file: str, lines: list[int], widths: list[int]) -> pa.Table:
    return pa.table({
        "eventId": strings([r.event_id for r in records]),
        "inferenceTime": strings([r.inference_time for r in records]),
        "inferenceId": strings([r.inference_id for r in records]),
        "file": strings([file] * len(records)),
        "line": from_numpy(np.array(lines, dtype=np.int64)),
        "num_values": from_numpy(np.array(widths, dtype=np.int64)),
    })


def _read_file_exact(path: Path, strict: bool) -> FileRows:
    rows: list[list[str | None]] = []
    events: list[EventMetadata] = []
    lines: list[int] = []
    problems: list[CaptureProblem] = []
    records = shadow = 0
    for line_no, raw in _lines(path, problems):
        records += 1
        try:
            record, decoded = decode_line(raw, str(path))
            if record.event_metadata.is_shadow:
                shadow += 1  # today's container skips a shadow variant's records
                continue
        except CaptureError as err:
            problem = CaptureProblem(str(path), line_no, str(err), err.kind)
            if strict:
                raise CaptureError(str(problem), kind=problem.kind) from None
            problems.append(problem)
            continue
        for cells in decoded:
            rows.append(cells)
            events.append(record.event_metadata)
            lines.append(line_no)
    if strict and problems:
        raise CaptureError(str(problems[0]), kind=problems[0].kind)
    width = max((len(r) for r in rows), default=0)
    cells = [strings([r[i] if i < len(r) else None for r in rows]) for i in range(width)]
    meta = _meta_table(events, str(path), lines, [len(r) for r in rows])
    return FileRows(cells, meta, records, problems, shadow)


def _lines(path: Path, problems: list[CaptureProblem]) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines with their numbers; a damaged gzip stream ends the file with a problem."""
    line_no = 0
    try:
        with open_capture(path) as handle:
            for line_no, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield line_no, raw
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        problems.append(CaptureProblem(
            str(path), None, f"the gzip stream is damaged after line {line_no} ({err}); "
            "the lines after it could not be read", "damaged gzip stream"))
    except OSError as err:
        problems.append(CaptureProblem(
            str(path), None, f"reading stopped after line {line_no} ({err.strerror or err})",
            "file cannot be read"))

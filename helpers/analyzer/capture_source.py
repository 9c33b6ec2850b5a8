"""Capture files as a table source the profile reads block by block (bounded memory).

Columns are the baseline's names by position, then ``_c<i>`` for positions beyond them, added
when a wider record first appears (earlier rows count as missing there). ``records``, ``width``
(the most values any row had), ``shadow`` (a shadow variant's records, skipped) and
``problems`` are known once ``batches()`` has run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from ..capture.files import find_capture_files
from ..capture.readahead import ReadAhead
from ..formats.arrays import to_numpy
from .reader import TableSource

__all__ = ["CaptureSource"]


class CaptureSource(TableSource):
    """``paths``: capture files and folders, or a ``ReadAhead`` already reading them (the
    command line starts one before it imports the analyzer); a later pass reads them again."""

    def __init__(self, paths: str | Path | Iterable[str | Path] | ReadAhead, names: Sequence[str]):
        self._ahead = paths if isinstance(paths, ReadAhead) else None
        self.found = self._ahead.found if self._ahead else find_capture_files(paths)
        self.names = list(names)
        self.records = 0
        self.width = 0
        self.shadow = 0  # records of a shadow variant, skipped
        super().__init__("capture", list(names))

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.problems = list(self.found.refused)
        self.records, self.width, self.shadow = 0, 0, 0
        ahead, self._ahead = self._ahead or ReadAhead(self.found), None  # the next block parsed meanwhile
        for part in ahead:
            self.records += part.records
            self.shadow += part.shadow
            self.problems.extend(part.problems)
            if part.rows == 0:
                continue
            self.width = max(self.width, int(to_numpy(part.meta.column("num_values").combine_chunks(), 0).max()))
            while len(self.columns) < len(part.cells):
                self.columns.append(f"_c{len(self.columns)}")
            arrays = [part.cells[i] if i < len(part.cells) else pa.nulls(part.rows, pa.string())
                      for i in range(len(self.columns))]
            yield pa.RecordBatch.from_arrays(arrays, names=list(self.columns))

"""The rows decoded from one capture file (whichever path decoded them), and its bad lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..formats.arrays import from_numpy, to_numpy

__all__ = ["CaptureProblem", "FileRows"]


@dataclass
class CaptureProblem:
    """A capture line (or, with ``line`` None, a whole file) that could not be used, and why.

    ``reason`` is the full explanation; ``kind`` a short fixed label to count problems by.
    """

    file: str
    line: int | None
    reason: str
    kind: str = ""

    def __post_init__(self) -> None:
        self.kind = self.kind or self.reason

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line is not None else f"{self.file}: {self.reason}"


@dataclass
class FileRows:
    """One string array per column position, the rows' metadata, and the file's problems."""

    cells: list[pa.Array]  # one string array per column position
    meta: pa.Table
    records: int
    problems: list[CaptureProblem]
    shadow: int = 0  # records of a shadow variant, skipped as today's container skips them

    @property
    def rows(self) -> int:
        return self.meta.num_rows



    @classmethod
    def concat(cls, parts: list[FileRows], records: int | None = None) -> FileRows:
        """The parts one after the other (narrower parts padded with nulls)."""
        width = max((len(p.cells) for p in parts), default=0)
        cells = [pa.chunked_array([p.cells[i] if i < len(p.cells) else pa.nulls(p.rows, pa.string())
                                   for p in parts], type=pa.string()).combine_chunks()
                 for i in range(width)]
        meta = pa.concat_tables([p.meta for p in parts])
        count = sum(p.records for p in parts) if records is None else records
        return cls(cells, meta, count, [problem for p in parts for problem in p.problems],
                   sum(p.shadow for p in parts))

    def in_line_order(self) -> FileRows:
        """The rows and problems sorted by line number (stable: a line's rows keep their order)."""
        problems = sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))
        lines = to_numpy(self.meta.column("line").combine_chunks(), 0)
        order = np.argsort(lines, kind="stable")
        if np.all(order[1:] > order[:-1]):
            return FileRows(self.cells, self.meta, self.records, problems, self.shadow)
        index = from_numpy(order.astype(np.int64))
        return FileRows([c.take(index) for c in self.cells], self.meta.take(index), self.records, problems,
                        self.shadow)

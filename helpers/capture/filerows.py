"""The rows decoded from one capture file (whichever path decoded them), and its bad lines."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

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



"""Tabular input for the analyzer, read in chunks so memory stays bounded.

Every source yields Arrow record batches whose columns are either strings (cell text, as Spark
reads a CSV: empty = null) or already-typed numbers (a DataFrame's numeric columns). Rows that
cannot be used (a ragged CSV row) are skipped, counted and listed in ``problems``.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

if TYPE_CHECKING:  # pandas is imported only when a DataFrame is given
    import pandas as pd

__all__ = ["AnalyzerInputError", "ArrowSource", "CsvSource", "FrameSource", "RowProblem", "TableSource"]

DEFAULT_BLOCK_BYTES = 1 << 22  # 4 MiB of CSV a batch: few calls per column, bounded memory
# a CSV field may be any length; the csv module's 128 KB guard would refuse a valid header
csv.field_size_limit(sys.maxsize)
DEFAULT_FRAME_CHUNK = 1 << 20


_MAX_BLOCK_BYTES = 1 << 30


class _RowBeyondBlock(Exception):
    """A row did not fit in one block of the CSV reader."""


class AnalyzerInputError(ValueError):
    """Input the analyzer cannot use at all; the message names the file and what is wrong."""


@dataclass
class RowProblem:
    """A row that was skipped, and why."""

    source: str
    line: int | None
    reason: str
    kind: str = ""

    def __post_init__(self) -> None:
        self.kind = self.kind or self.reason

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "a row"
        return f"{self.source}: {where}: {self.reason}"


@dataclass
class TableSource:
    """A re-readable table: ``batches()`` can be called more than once."""

    name: str
    columns: list[str]
    problems: list[RowProblem] = field(default_factory=list)

    def batches(self) -> Iterator[pa.RecordBatch]:  # pragma: no cover - interface
        raise NotImplementedError


class CsvSource(TableSource):
    """A CSV file with a header row, or without one.

    Without a header, columns take ``names`` by position (a monitoring run passes the
    baseline's names, as capture is mapped); columns beyond them are ``_c<i>``.
    """

    def __init__(self, path: str | Path, header: bool = True, block_bytes: int = DEFAULT_BLOCK_BYTES,
                 names: list[str] | None = None):
        self.path = Path(path)
        self.header = header
        self.positional_names = list(names or [])
        self.block_bytes = block_bytes
        super().__init__(str(self.path), self._column_names())

    def _column_names(self) -> list[str]:
        cells = self._first_row()
        if not self.header:
            given = self.positional_names[: len(cells)]
            return given + [f"_c{i}" for i in range(len(given), len(cells))]
        names = [c.strip() for c in cells]
        seen: set[str] = set()
        for i, name in enumerate(names):
            if not name:
                raise AnalyzerInputError(f"{self.path}: line 1: header column {i + 1} has no name")
            if name in seen:
                raise AnalyzerInputError(f"{self.path}: line 1: header names column {name!r} twice")
            seen.add(name)
        return names

    def _first_row(self) -> list[str]:
        """The first record's cells, ended by \\n, \\r\\n or a lone \\r (all valid CSV)."""
        if self.path.is_dir():
            raise AnalyzerInputError(f"{self.path}: is a folder (expected a CSV file)")
        if not self.path.is_file():
            raise AnalyzerInputError(f"{self.path}: no such file")
        with open(self.path, "rb") as raw:
            # utf-8-sig: a byte-order mark (as Excel writes) is not part of the first name
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
            try:
                cells = next(csv.reader(text), [])
            except csv.Error as err:
                raise AnalyzerInputError(f"{self.path}: line 1 cannot be read as CSV ({err})") from None
        if not any(c.strip() for c in cells):
            raise AnalyzerInputError(f"{self.path}: the file is empty (expected CSV rows)")
        try:
            "".join(cells).encode("utf-8")
        except UnicodeEncodeError:
            raise AnalyzerInputError(f"{self.path}: line 1 is not UTF-8 text") from None
        return cells

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.problems = []
        yield from self._read(use_threads=True)
        if any(p.line is None for p in self.problems):
            self._locate_problem_lines()

    def _read(self, use_threads: bool) -> Iterator[pa.RecordBatch]:
        """Batches in file order; a row longer than a block restarts with bigger blocks.

        Arrow needs each row inside one block: a valid CSV with a 10 MB cell would otherwise be
        refused. The restart skips the rows already given out, so the caller sees each row once.
        """
        block, given = self.block_bytes, 0
        while True:
            try:
                for batch in self._read_blocks(block, use_threads, skip=given):
                    given += batch.num_rows
                    yield batch
                return
            except _RowBeyondBlock:
                block *= 8
                self.problems = []  # the new pass reports every skipped row again

    def _read_blocks(self, block: int, use_threads: bool, skip: int) -> Iterator[pa.RecordBatch]:
        def skip_ragged(row) -> str:
            self.problems.append(RowProblem(
                self.name, row.number,
                f"expected {row.expected_columns} columns, found {row.actual_columns}: {row.text[:80]!r}",
                "wrong number of columns"))
            return "skip"

        try:
            reader = self._open(skip_ragged, use_threads, block)
            while True:
                batch = reader.read_next_batch()
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                yield batch.slice(skip)
                skip = 0
        except StopIteration:
            return
        except pa.ArrowInvalid as err:
            if "straddl" in str(err) and block < _MAX_BLOCK_BYTES:
                raise _RowBeyondBlock() from None
            raise AnalyzerInputError(self._explain(err)) from None

    def _open(self, on_invalid_row, use_threads: bool, block: int):
        return pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                column_names=self.columns, skip_rows=1 if self.header else 0,
                block_size=block, use_threads=use_threads),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in self.columns},
                strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""]),
        )

    def _explain(self, err: Exception) -> str:
        text = str(err)
        if "invalid UTF8" in text:
            col = text.split("column #")[1].split(":")[0] if "column #" in text else None
            name = f" column {self.columns[int(col)]!r}" if col and col.isdigit() else ""
            return f"{self.path}:{name} holds bytes that are not UTF-8 text (expected UTF-8 CSV)"
        return f"{self.path}: cannot be read as CSV ({text})"

    def _locate_problem_lines(self) -> None:
        """Threaded reading does not number bad rows; a serial pass does (only when needed)."""
        self.problems = []
        for _ in self._read(use_threads=False):
            pass


class FrameSource(TableSource):
    """A pandas DataFrame: numeric columns stay numbers, the rest become cell text."""

    def __init__(self, frame: pd.DataFrame, name: str = "<DataFrame>", chunk_rows: int = DEFAULT_FRAME_CHUNK):
        self.frame = frame
        self.chunk_rows = chunk_rows
        names = [str(c) for c in frame.columns]
        if len(set(names)) != len(names):
            raise AnalyzerInputError(f"{name}: column names repeat: {names}")
        super().__init__(name, names)

    def batches(self) -> Iterator[pa.RecordBatch]:
        for start in range(0, max(len(self.frame), 1), self.chunk_rows):
            part = self.frame.iloc[start : start + self.chunk_rows]
            arrays = [_arrow_column(part.iloc[:, i]) for i in range(part.shape[1])]
            yield pa.RecordBatch.from_arrays(arrays, names=self.columns)


class ArrowSource(TableSource):
    """An Arrow table of cell text (decoded capture rows, for instance)."""

    def __init__(self, table: pa.Table, name: str = "<table>", chunk_rows: int = DEFAULT_FRAME_CHUNK):
        self.table = table
        self.chunk_rows = chunk_rows
        super().__init__(name, list(table.column_names))

    def batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.table.to_batches(max_chunksize=self.chunk_rows)


def _arrow_column(series: pd.Series) -> pa.Array:
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        # written to CSV as True/False, which Deequ's case-sensitive regex calls String
        return pa.array(series.map(lambda v: None if pd.isna(v) else str(v)), type=pa.string())
    if pd.api.types.is_integer_dtype(dtype):
        return pa.array(series.astype("Int64"), type=pa.int64(), from_pandas=True)
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return pa.array(values, type=pa.float64(), mask=np.isnan(values))
    return pa.array(
        [None if v is None or (isinstance(v, float) and np.isnan(v)) or v == "" else str(v)
         for v in series.astype(object)],
        type=pa.string(),
    )

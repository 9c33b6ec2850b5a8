"""Column profiles: one pass over a table, chunk by chunk, into statistics.json.

A ``ColumnProfile`` holds the state Deequ's analyzers keep for one column: counts per cell type,
the numeric moments (row-order sum, Welford mean and m2, min, max), the KLL sketch, and for
string columns the value counts and HyperLogLog registers. Chunks only ever add to the state,
so a 10M-row file costs no more memory than its largest chunk.

A column's type is known only at the end. Numeric state is kept while every cell so far is a
number; value counts start at the first String or Boolean cell, and earlier chunks are counted
again in a second pass over the source (rare: only for a column that turns String late).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..formats.arrays import strings, to_numpy
from ..formats.bulk import collector_paused, release_freed_heap
from ..formats.generation import Container, parse_container
from ..formats.scala_order import hashmap_order
from ..formats.statistics import (
    CategoricalBucket,
    CategoricalDistribution,
    CommonStatistics,
    Dataset,
    FeatureStatistics,
    KLLBucket,
    KLLDistribution,
    KLLSketch,
    NumericalStatistics,
    NumericDistribution,
    SketchParameters,
    Statistics,
    StringDistribution,
    StringStatistics,
)
from .datatypes import CellType, as_text, classify, column_type
from .hll import HyperLogLog
from .kll import SKETCH_C, SKETCH_K, KLLState
from .moments import accumulate
from .reader import AnalyzerInputError, RowProblem, TableSource

__all__ = ["ColumnProfile", "Profile", "ProfileOptions", "categorical_order", "profile_table"]


@dataclass(frozen=True)
class ProfileOptions:
    """Choices where the service's behaviour is not public [unknown in the spec].

    categorical_cap: value counts are kept for string columns with at most this many distinct
        values (Deequ's profiler builds histograms only up to 120); above it a column gets no
        categorical buckets and no domain suggestion.
    bucket_count: KLL buckets in statistics.json (Model Monitor writes 10).
    workers: threads over columns (Arrow's and numpy's kernels release the GIL).
    container: the generation whose fields and categorical order statistics.json gets
        (``Container.CURRENT`` by default, ``Container.V2021`` for the 2021 layout).
    """

    categorical_cap: int = 120
    bucket_count: int = 10
    workers: int = 2
    container: Container = Container.CURRENT

    def __post_init__(self) -> None:
        object.__setattr__(self, "container", parse_container(self.container))


@dataclass(slots=True)  # a wide table holds 100k of these
class ColumnProfile:
    """Deequ's analyzer state for one column; ``update`` adds a chunk."""

    name: str
    options: ProfileOptions = field(default_factory=ProfileOptions)
    domain: frozenset[str] | None = None  # when set, counts values inside it (monitoring)
    rows: int = 0
    type_counts: np.ndarray = field(default_factory=lambda: np.zeros(5, dtype=np.int64))
    moments: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 0.0, 0.0, math.inf, -math.inf]))
    sketch: KLLState | None = None  # made at the first number (a wide table has many columns)
    value_counts: dict[str, int] | None = field(default_factory=dict)
    hll: HyperLogLog = field(default_factory=HyperLogLog)
    stringish: bool = False
    pending_chunks: list[int] = field(default_factory=list)
    in_domain: int = 0

    @property
    def inferred_type(self) -> str:
        return column_type(self.type_counts)

    @property
    def num_present(self) -> int:
        return self.rows - int(self.type_counts[_UNKNOWN])

    def update(self, chunk: int, column: pa.Array, first_row: int = 0, source: str = "",
               cells: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Add a chunk; ``cells`` are its cell types and doubles when already classified."""
        types, values = cells if cells is not None else _cells(column)
        counts = np.bincount(types, minlength=5)
        nulls, fractional, integral, boolean, string = counts.tolist()  # ints: cheap to test
        # a short text chunk (a wide table's) is counted in Python: Arrow's kernels cost more to
        # call than to run on a few cells; both ways give the same registers and counts
        texts = [t for t in column.to_pylist() if t is not None] if (
            len(column) <= _SHORT_CHUNK and pa.types.is_string(column.type)) else None
        if texts is None:
            _add_distinct(self.hll, column, values, types)
        else:
            self.hll.add(dict.fromkeys(texts))
        self.rows += len(column)
        self.type_counts += counts
        if self.domain is not None and len(column) > nulls:
            self.in_domain += (_count_in(column, self.domain) if texts is None
                               else sum(t in self.domain for t in texts))
        if not self.stringish and (boolean or string):
            self.stringish, self.sketch = True, None  # numeric state is of no use any more
        if self.stringish:
            self.count_values(column, texts)
            return
        numeric = values  # every cell a number (the usual case): no copy
        if fractional + integral != len(values):
            numeric = values[(types == CellType.FRACTIONAL) | (types == CellType.INTEGRAL)]
        if len(numeric) == 0:
            return
        if not np.isfinite(numeric).all():
            row = int(np.flatnonzero(~np.isfinite(values) & (types != CellType.UNKNOWN))[0])
            raise AnalyzerInputError(
                f"{source}: row {first_row + row + 1}, column {self.name!r}: "
                f"{column[row].as_py()!r} is beyond the range of a double")
        self.pending_chunks.append(chunk)
        accumulate(numeric, self.moments)
        if self.sketch is None:
            self.sketch = KLLState.empty()
        self.sketch.update(numeric)

    def count_values(self, column: pa.Array, texts: list[str] | None = None) -> None:
        """Add a chunk's values to the value counts (until the cap), in order of first appearance;
        ``texts``: the chunk's non-null cells as Python strings, when already made."""
        if self.value_counts is None:
            return
        if texts is not None:
            for value in texts:
                self.value_counts[value] = self.value_counts.get(value, 0) + 1
        else:
            counted = pc.value_counts(as_text(column).drop_null())
            values = counted.field("values").to_pylist()
            for value, count in zip(values, counted.field("counts").to_pylist(), strict=True):
                self.value_counts[value] = self.value_counts.get(value, 0) + count
        if len(self.value_counts) > self.options.categorical_cap:
            self.value_counts = None

    def feature(self) -> FeatureStatistics:
        """This column's entry in statistics.json."""
        kind = self.inferred_type
        common = CommonStatistics(self.num_present, self.rows - self.num_present)
        if kind in ("Integral", "Fractional"):
            return FeatureStatistics(self.name, kind, numerical_statistics=self._numerical(common))
        return FeatureStatistics(self.name, kind, string_statistics=self._string(common))

    def _numerical(self, common: CommonStatistics) -> NumericalStatistics:
        n, total, _avg, m2, lo, hi = self.moments.tolist()
        sketch = self.sketch.finalize()
        buckets = [KLLBucket(a, b, c) for a, b, c in sketch.buckets(self.options.bucket_count)]
        kll = KLLDistribution(buckets, KLLSketch(SketchParameters(SKETCH_C, float(SKETCH_K)), sketch.data))
        stats = NumericalStatistics(
            common, mean=total / n, sum=total, std_dev=math.sqrt(m2 / n), min=lo, max=hi,
            distribution=NumericDistribution(kll),
        )
        if self.options.container is Container.CURRENT:
            stats.approximate_num_distinct_values = self.hll.estimate()
            stats.completeness = self.completeness
        return stats

    def _string(self, common: CommonStatistics) -> StringStatistics:
        distribution = None
        if self.value_counts is not None:
            order = categorical_order(self.value_counts, self.options.container)
            buckets = [CategoricalBucket(v, self.value_counts[v]) for v in order]
            distribution = StringDistribution(CategoricalDistribution(buckets))
        stats = StringStatistics(common, distinct_count=float(self.hll.estimate()), distribution=distribution)
        if self.options.container is Container.CURRENT:
            stats.completeness = self.completeness
        return stats

    @property
    def completeness(self) -> float:
        """num_present / rows, as a raw double (0.0 for a column of no rows)."""
        return self.num_present / self.rows if self.rows else 0.0

    def finished_sketch(self) -> KLLState | None:
        """The finalised sketch of a numeric column (for distances), else None."""
        if self.sketch is None or self.inferred_type not in ("Integral", "Fractional"):
            return None
        return self.sketch.finalize()


_SHORT_CHUNK = 32
_UNKNOWN = int(CellType.UNKNOWN)  # numpy indexes slowly by an IntEnum, and this runs per column


def _add_distinct(hll: HyperLogLog, column: pa.Array, values: np.ndarray, types: np.ndarray) -> None:
    """Every non-null cell's text into the distinct-count registers.

    A DataFrame's typed numbers have no text: they count as the text pandas writes to a CSV
    (``repr`` of a float, digits of an integer), so a frame and its CSV give the same count.
    """
    if pa.types.is_integer(column.type):
        present = column.drop_null().to_numpy(zero_copy_only=False)
        hll.add(str(v) for v in np.unique(present).tolist())
    elif pa.types.is_floating(column.type):
        hll.add(repr(v) for v in np.unique(values[types != CellType.UNKNOWN]).tolist())
    else:
        hll.add_text(as_text(column))


def categorical_order(counts: dict[str, int], container: Container) -> list[str]:
    """Bucket and domain order: Scala HashMap order today (``counts`` in first-appearance order,
    the insertion order we chose for maps of 1-4 entries); by count, then value, in 2021."""
    if container is Container.CURRENT:
        return hashmap_order(counts)
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _cells(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Cell types and doubles: text is classified; a DataFrame's numbers keep their type."""
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        valid = to_numpy(column.is_valid(), False)
        code = CellType.FRACTIONAL if pa.types.is_floating(column.type) else CellType.INTEGRAL
        types = np.where(valid, np.int8(code), np.int8(CellType.UNKNOWN)).astype(np.int8)
        values = to_numpy(column.cast(pa.float64()), 0.0)
        return types, values
    return classify(column)


def _count_in(column: pa.Array, domain: frozenset[str]) -> int:
    column = as_text(column)
    hits = pc.is_in(column, value_set=strings(sorted(domain)).cast(column.type))
    return int(pc.sum(hits).as_py() or 0)


@dataclass
class Profile:
    """The profiles of every column of a table, and the rows that could not be used."""

    source: str
    item_count: int
    columns: dict[str, ColumnProfile]
    problems: list[RowProblem]

    @collector_paused()
    def to_statistics(self) -> Statistics:
        features = [col.feature() for col in self.columns.values()]
        return Statistics(version=0.0, dataset=Dataset(self.item_count), features=features)


def _update_columns(profiles: list[ColumnProfile], group: range, chunk: int, batch: pa.RecordBatch,
                    first: int, source: str) -> None:
    columns = [batch.column(i) for i in group]
    cells = _classify_together(columns) if len(columns) > 1 else [None] * len(columns)
    for i, column, classified in zip(group, columns, cells, strict=True):
        profiles[i].update(chunk, column, first, source, classified)


def _classify_together(columns: list[pa.Array]) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """Cell types and doubles of many text columns in few passes: a table of 100k short columns
    would otherwise pay the classifier's set-up 100k times per chunk."""
    out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(columns)
    text = [i for i, c in enumerate(columns) if pa.types.is_string(c.type)]
    start = 0
    while start < len(text):  # in runs of under 256 MB of text, far from Arrow's 2 GB offsets
        end, size = start, 0
        while end < len(text) and (end == start or size + columns[text[end]].nbytes < _JOINED_BYTES):
            size += columns[text[end]].nbytes
            end += 1
        run = text[start:end]
        types, values = classify(pa.concat_arrays([columns[i] for i in run]))
        bounds = np.cumsum([0] + [len(columns[i]) for i in run])
        for i, lo, hi in zip(run, bounds[:-1], bounds[1:], strict=True):
            out[i] = (types[lo:hi], values[lo:hi])
        start = end
    return out


_JOINED_BYTES = 1 << 28


class _Job(threading.Thread):
    """A call on its own thread, started at once; ``result`` waits and raises what it raised.
    (concurrent.futures would do, but it loads logging: a tenth of a small run's start-up.)"""

    def __init__(self, function, *args) -> None:
        super().__init__(daemon=True)
        self._call, self._error = (function, args), None
        self.start()

    def run(self) -> None:
        function, args = self._call
        try:
            function(*args)
        except BaseException as err:  # handed to the caller by result()
            self._error = err

    def result(self) -> None:
        self.join()
        if self._error is not None:
            raise self._error


@collector_paused()
def profile_table(
    source: TableSource,
    options: ProfileOptions | None = None,
    domains: dict[str, Iterable[str]] | None = None,
) -> Profile:
    """Profile every column of ``source`` in one pass (two for a column that turns String late)."""
    options = options or ProfileOptions()
    domains = domains or {}
    columns = {
        name: ColumnProfile(name, options, frozenset(domains[name]) if name in domains else None)
        for name in source.columns
    }
    rows = 0
    jobs: list[_Job] = []
    workers = max(1, options.workers)
    # the next batch is read (Arrow parses without the GIL) while the workers profile this one
    for chunk, batch in enumerate(source.batches()):
        for job in jobs:
            job.result()
        for name in source.columns[len(columns):]:  # a source that found a wider row
            columns[name] = ColumnProfile(name, options)
            if rows:
                columns[name].update(chunk, pa.nulls(rows, pa.string()))
        profiles = [columns[name] for name in source.columns]
        # one task per group of columns, not per column: a 100k-column table would otherwise
        # pay a thread's start 100k times per chunk
        size = -(-len(profiles) // workers) or 1
        jobs = [_Job(_update_columns, profiles, range(start, min(start + size, len(profiles))),
                     chunk, batch, rows, source.name)
                for start in range(0, len(profiles), size)]
        rows += batch.num_rows
    for job in jobs:
        job.result()
    release_freed_heap()  # what the CSV reader freed (400 MB for 100k columns) leaves the peak
    late = {name: set(col.pending_chunks) for name, col in columns.items()
            if col.stringish and col.pending_chunks}
    if late:
        positions = {name: i for i, name in enumerate(source.columns)}
        for chunk, batch in enumerate(source.batches()):
            for name, chunks in late.items():
                if chunk in chunks:
                    columns[name].count_values(batch.column(positions[name]))
    return Profile(source.name, rows, columns, list(source.problems))

"""statistics.json: per-feature statistics of a baseline or of one monitoring window."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only by to_frame (a display helper)
    import pandas as pd

from .codec import Document, Model

__all__ = [
    "CategoricalBucket",
    "CommonStatistics",
    "FeatureStatistics",
    "KLLBucket",
    "KLLDistribution",
    "KLLSketch",
    "NumericalStatistics",
    "Statistics",
    "StringStatistics",
]


@dataclass
class CommonStatistics(Model):
    """Counts every feature has: cells present and cells missing."""

    num_present: int
    num_missing: int


@dataclass
class SketchParameters(Model):
    """The KLL sketch's parameters as the file states them (c and k)."""

    c: float = 0.64
    k: float = 2048.0


@dataclass
class KLLSketch(Model):
    """The serialised sketch: one list per compactor level, level 0 first (weight 2**level)."""

    parameters: SketchParameters
    data: list[list[float]]


@dataclass
class KLLBucket(Model):
    """One equal-width bucket of a numeric distribution and its count."""

    lower_bound: float
    upper_bound: float
    count: float


@dataclass
class KLLDistribution(Model):
    """The buckets of a numeric column and the sketch they came from."""

    buckets: list[KLLBucket]
    sketch: KLLSketch | None = None


@dataclass
class NumericDistribution(Model):
    """A numeric column's ``distribution`` object (it holds ``kll``)."""

    kll: KLLDistribution | None = None


@dataclass
class NumericalStatistics(Model):
    """A numeric column's ``numerical_statistics``."""

    common: CommonStatistics
    mean: float
    sum: float
    std_dev: float
    min: float
    max: float
    # written by today's container only (section 3b), in this order after max
    approximate_num_distinct_values: int | None = None
    completeness: float | None = None
    distribution: NumericDistribution | None = None

    @property
    def kll(self) -> KLLDistribution | None:
        return self.distribution.kll if self.distribution else None


@dataclass
class CategoricalBucket(Model):
    """One value of a string column and how often it occurs."""

    value: str
    count: int


@dataclass
class CategoricalDistribution(Model):
    """A string column's value counts, in the container's order."""

    buckets: list[CategoricalBucket] = field(default_factory=list)


@dataclass
class StringDistribution(Model):
    """A string column's ``distribution`` object (it holds ``categorical``)."""

    categorical: CategoricalDistribution | None = None


@dataclass
class StringStatistics(Model):
    """A string column's ``string_statistics``."""

    common: CommonStatistics
    distinct_count: float | None = None
    completeness: float | None = None  # today's container only (section 3b)
    distribution: StringDistribution | None = None

    @property
    def buckets(self) -> list[CategoricalBucket]:
        if self.distribution and self.distribution.categorical:
            return self.distribution.categorical.buckets
        return []


@dataclass
class FeatureStatistics(Model):
    """One column's entry in statistics.json."""

    name: str
    inferred_type: str
    numerical_statistics: NumericalStatistics | None = None
    string_statistics: StringStatistics | None = None

    @property
    def common(self) -> CommonStatistics | None:
        block = self.numerical_statistics or self.string_statistics
        return block.common if block else None


@dataclass
class Dataset(Model):
    """statistics.json's ``dataset`` object (the row count)."""

    item_count: int


@dataclass
class Statistics(Document):
    """A whole statistics.json."""

    version: float
    dataset: Dataset
    features: list[FeatureStatistics]

    @property
    def item_count(self) -> int:
        return self.dataset.item_count

    def feature(self, name: str) -> FeatureStatistics:
        for feat in self.features:
            if feat.name == name:
                return feat
        raise KeyError(f"no feature {name!r} in statistics (features: {[f.name for f in self.features]})")

    def to_frame(self) -> pd.DataFrame:
        """One row per feature, for display."""
        import pandas as pd

        rows = []
        for feat in self.features:
            common = feat.common
            row = {
                "name": feat.name,
                "inferred_type": feat.inferred_type,
                "num_present": common.num_present if common else None,
                "num_missing": common.num_missing if common else None,
            }
            num = feat.numerical_statistics
            if num is not None:
                row.update(mean=num.mean, sum=num.sum, std_dev=num.std_dev, min=num.min, max=num.max,
                           distinct_count=num.approximate_num_distinct_values, completeness=num.completeness)
            if feat.string_statistics is not None:
                strings = feat.string_statistics
                row.update(distinct_count=strings.distinct_count, completeness=strings.completeness)
            rows.append(row)
        columns = ["name", "inferred_type", "num_present", "num_missing", "completeness",
                   "mean", "sum", "std_dev", "min", "max", "distinct_count"]
        return pd.DataFrame(rows, columns=columns).set_index("name")

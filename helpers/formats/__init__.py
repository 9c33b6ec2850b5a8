"""Model Monitor's files, read and written exactly as the real container does.

The bottom layer of ``helpers``: it imports nothing above it.
"""

from .codec import FormatError
from .constraints import (
    Constraints,
    DistributionConstraints,
    FeatureConstraints,
    MonitoringConfig,
    NumConstraints,
    StringConstraints,
)
from .generation import Container, parse_container
from .jsonfmt import jackson_dumps, java_double
from .scala_order import hashmap_order
from .statistics import (
    CategoricalBucket,
    CommonStatistics,
    FeatureStatistics,
    KLLBucket,
    KLLDistribution,
    KLLSketch,
    NumericalStatistics,
    Statistics,
    StringStatistics,
)
from .violations import CHECK_TYPES, ConstraintViolations, Violation

__all__ = [
    "CHECK_TYPES",
    "CategoricalBucket",
    "CommonStatistics",
    "ConstraintViolations",
    "Container",
    "Constraints",
    "DistributionConstraints",
    "FeatureConstraints",
    "FeatureStatistics",
    "FormatError",
    "KLLBucket",
    "KLLDistribution",
    "KLLSketch",
    "MonitoringConfig",
    "NumConstraints",
    "NumericalStatistics",
    "Statistics",
    "StringConstraints",
    "StringStatistics",
    "Violation",
    "hashmap_order",
    "jackson_dumps",
    "java_double",
    "parse_container",
]

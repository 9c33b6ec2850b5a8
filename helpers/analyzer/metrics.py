"""The CloudWatch metrics a monitoring run publishes (model-monitor-compat.md section 6).

Namespace ``aws/sagemaker/Endpoints/data-metrics``, dimensions Endpoint and MonitoringSchedule:
``feature_baseline_drift_<name>`` (the distance), ``feature_non_null_<name>`` (completeness),
and for numeric features ``feature_data_<name>`` as statistic values. The analyzer returns
them as data; whoever runs the job adds the dimensions and a timestamp when publishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["DATA_METRICS_NAMESPACE", "FeatureMetric"]

DATA_METRICS_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


@dataclass(frozen=True)
class FeatureMetric:
    """One metric of a monitoring run: a value, or statistic values (SampleCount, Sum, ...)."""

    name: str
    value: float | None = None
    statistic_values: dict[str, float] | None = None

    def to_datum(self, endpoint: str, schedule: str, timestamp: datetime) -> dict:
        """The ``MetricData`` entry of a ``cloudwatch.put_metric_data`` call."""
        datum: dict = {
            "MetricName": self.name,
            "Dimensions": [{"Name": "Endpoint", "Value": endpoint},
                           {"Name": "MonitoringSchedule", "Value": schedule}],
            "Timestamp": timestamp,
            "Unit": "None",
        }
        if self.statistic_values is not None:
            datum["StatisticValues"] = dict(self.statistic_values)
        else:
            datum["Value"] = float(self.value)
        return datum

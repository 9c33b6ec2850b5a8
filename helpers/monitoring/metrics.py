"""Where an hourly run's metrics go: CloudWatch's PutMetricData (or any publisher with these methods).

The metric names and the dimension names are Model Monitor's (``feature_baseline_drift_<f>``,
``feature_non_null_<f>``, ``feature_data_<f>``; ``Endpoint`` and ``MonitoringSchedule``); the
namespace and the dimension values are the run's to choose (``HourlyRun``), so an alarm built for
Model Monitor keeps working, or a new one watches a namespace of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Protocol

from ..analyzer.metrics import FeatureMetric

__all__ = ["PUT_METRIC_DATA_BATCH", "CloudWatchPublisher", "MetricPublisher", "metric_data"]

# PutMetricData takes up to 1000 entries per call today; older accounts' documentation said 20.
# 20 per call is valid under both and costs one call per three features.
PUT_METRIC_DATA_BATCH = 20


class MetricPublisher(Protocol):
    def now(self) -> datetime:
        """The timestamp the run's metrics carry (the time they are published)."""

    def publish(self, namespace: str, metric_data: list[dict]) -> None:
        """Publish ``MetricData`` entries (the shape of PutMetricData's argument)."""


def metric_data(metrics: list[FeatureMetric], endpoint: str, schedule: str, timestamp: datetime) -> list[dict]:
    """The run's metrics as PutMetricData entries, with Model Monitor's dimensions."""
    return [m.to_datum(endpoint, schedule, timestamp) for m in metrics]


class CloudWatchPublisher:
    """PutMetricData through a boto3 CloudWatch client, stamped with the publishing time."""

    def __init__(self, client: Any, clock: Callable[[], datetime] | None = None):
        self.client = client
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        return self.clock()

    def publish(self, namespace: str, metric_data: list[dict]) -> None:
        for start in range(0, len(metric_data), PUT_METRIC_DATA_BATCH):
            self.client.put_metric_data(Namespace=namespace,
                                        MetricData=metric_data[start:start + PUT_METRIC_DATA_BATCH])

"""CloudWatch alarm evaluation: statistic per period, M of N breaching, missing-data handling.

Pure functions over datapoints, so the rules can be read and tested without a workspace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

__all__ = ["Datapoint", "Evaluation", "aggregate", "evaluate_alarm", "breaches"]

COMPARISONS = {
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}


@dataclass(frozen=True)
class Datapoint:
    """One stored PutMetricData entry, as statistic values."""

    timestamp: datetime
    sample_count: float
    sum: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Evaluation:
    state: str  # OK | ALARM | INSUFFICIENT_DATA
    reason: str
    values: list[tuple[datetime, float]]  # the evaluated periods with data, newest first


def aggregate(points: list[Datapoint], statistic: str) -> float:
    count = sum(p.sample_count for p in points)
    if statistic == "SampleCount":
        return count
    if statistic == "Sum":
        return sum(p.sum for p in points)
    if statistic == "Minimum":
        return min(p.minimum for p in points)
    if statistic == "Maximum":
        return max(p.maximum for p in points)
    if statistic == "Average":
        return sum(p.sum for p in points) / count if count else math.nan
    raise ValueError(f"unknown statistic {statistic}")


def period_start(moment: datetime, period: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % period, timezone.utc)


def breaches(value: float, threshold: float, comparison: str) -> bool:
    return COMPARISONS[comparison][0](value, threshold)


def evaluate_alarm(alarm: dict, points: list[Datapoint], now: datetime) -> Evaluation:
    """The alarm's state over its last EvaluationPeriods periods up to ``now``."""
    period = int(alarm["Period"])
    periods = int(alarm["EvaluationPeriods"])
    needed = int(alarm.get("DatapointsToAlarm") or periods)
    newest = period_start(now, period)
    window = [newest - timedelta(seconds=period * i) for i in range(periods)]
    by_period: dict[datetime, list[Datapoint]] = {}
    for p in points:
        start = period_start(p.timestamp, period)
        if start in window:
            by_period.setdefault(start, []).append(p)
    values = [(start, aggregate(by_period[start], alarm["Statistic"])) for start in window if start in by_period]
    threshold, comparison = float(alarm["Threshold"]), alarm["ComparisonOperator"]
    breaching = [(t, v) for t, v in values if breaches(v, threshold, comparison)]
    missing = alarm.get("TreatMissingData", "missing")
    if missing == "breaching":
        breaching += [(t, math.nan) for t in window if t not in by_period]
    if len(breaching) >= needed:
        return Evaluation("ALARM", _reason(breaching, periods, needed, threshold, comparison, True), values)
    if values or missing in ("notBreaching", "breaching"):
        return Evaluation("OK", _reason(values, periods, needed, threshold, comparison, False), values)
    if missing == "ignore":
        return Evaluation(alarm.get("StateValue", "INSUFFICIENT_DATA"), alarm.get("StateReason", ""), values)
    return Evaluation("INSUFFICIENT_DATA", "Insufficient Data: "
                      f"{periods} datapoint{'s were' if periods > 1 else ' was'} unknown.", values)


def _reason(points, periods, needed, threshold, comparison, crossed) -> str:
    shown = ", ".join(f"{_num(v)} ({t:%d/%m/%y %H:%M:%S})" for t, v in points)
    word = COMPARISONS[comparison][1]
    verb = "was" if len(points) == 1 else "were"
    if crossed:
        if periods == 1:
            return f"Threshold Crossed: 1 datapoint [{shown}] {verb} {word} the threshold ({_num(threshold)})."
        return (f"Threshold Crossed: {len(points)} out of the last {periods} datapoints [{shown}] {verb} "
                f"{word} the threshold ({_num(threshold)}) (minimum {needed} datapoint"
                f"{'s' if needed > 1 else ''} for OK -> ALARM transition).")
    if periods == 1:
        return f"Threshold Crossed: 1 datapoint [{shown}] {verb} not {word} the threshold ({_num(threshold)})."
    return (f"Threshold Crossed: no datapoints were {word} the threshold ({_num(threshold)}). "
            f"The most recent datapoints which crossed the threshold: [{shown}].")


def _num(value: float) -> str:
    return repr(float(value)) if not math.isnan(value) else "NaN"

"""Pure rules of the twin: AWS cron, alarm evaluation, event patterns."""

from datetime import datetime, timedelta, timezone

import pytest

from helpers.twin.alarms import Datapoint, evaluate_alarm
from helpers.twin.cron import aws_cron_to_unix, next_runs
from helpers.twin.services.events import matches

T0 = datetime(2021, 6, 7, 10, 0, tzinfo=timezone.utc)


def test_hourly_cron():
    assert aws_cron_to_unix("cron(0 * ? * * *)") == "0 * * * *"
    assert next_runs("cron(0 * ? * * *)", T0 - timedelta(minutes=1), T0 + timedelta(hours=2)) == [
        T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    assert next_runs("cron(30 8 ? * MON-FRI *)", T0, T0 + timedelta(days=7))[0] == datetime(
        2021, 6, 8, 8, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("expr", "why"), [
    ("0 * * * *", "not an AWS cron"), ("cron(0 * * * *)", "has 5 fields"),
    ("cron(0 * * * * *)", "must be '?'"), ("cron(0 * ? * * 2022)", "year field")])
def test_bad_cron(expr, why):
    with pytest.raises(ValueError, match=why):
        aws_cron_to_unix(expr)


ALARM = {"Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 0.2,
         "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "missing"}


def point(value, at):
    return Datapoint(at, 1.0, value, value, value)


def test_one_of_one_above_threshold_alarms():
    result = evaluate_alarm(ALARM, [point(0.25, T0 + timedelta(seconds=5))], T0 + timedelta(seconds=30))
    assert result.state == "ALARM"
    assert result.reason == "Threshold Crossed: 1 datapoint [0.25 (07/06/21 10:00:00)] was greater than the threshold (0.2)."


def test_average_over_the_period():
    points = [point(0.3, T0), point(0.05, T0 + timedelta(seconds=10))]  # average 0.175
    assert evaluate_alarm(ALARM, points, T0 + timedelta(seconds=20)).state == "OK"


def test_no_data_in_the_window_is_insufficient():
    result = evaluate_alarm(ALARM, [point(0.25, T0)], T0 + timedelta(minutes=5))
    assert result.state == "INSUFFICIENT_DATA"
    assert evaluate_alarm({**ALARM, "TreatMissingData": "notBreaching"}, [], T0).state == "OK"
    assert evaluate_alarm({**ALARM, "TreatMissingData": "breaching"}, [], T0).state == "ALARM"


def test_m_of_n():
    alarm = {**ALARM, "EvaluationPeriods": 3, "DatapointsToAlarm": 2}
    points = [point(0.3, T0), point(0.1, T0 + timedelta(minutes=1)), point(0.3, T0 + timedelta(minutes=2))]
    result = evaluate_alarm(alarm, points, T0 + timedelta(minutes=2, seconds=30))
    assert result.state == "ALARM" and "2 out of the last 3 datapoints" in result.reason
    assert evaluate_alarm(alarm, points[:2], T0 + timedelta(minutes=1, seconds=30)).state == "OK"


def test_event_patterns():
    pattern = {"source": ["aws.cloudwatch"], "detail": {"alarmName": ["a"], "state": {"value": ["ALARM"]}}}
    event = {"source": "aws.cloudwatch", "detail": {"alarmName": "a", "state": {"value": "ALARM"}}}
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "detail": {"alarmName": "a", "state": {"value": "OK"}}})
    assert matches({"detail": {"alarmName": [{"prefix": "mlops-"}]}}, {"detail": {"alarmName": "mlops-x"}})
    assert not matches({"source": [{"anything-but": "aws.cloudwatch"}]}, event)

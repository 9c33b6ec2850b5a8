"""The self-run hourly job (``python -m helpers selfrun``) end to end under moto (S3, CloudWatch).

The capture and baseline are the twin's own (written by its endpoint and its baseline job), copied
into moto's S3 under the same keys; the job's reports must be byte-identical to the twin's run
of the same hour, its metrics the twin's, its exit message the service's wording.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from helpers.capture import CaptureRecord
from helpers.cli import main
from helpers.formats.layout import REPORT_FILES, capture_key, hour_path
from helpers.monitoring.hourly import HourlyRun, capture_window, run_hour
from helpers.monitoring.metrics import CloudWatchPublisher
from helpers.monitoring.objects import S3Store
from helpers.twin.estate import Twin

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


@pytest.fixture
def twin_hour(built_twin):
    """The twin's newest completed execution: its run definition, scheduled time and reports."""
    twin = Twin.open(built_twin)
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    done = [e for e in twin.ws.resources("monitoring_execution")
            if e["MonitoringExecutionStatus"].startswith("Completed")]
    execution = max(done, key=lambda e: e["ScheduledTime"])
    definition = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    run = HourlyRun(
        endpoint=execution["EndpointName"], variant=twin.names.variant_name, schedule=schedule["MonitoringScheduleName"],
        capture_uri=f"s3://{twin.bucket}/{twin.names.capture_prefix}",
        statistics_uri=definition["BaselineConfig"]["StatisticsResource"]["S3Uri"],
        constraints_uri=definition["BaselineConfig"]["ConstraintsResource"]["S3Uri"],
        reports_uri=definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"])
    return twin, run, execution


def _copy_inputs(twin: Twin, run: HourlyRun, s3, scheduled: datetime) -> None:
    """The twin's baseline and the capture of the analysed hour and the next, into moto's S3."""
    s3.create_bucket(Bucket=twin.bucket)
    start, end = capture_window(scheduled)
    keys = [twin.core.key_of(run.statistics_uri), twin.core.key_of(run.constraints_uri)]
    for hour in (start, end):
        prefix = f"{twin.names.capture_prefix}/{run.endpoint}/{run.variant}/{hour_path(hour)}/"
        keys += [o.key for o in twin.ws.list_objects(twin.bucket, prefix)]
    for key in keys:
        s3.put_object(Bucket=twin.bucket, Key=key, Body=twin.ws.get_object(twin.bucket, key))


def _args(run: HourlyRun, scheduled: datetime, message: Path, *extra: str) -> list[str]:
    return ["selfrun", "--scheduled-time", f"{scheduled:%Y-%m-%dT%H:%M:%SZ}", "--endpoint", run.endpoint,
            "--variant", run.variant, "--schedule", run.schedule, "--capture-uri", run.capture_uri,
            "--statistics-uri", run.statistics_uri, "--constraints-uri", run.constraints_uri,
            "--reports-uri", run.reports_uri, "--message-file", str(message), *extra]


def _points(cloudwatch, metric: str, endpoint: str, schedule: str, namespace: str = NAMESPACE) -> list[dict]:
    now = datetime.now(timezone.utc)
    return cloudwatch.get_metric_statistics(
        Namespace=namespace, MetricName=metric, StartTime=now - timedelta(hours=1), EndTime=now + timedelta(hours=1),
        Period=3600, Statistics=["SampleCount", "Average"],
        Dimensions=[{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": schedule}],
    )["Datapoints"]


def test_the_job_writes_the_twins_reports_byte_for_byte(twin_hour, aws_env, tmp_path, capsys):
    twin, run, execution = twin_hour
    scheduled = execution["ScheduledTime"]
    folder = f"{twin.core.key_of(run.reports_uri)}/{run.endpoint}/{run.schedule}/{hour_path(scheduled)}/"
    job = twin.ws.resource("processing_job", execution["ProcessingJobName"])
    with mock_aws():
        s3, cloudwatch = boto3.client("s3"), boto3.client("cloudwatch")
        _copy_inputs(twin, run, s3, scheduled)
        message = tmp_path / "output" / "message"
        assert main(_args(run, scheduled, message)) == 0
        for name in REPORT_FILES:
            ours = s3.get_object(Bucket=twin.bucket, Key=folder + name)["Body"].read()
            assert ours == twin.ws.get_object(twin.bucket, folder + name), name
        assert message.read_text() == job["ExitMessage"]
        assert message.read_text().startswith("CompletedWithViolations: Job completed successfully with ")
        drift = _points(cloudwatch, "feature_baseline_drift_total_amount", run.endpoint, run.schedule)
        twin_drift = twin.client("cloudwatch").get_metric_statistics(
            Namespace=NAMESPACE, MetricName="feature_baseline_drift_total_amount", StartTime=scheduled,
            EndTime=scheduled + timedelta(hours=1), Period=3600, Statistics=["Average"],
            Dimensions=[{"Name": "Endpoint", "Value": run.endpoint},
                        {"Name": "MonitoringSchedule", "Value": run.schedule}])["Datapoints"]
        assert [p["Average"] for p in drift] == [p["Average"] for p in twin_drift]
        names = {m["MetricName"] for m in cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]}
        features = ("total_amount", "duration_minutes", "passenger_count", "trip_distance")
        assert names == {f"feature_{kind}_{f}" for kind in ("baseline_drift", "non_null", "data") for f in features}

        # a retried schedule finds the report set and exits: same message, nothing published again
        assert main(_args(run, scheduled, message)) == 0
        assert "already run" in capsys.readouterr().out
        assert message.read_text() == job["ExitMessage"]
        assert [p["SampleCount"] for p in _points(cloudwatch, "feature_non_null_total_amount",
                                                   run.endpoint, run.schedule)] == [1.0]


def test_an_empty_hour_fails_as_the_service_does(twin_hour, aws_env, tmp_path):
    twin, run, execution = twin_hour
    with mock_aws():
        s3 = boto3.client("s3")
        _copy_inputs(twin, run, s3, execution["ScheduledTime"])
        message = tmp_path / "message"
        later = execution["ScheduledTime"] + timedelta(days=3)
        assert main(_args(run, later, message)) == 3
        assert message.read_text() == "Job inputs had no data"
        assert "Contents" not in s3.list_objects_v2(Bucket=twin.bucket, Prefix=twin.core.key_of(run.reports_uri))


def test_namespace_and_dimension_values_are_configurable(twin_hour, aws_env, tmp_path):
    twin, run, execution = twin_hour
    with mock_aws():
        _copy_inputs(twin, run, boto3.client("s3"), execution["ScheduledTime"])
        extra = ("--namespace", "selfrun/data-metrics", "--metric-endpoint", "prod", "--metric-schedule", "hourly")
        assert main(_args(run, execution["ScheduledTime"], tmp_path / "m", *extra)) == 0
        cloudwatch = boto3.client("cloudwatch")
        assert cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"] == []
        assert _points(cloudwatch, "feature_non_null_trip_distance", "prod", "hourly", "selfrun/data-metrics")


def test_metrics_can_be_switched_off(twin_hour, aws_env, tmp_path, monkeypatch):
    twin, run, execution = twin_hour
    monkeypatch.setenv("PUBLISH_CLOUDWATCH_METRICS", "Disabled")
    with mock_aws():
        _copy_inputs(twin, run, boto3.client("s3"), execution["ScheduledTime"])
        assert main(_args(run, execution["ScheduledTime"], tmp_path / "m")) == 0
        assert boto3.client("cloudwatch").list_metrics(Namespace=NAMESPACE)["Metrics"] == []


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("SCHEDULED_TIME", "", "SCHEDULED_TIME"),
    ("SCHEDULED_TIME", "yesterday", "ISO 8601"),
    ("PUBLISH_CLOUDWATCH_METRICS", "enabled", "Enabled or Disabled"),
    ("REPORTS_S3_URI", "/tmp/reports", "REPORTS_S3_URI must be an s3:// URI"),
    ("CONTAINER_GENERATION", "2019", "CONTAINER_GENERATION: unknown container generation"),
])
def test_bad_settings_are_named(setting, value, words, monkeypatch, tmp_path, capsys):
    environment = {"SCHEDULED_TIME": "2021-06-07T10:00:00Z", "ENDPOINT_NAME": "e", "VARIANT_NAME": "v",
                   "SCHEDULE_NAME": "s", "CAPTURE_S3_URI": "s3://b/c", "BASELINE_STATISTICS_S3_URI": "s3://b/s",
                   "BASELINE_CONSTRAINTS_S3_URI": "s3://b/k", "REPORTS_S3_URI": "s3://b/r",
                   "MESSAGE_FILE": str(tmp_path / "message"), setting: value}
    for key, val in environment.items():
        monkeypatch.setenv(key, val)
    assert main(["selfrun"]) == 2
    assert words in capsys.readouterr().err


class _Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def _record(text: str, moment: datetime, event: str) -> CaptureRecord:
    return CaptureRecord.create(text, "13.1", event_id=event, inference_time=moment)


def test_late_files_count_and_other_hours_do_not(twin_hour, aws_env):
    """Records are taken by inferenceTime from the hour's folder and the next one (late files)."""
    twin, run, _ = twin_hour
    hour = datetime(2021, 6, 8, 9, tzinfo=timezone.utc)
    prefix = f"{twin.names.capture_prefix}"

    def put(s3, folder_time, records):
        key = capture_key(prefix, run.endpoint, run.variant, folder_time)
        s3.put_object(Bucket=twin.bucket, Key=key, Body="".join(r.to_line() + "\n" for r in records))

    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=twin.bucket)
        for uri in (run.statistics_uri, run.constraints_uri):
            s3.put_object(Bucket=twin.bucket, Key=twin.core.key_of(uri), Body=twin.core.read_bytes(uri))
        put(s3, hour + timedelta(minutes=5), [_record("10.0,1,2.0", hour + timedelta(minutes=5, seconds=s), f"a{s}")
                                              for s in range(3)])
        put(s3, hour + timedelta(minutes=30), [_record("11.0,1,2.5", hour - timedelta(seconds=2), "early")])
        put(s3, hour + timedelta(hours=1, minutes=1), [  # flushed late: two of this hour, one of the next
            _record("12.0,2,3.0", hour + timedelta(minutes=59, seconds=58), "late1"),
            _record("12.5,2,3.5", hour + timedelta(minutes=59, seconds=59), "late2"),
            _record("13.0,1,1.0", hour + timedelta(hours=1, seconds=1), "next")])
        put(s3, hour + timedelta(hours=2, minutes=1), [_record("9.0,1,1.0", hour + timedelta(minutes=10), "too-late")])
        clock = _Clock(hour + timedelta(hours=1, minutes=5))
        outcome = run_hour(run, hour + timedelta(hours=1), S3Store(s3), CloudWatchPublisher(boto3.client("cloudwatch"), clock))
    assert outcome.window == (hour, hour + timedelta(hours=1))
    assert outcome.result.profile.item_count == 5  # 3 in the folder, 2 late; the early and next left out
    assert outcome.outside_window == 2
    assert outcome.capture_files == 3  # two hours' folders only: the file two hours late is not read
    assert outcome.report_uri.endswith(f"/{run.endpoint}/{run.schedule}/2021/06/08/10/")


def test_a_partial_report_set_is_written_again(twin_hour, aws_env, tmp_path):
    """A run killed after statistics.json but before constraint_violations.json is not 'done'."""
    twin, run, execution = twin_hour
    scheduled = execution["ScheduledTime"]
    folder = f"{twin.core.key_of(run.reports_uri)}/{run.endpoint}/{run.schedule}/{hour_path(scheduled)}/"
    with mock_aws():
        s3 = boto3.client("s3")
        _copy_inputs(twin, run, s3, scheduled)
        s3.put_object(Bucket=twin.bucket, Key=folder + "statistics.json", Body=b"{ }")
        assert main(_args(run, scheduled, tmp_path / "m")) == 0
        for name in REPORT_FILES:
            ours = s3.get_object(Bucket=twin.bucket, Key=folder + name)["Body"].read()
            assert ours == twin.ws.get_object(twin.bucket, folder + name), name


def test_the_job_runs_locally_against_the_twin(twin_copy, tmp_path):
    """``--workspace``: the same job against the twin's S3 and CloudWatch (no AWS at all)."""
    import shutil

    twin = twin_copy
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    execution = max((e for e in twin.ws.resources("monitoring_execution")
                     if e["MonitoringExecutionStatus"].startswith("Completed")), key=lambda e: e["ScheduledTime"])
    definition = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    run = HourlyRun(execution["EndpointName"], twin.names.variant_name, schedule["MonitoringScheduleName"],
                    f"s3://{twin.bucket}/{twin.names.capture_prefix}",
                    definition["BaselineConfig"]["StatisticsResource"]["S3Uri"],
                    definition["BaselineConfig"]["ConstraintsResource"]["S3Uri"],
                    definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"])
    folder = f"{twin.core.key_of(run.reports_uri)}/{run.endpoint}/{run.schedule}/{hour_path(execution['ScheduledTime'])}"
    before = {name: twin.ws.get_object(twin.bucket, f"{folder}/{name}") for name in REPORT_FILES}
    shutil.rmtree(twin.ws.object_path(twin.bucket, folder))
    args = _args(run, execution["ScheduledTime"], tmp_path / "message", "--workspace", str(twin.ws.root))
    assert main(args) == 0
    assert {name: twin.ws.get_object(twin.bucket, f"{folder}/{name}") for name in REPORT_FILES} == before
    assert (tmp_path / "message").read_text().startswith("CompletedWithViolations")


def test_a_vanished_baseline_fails_the_job_with_its_reason(twin_hour, aws_env, tmp_path, capsys):
    """The same outcome as the twin's execution (test_twin_faults): ClientError, the object named."""
    twin, run, execution = twin_hour
    with mock_aws():
        s3 = boto3.client("s3")
        _copy_inputs(twin, run, s3, execution["ScheduledTime"])
        s3.delete_object(Bucket=twin.bucket, Key=twin.core.key_of(run.statistics_uri))
        message = tmp_path / "message"
        assert main(_args(run, execution["ScheduledTime"], message)) == 2
        reason = (f"ClientError: the baseline object {run.statistics_uri} does not exist (deleted or moved); "
                  "restore it or update the schedule's BaselineConfig")
        assert message.read_text() == f"Error: {reason}"
        assert f"error: {reason}" in capsys.readouterr().err
        assert "Contents" not in s3.list_objects_v2(Bucket=twin.bucket, Prefix=twin.core.key_of(run.reports_uri))
        assert boto3.client("cloudwatch").list_metrics(Namespace=NAMESPACE)["Metrics"] == []

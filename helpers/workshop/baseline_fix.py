"""Step 13b: the fix that reaches Model Monitor: a baseline of predictions, the schedule
pointed at it, and traffic serialised with the training data's types."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from ..aws import guarded
from ..backends import WorkshopSession
from ..payloads import typed
from .reports import split_s3_uri

_ROWS_PER_REQUEST = 500  # a batch of rows per request, one prediction per line back


@guarded("predicting through the endpoint (sagemaker-runtime:InvokeEndpoint)")
def predictions_dataset(sess: WorkshopSession, endpoint: str, test: pd.DataFrame, rows: int | None = None,
                        integral: set[str] | None = None, seed: int = 0) -> pd.DataFrame:
    """The baseline data set the schedule should compare against: the endpoint's prediction
    first (where capture puts it), then the inputs, for ``test`` (label first) or a sample of it.

    ``rows`` is an upper bound (None: every row): a test split smaller than that is used whole.
    ``integral`` names the columns sent as integers (the training data's types).
    """
    sample = test if rows is None or rows >= len(test) else test.sample(rows, random_state=seed)
    features = sample.iloc[:, 1:]
    runtime = sess.client("sagemaker-runtime")
    predictions: list[float] = []
    for start in range(0, len(features), _ROWS_PER_REQUEST):
        body = "\n".join(typed(features.iloc[start:start + _ROWS_PER_REQUEST], integral))
        answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=body)
        predictions += [float(line) for line in answer["Body"].read().decode().split()]
    if len(predictions) != len(features):
        raise ValueError(f"{endpoint} answered {len(predictions)} predictions for {len(features)} rows: "
                         "expected one prediction per line")
    return pd.concat([pd.Series(predictions, index=features.index, name=test.columns[0]), features], axis=1)


@guarded("writing to S3 (s3:PutObject)")
def write_s3_text(sess: WorkshopSession, uri: str, text: str) -> str:
    bucket, key = split_s3_uri(uri)
    sess.client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
    return uri


def suggest_baseline(sess: WorkshopSession, dataset_uri: str, output_uri: str, job_name: str) -> Any:
    """The SageMaker SDK's ``DefaultModelMonitor.suggest_baseline``: a processing job with the
    analyzer image over the data set; returns the SDK's ProcessingJob (started, not waited for)."""
    from .schedule import sdk_model_monitor

    monitor = sdk_model_monitor(sess)  # first: it quiets the SDK's import-time warning and logs
    from sagemaker.model_monitor import DatasetFormat

    return monitor.suggest_baseline(baseline_dataset=dataset_uri, dataset_format=DatasetFormat.csv(header=True),
                                    output_s3_uri=output_uri, job_name=job_name, wait=False, logs=False)


@dataclass(frozen=True)
class ProcessingJob:
    name: str
    status: str
    exit_message: str | None
    failure_reason: str | None
    output_uri: str
    ended: datetime | None


@guarded("waiting for a processing job (sagemaker:DescribeProcessingJob)")
def wait_for_processing_job(sess: WorkshopSession, name: str, timeout: float = 3600, poll: float = 30) -> ProcessingJob:
    """Poll until the job is no longer InProgress; on the twin each poll lives a virtual minute."""
    deadline = time.monotonic() + timeout
    while True:
        job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=name)
        if job["ProcessingJobStatus"] not in ("InProgress", "Stopping"):
            outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
            return ProcessingJob(name, job["ProcessingJobStatus"], job.get("ExitMessage"), job.get("FailureReason"),
                                 outputs[0]["S3Output"]["S3Uri"].rstrip("/") if outputs else "", job.get("ProcessingEndTime"))
        if time.monotonic() > deadline:
            raise TimeoutError(f"processing job {name} still {job['ProcessingJobStatus']} after {timeout:.0f} s")
        _wait(sess, poll)


def _wait(sess: WorkshopSession, seconds: float) -> None:
    if sess.twin is not None:
        sess.twin.live(sess.now() + timedelta(seconds=max(seconds, 60)))
    else:
        time.sleep(seconds)


@guarded("pointing the schedule at a baseline (sagemaker:UpdateMonitoringSchedule)")
def use_baseline(sess: WorkshopSession, statistics_uri: str, constraints_uri: str, schedule: str | None = None) -> str:
    """``update_monitoring_schedule`` with the same config and a new BaselineConfig; the ARN.

    With monitoring="self" the schedule is EventBridge Scheduler's: ``scheduler.update_schedule``
    with the new URIs in its target's job (``selfrun_baseline.point_selfrun_at_baseline``).
    """
    if sess.monitoring == "self":
        from .selfrun_baseline import point_selfrun_at_baseline

        return point_selfrun_at_baseline(sess, statistics_uri, constraints_uri, schedule)
    sagemaker = sess.client("sagemaker")
    name = schedule or sess.names.schedule_name
    config = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleConfig"]
    definition = config.get("MonitoringJobDefinition")
    if definition is None:
        raise LookupError(f"{name} uses the job definition {config.get('MonitoringJobDefinitionName')}; "
                          "point that definition at the baseline instead (create_data_quality_job_definition)")
    definition["BaselineConfig"] = {"StatisticsResource": {"S3Uri": statistics_uri},
                                    "ConstraintsResource": {"S3Uri": constraints_uri}}
    return sagemaker.update_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=config)["MonitoringScheduleArn"]


def typed_client(sess: WorkshopSession) -> str:
    """From now on the workshop's client sends integers as integers. On the twin that client is
    the twin's own (it keeps sending to production every hour); on AWS it is your code, so this
    only says what to change. What the client now does, in a sentence."""
    if sess.twin is not None:
        sess.twin.traffic.serialisation = "typed"
        return "the twin's client now writes each value with its column's type, every hour from now on"
    return ("on AWS your own client sends the requests: write each value with its column's type "
            "(helpers.payloads.typed does) wherever you call invoke_endpoint")

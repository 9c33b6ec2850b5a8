"""Steps 7 to 9: the monitoring schedule, its executions, and waiting for one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..aws import guarded
from ..backends import WorkshopSession

FINISHED = ("Completed", "CompletedWithViolations", "Failed", "Stopped")


@dataclass(frozen=True)
class ScheduleInfo:
    name: str
    status: str
    cron: str
    endpoint: str
    statistics_uri: str
    constraints_uri: str
    reports_uri: str
    instance_type: str
    max_runtime_seconds: int
    raw: dict

    def next_runs(self, after: datetime, count: int = 3) -> list[datetime]:
        """Step 8: the next fire times of the cron expression."""
        from ..twin.cron import next_runs

        return next_runs(self.cron, after, after + timedelta(days=count))[:count]


@guarded("describing the monitoring schedule (sagemaker:DescribeMonitoringSchedule)")
def monitoring_schedule(sess: WorkshopSession, name: str | None = None) -> ScheduleInfo:
    """Step 7: the schedule's definition, the parts the workshop explains."""
    raw = sess.client("sagemaker").describe_monitoring_schedule(MonitoringScheduleName=name or sess.names.schedule_name)
    config = raw["MonitoringScheduleConfig"]
    job = config["MonitoringJobDefinition"]
    return ScheduleInfo(
        raw["MonitoringScheduleName"], raw["MonitoringScheduleStatus"], config["ScheduleConfig"]["ScheduleExpression"],
        raw.get("EndpointName", ""), job["BaselineConfig"]["StatisticsResource"]["S3Uri"],
        job["BaselineConfig"]["ConstraintsResource"]["S3Uri"],
        job["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"],
        job["MonitoringResources"]["ClusterConfig"]["InstanceType"],
        job["StoppingCondition"]["MaxRuntimeInSeconds"], raw)


@dataclass(frozen=True)
class Execution:
    scheduled: datetime
    status: str
    processing_job_arn: str
    failure_reason: str | None
    raw: dict

    @property
    def processing_job(self) -> str:
        return self.processing_job_arn.rsplit("/", 1)[-1]


def monitoring_executions(sess: WorkshopSession, schedule: str | None = None) -> list[Execution]:
    """Every execution of the schedule, newest scheduled first."""
    pages = sess.client("sagemaker").get_paginator("list_monitoring_executions").paginate(
        MonitoringScheduleName=schedule or sess.names.schedule_name, SortBy="ScheduledTime", SortOrder="Descending")
    return [Execution(e["ScheduledTime"], e["MonitoringExecutionStatus"], e.get("ProcessingJobArn", ""),
                      e.get("FailureReason"), e) for p in pages for e in p["MonitoringExecutionSummaries"]]


@guarded("listing monitoring executions (sagemaker:ListMonitoringExecutions)")
def latest_execution(sess: WorkshopSession, schedule: str | None = None, *,
                     statuses: tuple[str, ...] = FINISHED) -> Execution | None:
    """The newest execution whose status is one of ``statuses`` (any finished one by default)."""
    return next((e for e in monitoring_executions(sess, schedule) if e.status in statuses), None)


@guarded("waiting for a monitoring execution (sagemaker:ListMonitoringExecutions)")
def wait_for_execution(sess: WorkshopSession, schedule: str | None = None, *, timeout: float = 3900,
                       poll: float = 60, want=("Completed", "CompletedWithViolations")) -> Execution:
    """Step 9: wait until an execution with a report exists; polite polling with a progress bar.

    On the twin nothing waits an hour: each poll lets the twin live one more virtual hour.
    """
    from tqdm.auto import tqdm

    schedule = schedule or sess.names.schedule_name
    deadline = time.monotonic() + timeout
    with tqdm(desc=f"waiting for {schedule}", unit="poll", leave=False) as bar:
        while True:
            found = next((e for e in monitoring_executions(sess, schedule) if e.status in want), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {'/'.join(want)} execution of {schedule} within {timeout:.0f} s; "
                                   "the schedule runs hourly: check that the endpoint receives traffic")
            if sess.twin is not None:
                sess.twin.run_hours(1)
            else:
                time.sleep(poll)
            bar.update(1)


@guarded("describing the execution's processing job (sagemaker:DescribeProcessingJob)")
def report_uri(sess: WorkshopSession, execution: Execution) -> str:
    """Step 10: where an execution wrote its reports."""
    job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=execution.processing_job)
    return job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].rstrip("/")


def sdk_model_monitor(sess: WorkshopSession) -> Any:
    """The SageMaker SDK's ``DefaultModelMonitor`` attached to the schedule, on either backend.

    Optional: the SDK costs seconds to import, so it is imported here and nowhere else, and no
    step needs it. Its ``list_executions()`` gives ``MonitoringExecution`` objects whose
    ``constraint_violations()`` read the reports through the session's S3 client.
    """
    import logging
    import os

    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    for name in ("sagemaker", "sagemaker.config"):  # import-time INFO lines are not for the notebook
        logging.getLogger(name).setLevel(logging.WARNING)
    import boto3
    import sagemaker
    from sagemaker.model_monitor import DefaultModelMonitor

    boto = sess.boto_session or boto3.session.Session(aws_access_key_id="twin", aws_secret_access_key="twin",
                                                      region_name=sess.region)
    sm_session = sagemaker.Session(boto_session=boto, sagemaker_client=sess.client("sagemaker"),
                                   sagemaker_runtime_client=sess.client("sagemaker-runtime"),
                                   default_bucket=sess.default_bucket)
    if sess.twin is not None:  # the SDK reads reports through these: answer them from the twin
        sm_session.s3_client = sess.client("s3")
        sm_session.s3_resource = boto.resource("s3")
        sm_session.s3_resource.meta.client = sess.client("s3")
    return DefaultModelMonitor.attach(monitor_schedule_name=sess.names.schedule_name, sagemaker_session=sm_session)

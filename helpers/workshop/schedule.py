"""Steps 7 to 9: the monitoring schedule, its executions, and waiting for one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..aws import AnswerMissing, guarded, need
from ..backends import WorkshopSession

FINISHED = ("Completed", "CompletedWithViolations", "Failed", "Stopped")


@dataclass(frozen=True)
class ScheduleInfo:
    """The parts of a schedule the workshop explains; "" (or {}) where AWS's answer has none."""

    name: str
    status: str
    cron: str
    endpoint: str
    statistics_uri: str
    constraints_uri: str
    reports_uri: str
    instance_type: str
    max_runtime_seconds: int | None
    environment: dict
    definition_name: str  # the job definition's own name (schedules made by SDK v2), else ""
    raw: dict

    def next_runs(self, after: datetime, count: int = 3) -> list[datetime]:
        """Step 8: the next fire times of the cron expression."""
        from ..twin.cron import next_runs

        if not self.cron:
            raise AnswerMissing(f"schedule {self.name} has no ScheduleExpression in its description")
        return next_runs(self.cron, after, after + timedelta(days=count))[:count]


def _first_output(config: dict) -> str:
    outputs = config.get("MonitoringOutputs", [])
    return outputs[0].get("S3Output", {}).get("S3Uri", "") if outputs else ""


@guarded("describing the monitoring schedule (sagemaker:DescribeMonitoringSchedule)")
def monitoring_schedule(sess: WorkshopSession, name: str | None = None) -> ScheduleInfo:
    """Step 7: the schedule's definition, inline or (SDK v2) a data-quality job definition of its own.

    Every member of a schedule's configuration is optional in the API, and the two ways of
    defining it name the same things differently, so both are read into one summary.
    """
    sm = sess.client("sagemaker")
    raw = sm.describe_monitoring_schedule(MonitoringScheduleName=name or sess.names.schedule_name)
    config = raw.get("MonitoringScheduleConfig", {})
    definition = config.get("MonitoringJobDefinitionName", "")
    if definition:
        job = sm.describe_data_quality_job_definition(JobDefinitionName=definition)
        baseline, output = job.get("DataQualityBaselineConfig", {}), job.get("DataQualityJobOutputConfig", {})
        resources, environment = job.get("JobResources", {}), job.get("DataQualityAppSpecification", {}).get("Environment", {})
    else:
        job = config.get("MonitoringJobDefinition", {})
        baseline, output = job.get("BaselineConfig", {}), job.get("MonitoringOutputConfig", {})
        resources, environment = job.get("MonitoringResources", {}), job.get("Environment", {})
    return ScheduleInfo(
        raw["MonitoringScheduleName"], raw["MonitoringScheduleStatus"],
        config.get("ScheduleConfig", {}).get("ScheduleExpression", ""), raw.get("EndpointName", ""),
        baseline.get("StatisticsResource", {}).get("S3Uri", ""), baseline.get("ConstraintsResource", {}).get("S3Uri", ""),
        _first_output(output), resources.get("ClusterConfig", {}).get("InstanceType", ""),
        job.get("StoppingCondition", {}).get("MaxRuntimeInSeconds"), dict(environment), definition, raw)


@dataclass(frozen=True)
class Execution:
    scheduled: datetime
    status: str
    processing_job_arn: str
    failure_reason: str | None
    raw: dict

    @property
    def processing_job(self) -> str:
        return need(self.processing_job_arn, "ProcessingJobArn for this execution").rsplit("/", 1)[-1]


def _execution(e: dict) -> Execution:
    return Execution(e["ScheduledTime"], e["MonitoringExecutionStatus"], e.get("ProcessingJobArn", ""),
                     e.get("FailureReason"), e)


def monitoring_executions(sess: WorkshopSession, schedule: str | None = None, *, status: str | None = None,
                          limit: int | None = None) -> list[Execution]:
    """Executions of the schedule, newest scheduled first: all pages, or the first ``limit``."""
    params = {"MonitoringScheduleName": schedule or sess.names.schedule_name, "SortBy": "ScheduledTime",
              "SortOrder": "Descending"} | ({"StatusEquals": status} if status else {})
    sm = sess.client("sagemaker")
    if limit is not None:  # one small page: what a poll needs, never the whole history
        answer = sm.list_monitoring_executions(**params, MaxResults=limit)
        return [_execution(e) for e in answer.get("MonitoringExecutionSummaries", [])]
    pages = sm.get_paginator("list_monitoring_executions").paginate(**params)
    return [_execution(e) for p in pages for e in p.get("MonitoringExecutionSummaries", [])]


def _newest(sess: WorkshopSession, schedule: str | None, statuses: tuple[str, ...]) -> Execution | None:
    """The newest execution in any of ``statuses``: one StatusEquals call of MaxResults=1 each."""
    found = [e for s in statuses for e in monitoring_executions(sess, schedule, status=s, limit=1)]
    return max(found, key=lambda e: e.scheduled, default=None)


@guarded("listing monitoring executions (sagemaker:ListMonitoringExecutions)")
def latest_execution(sess: WorkshopSession, schedule: str | None = None, *,
                     statuses: tuple[str, ...] = FINISHED) -> Execution | None:
    """The newest execution whose status is one of ``statuses`` (any finished one by default)."""
    return _newest(sess, schedule, statuses)


@guarded("waiting for a monitoring execution (sagemaker:ListMonitoringExecutions)")
def wait_for_execution(sess: WorkshopSession, schedule: str | None = None, *, timeout: float = 3900,
                       poll: float = 60, want=("Completed", "CompletedWithViolations")) -> Execution:
    """Step 9: wait until an execution with a report exists; polite polling with a progress bar.

    Each poll asks only for the newest execution of each wanted status. On the twin nothing
    waits an hour: each poll lets the twin live one more virtual hour.
    """
    from tqdm.auto import tqdm

    schedule = schedule or sess.names.schedule_name
    deadline = time.monotonic() + timeout
    with tqdm(desc=f"waiting for {schedule}", unit="poll", leave=False) as bar:
        while True:
            found = _newest(sess, schedule, tuple(want))
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
    outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
    uri = next((o["S3Output"]["S3Uri"] for o in outputs if "S3Output" in o), None)
    return need(uri, f"S3 output in processing job {execution.processing_job}").rstrip("/")


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
    try:
        return DefaultModelMonitor.attach(monitor_schedule_name=sess.names.schedule_name, sagemaker_session=sm_session)
    except (KeyError, AttributeError, TypeError) as err:  # the SDK indexes fields the API marks optional
        raise AnswerMissing(f"the SageMaker SDK's DefaultModelMonitor.attach cannot read {sess.names.schedule_name} "
                            f"({type(err).__name__}: {err}): it expects fields the API leaves optional (such as "
                            "Environment) or an inline job definition; use workshop.monitoring_schedule(sess), "
                            "which reads it either way") from None

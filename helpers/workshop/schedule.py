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

    @property
    def unix_cron(self) -> str:
        """Step 8: the same expression in Unix cron's five fields (``?`` becomes ``*``)."""
        from ..twin.cron import aws_cron_to_unix

        return aws_cron_to_unix(self.cron)


def _first_output(config: dict) -> str:
    outputs = config.get("MonitoringOutputs", [])
    return outputs[0].get("S3Output", {}).get("S3Uri", "") if outputs else ""


@guarded("describing the monitoring schedule (sagemaker:DescribeMonitoringSchedule)")
def monitoring_schedule(sess: WorkshopSession, name: str | None = None) -> ScheduleInfo:
    """Step 7: the schedule's definition, inline or (SDK v2) a data-quality job definition of its own.

    Every member of a schedule's configuration is optional in the API, and the two ways of
    defining it name the same things differently, so both are read into one summary.
    """
    if sess.monitoring == "self":
        from .selfrun import selfrun_schedule_info

        return selfrun_schedule_info(sess, name)
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
                          endpoint: str | None = None, limit: int | None = None) -> list[Execution]:
    """Executions of the schedule (for ``endpoint``, when given), newest scheduled first: all
    pages, or the first ``limit``."""
    if sess.monitoring == "self":  # self-run: one schedule per endpoint, so no endpoint filter
        from .selfrun import selfrun_executions

        return selfrun_executions(sess, schedule, status=status, limit=limit)
    params = {"MonitoringScheduleName": schedule or sess.names.schedule_name, "SortBy": "ScheduledTime",
              "SortOrder": "Descending"} | ({"StatusEquals": status} if status else {}) | (
              {"EndpointName": endpoint} if endpoint else {})
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
def wait_for_execution(sess: WorkshopSession, schedule: str | None = None, *, endpoint: str | None = None,
                       timeout: float = 3900, poll: float = 60,
                       want=("Completed", "CompletedWithViolations")) -> Execution:
    """Step 9: wait until an execution with a report exists (for ``endpoint``, when given).

    Each poll asks only for what it needs. On the twin nothing waits an hour: each poll lets
    the twin live one more virtual hour, so no progress bar is drawn. On AWS a bar counts the
    polls and disappears when done.
    """
    schedule = schedule or sess.names.schedule_name
    deadline = time.monotonic() + timeout
    bar = None
    try:
        while True:
            found = _newest(sess, schedule, tuple(want)) if endpoint is None else next(
                (e for e in monitoring_executions(sess, schedule) if e.status in want
                 and e.raw.get("EndpointName", endpoint) == endpoint), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {'/'.join(want)} execution of {schedule} within {timeout:.0f} s; "
                                   "the schedule runs hourly: check that the endpoint receives traffic")
            if sess.twin is not None:
                sess.twin.run_hours(1)
                continue
            if bar is None:
                from tqdm.auto import tqdm

                bar = tqdm(desc=f"waiting for {schedule}", unit="poll", leave=False)
            time.sleep(poll)
            bar.update(1)
    finally:
        if bar is not None:
            bar.close()


@guarded("describing the execution's processing job (sagemaker:DescribeProcessingJob)")
def report_uri(sess: WorkshopSession, execution: Execution) -> str:
    """Step 10: where an execution wrote its reports."""
    if sess.monitoring == "self":
        from .selfrun import execution_report_uri

        return execution_report_uri(sess, execution)
    job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=execution.processing_job)
    outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
    uri = next((o["S3Output"]["S3Uri"] for o in outputs if "S3Output" in o), None)
    return need(uri, f"S3 output in processing job {execution.processing_job}").rstrip("/")


class SdkUnavailable(ImportError):
    """The SageMaker SDK v2 (``sagemaker.model_monitor``) cannot be imported here. A notebook
    shows the sentence alone (IPython's ``_render_traceback_``): it says what to install."""

    def _render_traceback_(self) -> list[str]:
        return [f"Cannot run here: {self}"]


def sdk_model_monitor(sess: WorkshopSession) -> Any:
    """The SageMaker SDK's ``DefaultModelMonitor`` attached to the schedule, on either backend.

    The SDK costs seconds to import, so it is imported here and nowhere else. Step 10's last
    cell uses it (optional) and step 13b's ``suggest_baseline`` runs through it (as the real
    workshop does). Its ``list_executions()`` gives ``MonitoringExecution`` objects whose
    ``constraint_violations()`` read the reports through the session's S3 client.
    """
    if sess.monitoring == "self":
        raise AnswerMissing(f"the SageMaker SDK's DefaultModelMonitor attaches to Model Monitor schedules only; "
                            f"the self-run schedule {sess.names.schedule_name} starts plain processing jobs: read "
                            "them with workshop.processing_job(sess, name)")
    import logging
    import os

    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    # the SDK logs "sagemaker.config INFO - Not applying SDK defaults ..." on every import, and
    # "Creating processing-job with name ..." per job, unless its loggers already have a level:
    # a learner needs none of it
    for name in ("sagemaker", "sagemaker.config"):
        log = logging.getLogger(name)
        if log.level == logging.NOTSET:
            log.setLevel(logging.WARNING)
    import boto3

    try:
        import sagemaker
        from sagemaker.model_monitor import DefaultModelMonitor
    except ImportError as err:  # not installed, or SDK v3 (SageMaker Distribution 4.x), which removed it
        raise SdkUnavailable(f"this step needs the SageMaker SDK v2's DefaultModelMonitor ({err}); SDK v3 (the "
                             "SageMaker Distribution 4.x kernels) removed sagemaker.model_monitor. Install "
                             "'sagemaker>=2.232,<3' in a kernel of your own (not over the image's SDK), or in "
                             "step 10 read the executions with workshop.monitoring_executions(sess)") from None

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


def sdk_monitoring_execution(sess: WorkshopSession, processing_job: str) -> Any:
    """Step 10: the SDK's ``MonitoringExecution`` for one processing job, or None if it lists none.

    The SDK indexes members of the answers that the API marks optional; where one is absent the
    error says so (``AnswerMissing``) instead of a KeyError from inside the SDK.
    """
    monitor = sdk_model_monitor(sess)
    try:
        return next((x for x in monitor.list_executions() if x.job_name == processing_job), None)
    except (KeyError, AttributeError, TypeError) as err:
        raise AnswerMissing(f"the SageMaker SDK's list_executions() cannot read the executions of "
                            f"{sess.names.schedule_name} ({type(err).__name__}: {err}): it expects fields the API "
                            "leaves optional; workshop.monitoring_executions(sess) reads them either way") from None


def start_quiet_hour(sess: WorkshopSession) -> datetime:
    """Steps 13b and 13c: the time requests sent from now on are sent, alone in their hour.

    On the twin the clock moves to one minute past the next full hour (the schedule fires for
    the hour before, as it would), and the twin's own client stays away for that hour, so it
    holds only what the notebook sends. The execution due at that full hour runs on the way and
    moves the clock on to its end, so the time returned is the clock read afterwards: the
    ``inferenceTime`` of the first request sent. On AWS nothing can be moved: the time is now,
    and the hour also holds any other traffic the endpoint receives.
    """
    if sess.twin is None:
        return sess.now()
    hour = sess.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    with sess.twin.ws.exclusive():
        sess.twin.traffic.keep_quiet(hour)
        sess.twin.advance(hour + timedelta(minutes=1))
    return sess.now()


@guarded("waiting for a monitoring execution (sagemaker:ListMonitoringExecutions)")
def wait_for_hour_report(sess: WorkshopSession, sent_at: datetime, endpoint: str, *, timeout: float = 2 * 3900,
                         poll: float = 60) -> Execution:
    """Step 13c: the execution that analysed the hour holding ``sent_at`` (it runs at the next
    full hour). On the twin the clock advances to 15 minutes past that hour; on AWS this polls
    until the execution has finished (up to two hours: capture lands minutes late, and the job
    itself takes a while)."""
    scheduled = sent_at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if sess.twin is not None and sess.now() < scheduled + timedelta(minutes=15):
        with sess.twin.ws.exclusive():
            sess.twin.advance(scheduled + timedelta(minutes=15))
    deadline = time.monotonic() + timeout
    while True:
        found = next((e for e in monitoring_executions(sess) if e.scheduled == scheduled and e.status in FINISHED
                      and e.raw.get("EndpointName", endpoint) == endpoint), None)
        if found is not None:
            return found
        if sess.twin is not None or time.monotonic() > deadline:
            raise TimeoutError(f"no finished execution of {sess.names.schedule_name} scheduled at "
                               f"{scheduled:%Y-%m-%d %H:%M} UTC for {endpoint}: is the schedule Scheduled?")
        time.sleep(poll)

"""The monitoring schedule: hourly executions that analyse the previous hour's capture.

An execution is a processing job named ``model-monitoring-<YYYYMMDDHHMM>-<24 hex>``; it runs the
hourly run the self-run job runs (``helpers.monitoring.hourly.run_hour``): that hour's capture
with the real analyzer, its three reports under ``<reports>/<endpoint>/<schedule>/yyyy/mm/dd/hh/``
(into a hidden folder first, renamed into place, so a killed run never leaves part of a report)
and the run's metrics. An hour without data fails with "Job inputs had no data", as the service
does; a baseline object that is gone fails the execution with its reason, and the schedule goes on.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from ..formats.layout import hour_path
from ..infra import resource_properties
from ..monitoring.hourly import HourOutcome, run_hour
from ..monitoring.pause import pause_point
from .api import TwinError
from .core import Core
from .cron import aws_cron_to_unix, next_runs
from .monitoring_run import ExecutionFinish, WorkspaceObjects, hourly_run
from .services.cloudwatch import CloudWatch
from .store import iso, parse_iso

__all__ = ["deploy_monitoring", "deploy_schedule", "fire_due", "update_schedule"]

CAPTURE_FORMAT = '{"sagemakerCaptureJson":{"captureIndexNames":["endpointInput","endpointOutput"]}}'


def deploy_monitoring(core: Core, cloudwatch: CloudWatch, endpoint: str, baseline_job: str) -> None:
    """The schedule and the drift alarm for a newly deployed endpoint (from assets/)."""
    deploy_schedule(core, endpoint, baseline_job)
    alarm = resource_properties("drift-alarm.template.json", {
        "AlarmName": core.names.alarm_name, "EndpointName": endpoint,
        "ScheduleName": core.names.schedule_name}, region=core.ws.region, account_id=core.ws.account_id)
    cloudwatch.PutMetricAlarm(alarm)


def deploy_schedule(core: Core, endpoint: str, baseline_job: str) -> dict:
    """Create or update the schedule from assets/monitoring-schedule.template.json."""
    name = core.names.schedule_name
    props = resource_properties("monitoring-schedule.template.json", {
        "ScheduleName": name, "EndpointName": endpoint,
        "BaselineUri": f"s3://{core.bucket}/{core.names.model_name}/monitoring/baseline/{baseline_job}",
        "ReportsUri": f"s3://{core.bucket}/{core.names.reports_prefix}",
        "RoleArn": core.role_arn("sagemaker")}, region=core.ws.region, account_id=core.ws.account_id)
    old = core.ws.resource("monitoring_schedule", name)
    now = core.ws.now()
    schedule = {
        "MonitoringScheduleArn": core.arn("sagemaker", f"monitoring-schedule/{name}"),
        "MonitoringScheduleName": name, "MonitoringScheduleStatus": "Scheduled",
        "MonitoringType": props["MonitoringScheduleConfig"]["MonitoringType"],
        "CreationTime": old["CreationTime"] if old else now, "LastModifiedTime": now,
        "MonitoringScheduleConfig": props["MonitoringScheduleConfig"], "EndpointName": endpoint,
    }
    if old and "LastMonitoringExecutionSummary" in old:
        schedule["LastMonitoringExecutionSummary"] = old["LastMonitoringExecutionSummary"]
    core.ws.put_resource("monitoring_schedule", name, schedule)
    if old is None:
        core.ws.set_meta("schedule_fired_until", iso(now))
    return schedule


def fire_due(core: Core, cloudwatch: CloudWatch, until: datetime) -> list[dict]:
    """Run every execution the schedule owes up to ``until`` (and finish interrupted ones)."""
    schedule = core.ws.resource("monitoring_schedule", core.names.schedule_name)
    if schedule is None or schedule["MonitoringScheduleStatus"] != "Scheduled":
        return []
    done = []
    for execution in core.ws.resources("monitoring_execution"):
        if execution["MonitoringExecutionStatus"] in ("Pending", "InProgress"):
            done.append(_run(core, cloudwatch, schedule, execution["ScheduledTime"], execution))
    fired = parse_iso(core.ws.meta("schedule_fired_until"))
    expression = schedule["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"]
    for scheduled in next_runs(expression, fired, until):
        core.set_clock(max(scheduled, core.ws.now()))
        schedule = core.ws.resource("monitoring_schedule", core.names.schedule_name)
        done.append(_run(core, cloudwatch, schedule, scheduled, None))
    return done


def _run(core: Core, cloudwatch: CloudWatch, schedule: dict, scheduled: datetime, pending: dict | None) -> dict:
    """One execution, exactly once whatever is killed when.

    Two transactions bound it: the claim (the execution InProgress and the hour marked fired,
    together) and the finish (its status, its job, the schedule's summary and its metrics,
    together). Between them runs the shared hourly run (``helpers.monitoring.hourly``), which
    publishes the metrics and puts the report set in place inside the finish. A process killed
    before the finish commits leaves an InProgress execution with no metric stored, which the
    next ``fire_due`` resumes: its reports are replaced whole, its metrics stored once.
    """
    rng = random.Random(int(scheduled.timestamp()))
    endpoint = schedule["EndpointName"]
    job = pending["ProcessingJobName"] if pending else \
        f"model-monitoring-{scheduled:%Y%m%d%H%M}-{uuid.UUID(int=rng.getrandbits(128)).hex[:24]}"
    created = scheduled + timedelta(seconds=rng.randint(40, 200))
    ended = created + timedelta(seconds=rng.randint(420, 560))
    window = (scheduled - timedelta(hours=1), scheduled)
    execution = pending or {
        "MonitoringScheduleName": schedule["MonitoringScheduleName"], "ScheduledTime": scheduled,
        "CreationTime": created, "LastModifiedTime": created, "MonitoringExecutionStatus": "InProgress",
        "ProcessingJobArn": core.arn("sagemaker", f"processing-job/{job}"), "EndpointName": endpoint,
        "MonitoringType": "DataQuality", "ProcessingJobName": job}
    key = f"{schedule['MonitoringScheduleName']}|{iso(scheduled)}"
    core.set_clock(max(created, core.ws.now()))
    if pending is None:
        with core.ws.transaction() as db:
            core.ws.put_resource("monitoring_execution", key, execution, db=db)
            core.ws.put_resource("processing_job", job, _processing_job(core, schedule, job, window, created, None), db=db)
            core.ws.set_meta("schedule_fired_until", iso(scheduled), db=db)
    pause_point("claimed")

    def record(outcome: HourOutcome, db) -> None:
        execution.update(MonitoringExecutionStatus=outcome.status, LastModifiedTime=ended)
        if outcome.status == "Failed":
            execution["FailureReason"] = outcome.message
        core.ws.put_resource("monitoring_execution", key, execution, db=db)
        core.ws.put_resource("processing_job", job, _processing_job(
            core, schedule, job, window, created, (outcome.status, outcome.message, ended)), db=db)
        name = schedule["MonitoringScheduleName"]
        summary = core.ws.resource("monitoring_schedule", name)
        summary["LastMonitoringExecutionSummary"] = {k: v for k, v in execution.items() if k != "ProcessingJobName"}
        core.ws.put_resource("monitoring_schedule", name, summary, db=db)

    finish = ExecutionFinish(core, cloudwatch, ended, record)
    run_hour(hourly_run(core, schedule), scheduled, WorkspaceObjects(core), finish, finish=finish.finish,
             reuse_reports=False)  # the execution's record, not the report set, says whether the hour is done
    pause_point("finished")  # the alarms see the metrics at their next evaluation
    return execution


def _processing_job(core: Core, schedule: dict, job: str, window, created: datetime, outcome) -> dict:
    definition = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    output = definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]
    endpoint = schedule["EndpointName"]
    capture_uri = f"s3://{core.bucket}/{core.names.capture_prefix}/{endpoint}/{core.names.variant_name}/{hour_path(window[0])}"
    body = {
        "ProcessingInputs": [
            {"InputName": "endpoint_input_1", "AppManaged": False, "S3Input": {
                "S3Uri": capture_uri, "LocalPath": f"/opt/ml/processing/input/endpoint/{endpoint}/"
                f"{core.names.variant_name}/{hour_path(window[0])}", "S3DataType": "S3Prefix",
                "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}},
            *[{"InputName": kind, "AppManaged": False, "S3Input": {
                "S3Uri": definition["BaselineConfig"][res]["S3Uri"], "LocalPath": f"/opt/ml/processing/baseline/{kind}",
                "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}
              for kind, res in (("baseline", "StatisticsResource"), ("constraints", "ConstraintsResource"))],
        ],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "result", "AppManaged": False, "S3Output": {
            "S3Uri": f"{output['S3Uri']}/{endpoint}/{schedule['MonitoringScheduleName']}/{hour_path(window[1])}",
            "LocalPath": output["LocalPath"], "S3UploadMode": output["S3UploadMode"]}}]},
        "ProcessingJobName": job,
        "ProcessingResources": definition["MonitoringResources"],
        "StoppingCondition": definition["StoppingCondition"],
        "AppSpecification": {"ImageUri": definition["MonitoringAppSpecification"]["ImageUri"]},
        "Environment": {
            "baseline_constraints": "/opt/ml/processing/baseline/constraints/constraints.json",
            "baseline_statistics": "/opt/ml/processing/baseline/stats/statistics.json",
            "dataset_format": CAPTURE_FORMAT, "dataset_source": "/opt/ml/processing/input/endpoint",
            "start_time": f"{window[0]:%Y-%m-%dT%H:%M:%SZ}", "end_time": f"{window[1]:%Y-%m-%dT%H:%M:%SZ}",
            "metric_time": f"{window[0]:%Y-%m-%dT%H:%M:%SZ}", "monitoring_input_type": "ENDPOINT_INPUT",
            "output_path": output["LocalPath"],
            "publish_cloudwatch_metrics": definition.get("Environment", {}).get("publish_cloudwatch_metrics", "Enabled"),
            "sagemaker_endpoint_name": endpoint,
            "sagemaker_monitoring_schedule_name": schedule["MonitoringScheduleName"]},
        "RoleArn": definition["RoleArn"],
        "ProcessingJobArn": core.arn("sagemaker", f"processing-job/{job}"),
        "ProcessingJobStatus": "InProgress", "CreationTime": created, "LastModifiedTime": created,
        "ProcessingStartTime": created + timedelta(seconds=75),
        "MonitoringScheduleArn": schedule["MonitoringScheduleArn"],
    }
    if outcome is not None:
        status, message, ended = outcome
        body.update(ProcessingJobStatus="Failed" if status == "Failed" else "Completed",
                    ExitMessage=message if status != "Failed" else f"Error: {message}",
                    ProcessingEndTime=ended, LastModifiedTime=ended)
        if status == "Failed":
            body["FailureReason"] = message
    return body


def update_schedule(core: Core, name: str, config: dict) -> dict:
    """UpdateMonitoringSchedule: the new config (a new baseline, say) from the next execution on."""
    schedule = core.ws.resource("monitoring_schedule", name)
    if schedule is None:
        raise TwinError("ResourceNotFound", f"Monitoring Schedule '{name}' does not exist in account {core.ws.account_id}.")
    if "MonitoringJobDefinition" not in config:
        raise TwinError("ValidationException", "the local twin's schedules hold their job definition inline: "
                        "MonitoringScheduleConfig.MonitoringJobDefinition is required")
    expression = config.get("ScheduleConfig", {}).get("ScheduleExpression", "")
    try:
        aws_cron_to_unix(expression)
    except ValueError as err:
        raise TwinError("ValidationException", f"Invalid ScheduleExpression: {err}") from None
    schedule.update(MonitoringScheduleConfig=config, LastModifiedTime=core.now(), MonitoringScheduleStatus="Scheduled")
    core.ws.put_resource("monitoring_schedule", name, schedule)
    return schedule

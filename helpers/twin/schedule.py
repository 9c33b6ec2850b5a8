"""The monitoring schedule: hourly executions that analyse the previous hour's capture.

An execution is a processing job named ``model-monitoring-<YYYYMMDDHHMM>-<24 hex>``; it reads
that hour's capture files with the real analyzer, writes its three reports under
``<reports>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`` (into a hidden folder first, renamed into
place, so a killed run never leaves part of a report) and publishes the run's metrics. An hour
without data fails with "Job inputs had no data", as the service does.
"""

from __future__ import annotations

import os
import random
import shutil
import uuid
from datetime import datetime, timedelta
from typing import Any

from ..analyzer.metrics import DATA_METRICS_NAMESPACE
from ..analyzer.monitor import NO_DATA_MESSAGE, NoDataError, run_monitor
from ..formats import Constraints, Statistics
from ..formats.layout import REPORT_FILES, hour_path, report_prefix
from ..infra import resource_properties
from .api import TwinError
from .core import Core
from .cron import aws_cron_to_unix, next_runs
from .services.cloudwatch import CloudWatch, dimensions_key
from .store import iso, parse_iso

__all__ = ["deploy_monitoring", "deploy_schedule", "fire_due", "publish_data_metrics", "update_schedule"]

CAPTURE_FORMAT = '{"sagemakerCaptureJson":{"captureIndexNames":["endpointInput","endpointOutput"]}}'


def deploy_monitoring(core: Core, cloudwatch: CloudWatch, endpoint: str, baseline_job: str) -> None:
    """The schedule and the drift alarm for a newly deployed endpoint (from assets/)."""
    deploy_schedule(core, endpoint, baseline_job)
    alarm = resource_properties("drift-alarm.template.json", {
        "AlarmName": core.names.alarm_name, "EndpointName": endpoint,
        "ScheduleName": core.names.schedule_name}, region=core.ws.region, account_id=core.ws.account_id)
    cloudwatch.PutMetricAlarm(alarm)


def publish_data_metrics(core: Core, cloudwatch: CloudWatch, result: Any, endpoint: str, schedule_name: str) -> None:
    """The monitoring run's CloudWatch metrics, at the virtual time the run ends."""
    cloudwatch.record(data_metric_rows(core, result, endpoint, schedule_name))


def data_metric_rows(core: Core, result: Any, endpoint: str, schedule_name: str) -> list[tuple]:
    """The metric rows a monitoring run publishes, stamped with the virtual time it ends."""
    now = core.now()
    rows = []
    for metric in result.metrics:
        datum = metric.to_datum(endpoint, schedule_name, now)
        stats = datum.get("StatisticValues") or {"SampleCount": 1.0, "Sum": datum["Value"],
                                                "Minimum": datum["Value"], "Maximum": datum["Value"]}
        rows.append((DATA_METRICS_NAMESPACE, datum["MetricName"], dimensions_key(datum["Dimensions"]), iso(now),
                     stats["SampleCount"], stats["Sum"], stats["Minimum"], stats["Maximum"], "None"))
    return rows


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
    together). A process killed between them leaves an InProgress execution that the next
    ``fire_due`` resumes; its reports are replaced whole, and its metrics were never stored.
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
    status, message, reports = _analyse(core, schedule, window, scheduled)
    core.set_clock(max(ended, core.ws.now()))
    execution.update(MonitoringExecutionStatus=status, LastModifiedTime=ended)
    if status == "Failed":
        execution["FailureReason"] = message
    name = schedule["MonitoringScheduleName"]
    rows = data_metric_rows(core, reports, endpoint, name) if reports is not None else []
    with core.ws.transaction() as db:
        core.ws.put_resource("monitoring_execution", key, execution, db=db)
        core.ws.put_resource("processing_job", job, _processing_job(
            core, schedule, job, window, created, (status, message, ended)), db=db)
        schedule = core.ws.resource("monitoring_schedule", name)
        schedule["LastMonitoringExecutionSummary"] = {k: v for k, v in execution.items() if k != "ProcessingJobName"}
        core.ws.put_resource("monitoring_schedule", name, schedule, db=db)
        cloudwatch.record(rows, db=db)  # the alarm sees them at its next evaluation
    return execution


def _analyse(core: Core, schedule: dict, window: tuple[datetime, datetime], scheduled: datetime):
    """(status, message, result): a run that cannot start fails with its reason, as a job does."""
    definition = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]
    endpoint = schedule["EndpointName"]
    capture = f"{core.names.capture_prefix}/{endpoint}/{core.names.variant_name}/{hour_path(window[0])}/"
    files = [core.ws.object_path(core.bucket, o.key) for o in core.ws.list_objects(core.bucket, capture)]
    if not files:
        return "Failed", NO_DATA_MESSAGE, None
    baseline = definition["BaselineConfig"]
    try:
        stats, cons = (_baseline_file(core, Statistics, baseline["StatisticsResource"]["S3Uri"]),
                       _baseline_file(core, Constraints, baseline["ConstraintsResource"]["S3Uri"]))
        result = run_monitor(stats, cons, capture=files, container=core.container)
    except NoDataError:
        return "Failed", NO_DATA_MESSAGE, None
    except _MissingBaseline as err:
        return "Failed", str(err), None
    except ValueError as err:  # a baseline file the analyzer refuses (FormatError, AnalyzerInputError)
        return "Failed", f"AlgorithmError: {err}", None
    output = definition["MonitoringOutputConfig"]["MonitoringOutputs"][0]["S3Output"]["S3Uri"]
    prefix = report_prefix(core.key_of(output), endpoint, schedule["MonitoringScheduleName"], scheduled)
    _write_reports_atomically(core, prefix, result)
    return result.status, result.exit_message, result


class _MissingBaseline(Exception):
    """A baseline object the schedule names is gone: the execution fails, the schedule goes on."""


def _baseline_file(core: Core, kind, uri: str):
    try:
        text = core.read_text(uri)
    except FileNotFoundError:
        raise _MissingBaseline(f"ClientError: the baseline object {uri} does not exist "
                               "(deleted or moved); restore it or update the schedule's BaselineConfig") from None
    return kind.from_string(text, source=uri)


def _write_reports_atomically(core: Core, prefix: str, result) -> None:
    final = core.ws.object_path(core.bucket, prefix.rstrip("/"))
    for pattern in (f".staging-{final.name}-*", f"..staging-{final.name}-*", f".replaced-{final.name}-*"):
        for leftover in final.parent.glob(pattern):  # what a killed run of this hour left behind
            shutil.rmtree(leftover, ignore_errors=True)
    staging = final.parent / f".staging-{final.name}-{uuid.uuid4().hex}"
    result.write(staging)
    stamp = core.ws.now().timestamp()
    for name in REPORT_FILES:
        os.utime(staging / name, (stamp, stamp))
    if final.exists():  # a re-run of an interrupted execution replaces what it wrote before
        old = final.parent / f".replaced-{final.name}-{uuid.uuid4().hex}"
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old)
    else:
        os.replace(staging, final)


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

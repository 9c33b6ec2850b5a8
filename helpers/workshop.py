"""The chapter's steps, written once against the session's clients: the twin or AWS.

One function per step that needs more than one call. Every AWS failure comes out as one clear
``WorkshopAwsError`` (see ``helpers.aws``), never a bare botocore traceback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from .aws import guarded
from .backends import WorkshopSession
from .capture import CaptureRecord
from .formats import Constraints, ConstraintViolations, Statistics

__all__ = [
    "BaselineJob", "CaptureFile", "Execution", "JobNames", "ScheduleInfo", "alarm_state",
    "baseline_job", "capture_files", "create_dashboard", "dashboard_series",
    "download_capture_hour", "download_reports", "drift_history", "first_capture_record",
    "job_names", "latest_execution", "load_constraints", "load_statistics", "load_violations",
    "model_predictions", "monitoring_executions", "monitoring_schedule", "pipeline_execution_id",
    "pipeline_executions_since", "production_names", "publish_drift_metric", "read_metric",
    "read_s3_text", "report_uri", "sdk_model_monitor", "split_s3_uri", "wait_for_execution",
]

FINISHED = ("Completed", "CompletedWithViolations", "Failed", "Stopped")


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


@guarded("reading the pipeline state (codepipeline:GetPipelineState)")
def pipeline_execution_id(sess: WorkshopSession) -> str:
    """Step 1: the execution that deployed production, from the DeployPrd stage."""
    state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    for stage in state["stageStates"]:
        if stage["stageName"] == sess.names.deploy_stage and "latestExecution" in stage:
            return stage["latestExecution"]["pipelineExecutionId"]
    raise LookupError(f"pipeline {sess.names.pipeline_name} has no {sess.names.deploy_stage} execution yet: "
                      "the workshop's deployment has not reached production")


@dataclass(frozen=True)
class JobNames:
    execution_id: str
    baseline_job: str
    endpoint: str
    schedule: str


def production_names(sess: WorkshopSession) -> JobNames:
    """Steps 1 and 2 together: the names of what production runs now."""
    return job_names(sess, pipeline_execution_id(sess))


def job_names(sess: WorkshopSession, execution_id: str) -> JobNames:
    """Step 2: the names the pipeline gives the baseline job, endpoint and schedule."""
    n = sess.names
    return JobNames(execution_id, n.baseline_job(execution_id), n.endpoint(execution_id), n.schedule_name)


@dataclass(frozen=True)
class BaselineJob:
    name: str
    status: str
    output_uri: str
    dataset_uri: str
    started: datetime | None
    ended: datetime | None

    @property
    def statistics_uri(self) -> str:
        return f"{self.output_uri}/statistics.json"

    @property
    def constraints_uri(self) -> str:
        return f"{self.output_uri}/constraints.json"


@guarded("describing the baseline processing job (sagemaker:DescribeProcessingJob)")
def baseline_job(sess: WorkshopSession, name: str) -> BaselineJob:
    """Step 3: status and output location of the baseline job (no SDK needed)."""
    job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=name)
    return BaselineJob(name, job["ProcessingJobStatus"],
                       job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].rstrip("/"),
                       job["ProcessingInputs"][0]["S3Input"]["S3Uri"],
                       job.get("ProcessingStartTime"), job.get("ProcessingEndTime"))


@guarded("reading from S3 (s3:GetObject)")
def read_s3_text(sess: WorkshopSession, uri: str) -> str:
    bucket, key = split_s3_uri(uri)
    return sess.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def load_statistics(sess: WorkshopSession, uri: str) -> Statistics:
    """Step 4: a statistics.json from S3 as a typed object."""
    return Statistics.from_string(read_s3_text(sess, uri), source=uri)


def load_constraints(sess: WorkshopSession, uri: str) -> Constraints:
    """Step 5: a constraints.json from S3 as a typed object."""
    return Constraints.from_string(read_s3_text(sess, uri), source=uri)


def load_violations(sess: WorkshopSession, uri: str) -> ConstraintViolations:
    return ConstraintViolations.from_string(read_s3_text(sess, uri), source=uri)


@dataclass(frozen=True)
class CaptureFile:
    uri: str
    size: int
    last_modified: datetime


@guarded("listing the data capture (s3:ListObjectsV2)")
def capture_files(sess: WorkshopSession, endpoint: str) -> list[CaptureFile]:
    """Step 6: every capture file of the endpoint, oldest first (a paginator: there are many)."""
    prefix = f"{sess.names.capture_prefix}/{endpoint}/"
    found = []
    for page in sess.client("s3").get_paginator("list_objects_v2").paginate(Bucket=sess.default_bucket, Prefix=prefix):
        found += [CaptureFile(f"s3://{sess.default_bucket}/{o['Key']}", o["Size"], o["LastModified"])
                  for o in page.get("Contents", [])]
    return found


def first_capture_record(sess: WorkshopSession, uri: str) -> CaptureRecord:
    """Step 6: the first record of a capture file, typed."""
    import json

    line = read_s3_text(sess, uri).splitlines()[0]
    return CaptureRecord.decode(json.loads(line), source=uri)


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
        from .twin.cron import next_runs

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


@guarded("downloading the reports (s3:ListObjectsV2, s3:GetObject)")
def download_reports(sess: WorkshopSession, uri: str, folder: str | Path) -> list[Path]:
    """Step 11: every file under the report location, into a local folder."""
    bucket, prefix = split_s3_uri(uri.rstrip("/") + "/")
    s3 = sess.client("s3")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            target = folder / obj["Key"][len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(target))
            written.append(target)
    return written


@guarded("downloading capture files (s3:ListObjectsV2, s3:GetObject)")
def download_capture_hour(sess: WorkshopSession, endpoint: str, hour: datetime, folder: str | Path) -> list[Path]:
    """The endpoint's capture files of one hour (its yyyy/mm/dd/hh folder), into a local folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for capture in capture_files(sess, endpoint):
        if f"/{hour:%Y/%m/%d/%H}/" in capture.uri:
            bucket, key = split_s3_uri(capture.uri)
            target = folder / key.rsplit("/", 1)[1]
            sess.client("s3").download_file(bucket, key, str(target))
            written.append(target)
    return written


@guarded("publishing a metric (cloudwatch:PutMetricData)")
def publish_drift_metric(sess: WorkshopSession, value: float, endpoint: str, feature: str = "total_amount") -> dict:
    """Step 14: publish a drift value where the schedule publishes it; returns the datum sent."""
    datum = {"MetricName": f"feature_baseline_drift_{feature}", "Value": float(value), "Unit": "None",
             "Timestamp": sess.now(),
             "Dimensions": [{"Name": "Endpoint", "Value": endpoint},
                            {"Name": "MonitoringSchedule", "Value": sess.names.schedule_name}]}
    sess.client("cloudwatch").put_metric_data(Namespace="aws/sagemaker/Endpoints/data-metrics", MetricData=[datum])
    return datum


@guarded("reading a metric (cloudwatch:GetMetricStatistics)")
def read_metric(sess: WorkshopSession, endpoint: str, feature: str = "total_amount", hours: int = 24) -> pd.DataFrame:
    """Step 14: the drift metric's datapoints (Average per minute) over the last hours."""
    end = sess.now() + timedelta(minutes=1)
    points = sess.client("cloudwatch").get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName=f"feature_baseline_drift_{feature}",
        Dimensions=[{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": sess.names.schedule_name}],
        StartTime=end - timedelta(hours=hours), EndTime=end, Period=60, Statistics=["Average", "Maximum"])["Datapoints"]
    return pd.DataFrame(points, columns=["Timestamp", "Average", "Maximum"]).sort_values("Timestamp").reset_index(drop=True)


@guarded("reading the alarm (cloudwatch:DescribeAlarms)")
def alarm_state(sess: WorkshopSession) -> dict:
    """Step 15: the drift alarm's state and reason."""
    alarms = sess.client("cloudwatch").describe_alarms(AlarmNames=[sess.names.alarm_name])["MetricAlarms"]
    if not alarms:
        raise LookupError(f"no alarm named {sess.names.alarm_name}")
    return alarms[0]


@guarded("listing pipeline executions (codepipeline:ListPipelineExecutions)")
def pipeline_executions_since(sess: WorkshopSession, since: datetime) -> list[dict]:
    """Step 15: pipeline executions started at or after ``since`` (the retrain, after the alarm)."""
    pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(pipelineName=sess.names.pipeline_name)
    return [e for p in pages for e in p["pipelineExecutionSummaries"] if e["startTime"] >= since]


@guarded("creating the dashboard (cloudwatch:PutDashboard)")
def create_dashboard(sess: WorkshopSession, endpoint: str) -> dict[str, Any]:
    """Step 16: the dashboard from assets/dashboard-body.json; returns it as stored."""
    from .infra import dashboard_body

    body = dashboard_body(region=sess.region, account_id=sess.account_id, endpoint=endpoint,
                          variant=sess.names.variant_name, schedule=sess.names.schedule_name,
                          alarm=sess.names.alarm_name)
    cloudwatch = sess.client("cloudwatch")
    cloudwatch.put_dashboard(DashboardName=sess.names.dashboard_name, DashboardBody=body)
    return cloudwatch.get_dashboard(DashboardName=sess.names.dashboard_name)


_DATA_NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


@guarded("reading metrics (cloudwatch:GetMetricData)")
def _series(sess: WorkshopSession, metrics: list[list[str]], stat: str, period: int, hours: int) -> dict[tuple, pd.DataFrame]:
    end = sess.now() + timedelta(minutes=1)
    queries = []
    for i, metric in enumerate(metrics):
        namespace, name, *dims = metric
        queries.append({"Id": f"m{i}", "MetricStat": {"Metric": {
            "Namespace": namespace, "MetricName": name,
            "Dimensions": [{"Name": dims[j], "Value": dims[j + 1]} for j in range(0, len(dims), 2)]},
            "Period": period, "Stat": stat}})
    out: dict[tuple, pd.DataFrame] = {}
    for start in range(0, len(queries), 500):
        answer = sess.client("cloudwatch").get_metric_data(
            MetricDataQueries=queries[start:start + 500], StartTime=end - timedelta(hours=hours), EndTime=end,
            ScanBy="TimestampAscending")
        for result in answer["MetricDataResults"]:
            metric = metrics[int(result["Id"][1:])]
            out[tuple(metric)] = pd.DataFrame({"Timestamp": result["Timestamps"], "Value": result["Values"]})
    return out


def drift_history(sess: WorkshopSession, endpoint: str, features: list[str], hours: int = 48) -> pd.DataFrame:
    """Drift per feature across the executions, from the metrics the schedule published."""
    metrics = [[_DATA_NAMESPACE, f"feature_baseline_drift_{f}", "Endpoint", endpoint,
                "MonitoringSchedule", sess.names.schedule_name] for f in features]
    frames = []
    for metric, frame in _series(sess, metrics, "Average", 60, hours).items():
        frames.append(frame.rename(columns={"Value": "drift"}).assign(feature=metric[1].removeprefix("feature_baseline_drift_")))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["Timestamp", "drift", "feature"])


def dashboard_series(sess: WorkshopSession, body: str, hours: int = 24) -> tuple[dict[tuple, pd.DataFrame], dict[str, str]]:
    """The metrics and alarm states a dashboard body shows (for ``plots.dashboard_figure``)."""
    import json

    from .plots import expand_metrics

    series: dict[tuple, pd.DataFrame] = {}
    alarms: dict[str, str] = {}
    for widget in json.loads(body)["widgets"]:
        props = widget["properties"]
        if widget["type"] == "alarm":
            names = [arn.rsplit(":", 1)[-1] for arn in props["alarms"]]
            found = sess.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
            alarms.update({a["AlarmArn"]: a["StateValue"] for a in found})
            continue
        series.update(_series(sess, expand_metrics(props["metrics"]), props.get("stat", "Average"),
                              props.get("period", 300), hours))
    return series, alarms


@guarded("loading the model artifact (sagemaker:DescribeModel, s3:GetObject)")
def model_predictions(sess: WorkshopSession, endpoint: str, features: pd.DataFrame) -> pd.Series:
    """The deployed model's predictions for many rows, from its artifact (like a batch transform)."""
    from .twin.model import Predictor

    config = sess.client("sagemaker").describe_endpoint_config(
        EndpointConfigName=sess.client("sagemaker").describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])
    model = sess.client("sagemaker").describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    bucket, key = split_s3_uri(model["PrimaryContainer"]["ModelDataUrl"])
    predictor = Predictor(sess.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    lines = "\n".join(",".join(repr(float(v)) for v in row) for row in features.to_numpy())
    return pd.Series([float(v) for v in predictor.predict_csv(lines).splitlines()], index=features.index)


def sdk_model_monitor(sess: WorkshopSession) -> Any:
    """The SageMaker SDK's ``DefaultModelMonitor`` attached to the schedule, on either backend.

    Optional: the SDK costs seconds to import, so it is imported here and nowhere else, and no
    step needs it. Its ``list_executions()`` gives ``MonitoringExecution`` objects whose
    ``constraint_violations()`` read the reports through the session's S3 client.
    """
    import os

    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
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

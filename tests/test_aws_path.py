"""The AWS path offline: the same workshop steps against moto, with clear errors.

moto lacks GetPipelineState and the monitoring-schedule calls; the tests answer those on the
client (botocore's before-call hook) with responses in the shape AWS documents. Credentials
and region are fake; a socket guard fails any connection that is not to loopback.
"""

import json
from datetime import datetime, timedelta, timezone

import botocore
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from helpers import session
from helpers import workshop as w
from helpers.analyzer.baseline import run_baseline
from helpers.aws import ModelMonitorUnavailable, WorkshopAwsError, explain
from helpers.capture import CaptureRecord
from helpers.datasets import nyc_taxi_trips

EXECUTION = "6a1f0c2e-0000-4000-8000-000000000001"
T0 = datetime(2021, 6, 7, 10, 0, tzinfo=timezone.utc)


def answer(client, operation, respond):
    """Answer one operation on a client (what moto does not implement); the latest answer wins."""
    answers = client.meta.__dict__.setdefault("test_answers", {})
    if not answers:
        def keep(params, context, **_):
            context["test_params"] = dict(params)

        def hook(model, context, **_):
            if model.name not in answers:
                return None
            body = answers[model.name](context.get("test_params", {}))
            return AWSResponse("https://test", 400 if "Error" in body else 200, {}, None), body

        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-parameter-build.{service}", keep)
        client.meta.events.register_first(f"before-call.{service}", hook)
    answers[operation] = respond


@pytest.fixture
def aws(aws_env):
    with mock_aws():
        sess = session("aws")
        bucket = sess.default_bucket
        s3 = sess.client("s3")
        s3.create_bucket(Bucket=bucket)
        base = run_baseline(nyc_taxi_trips(3000, seed=1))
        out = f"nyctaxi/monitoring/baseline/mlops-nyctaxi-pbl-{EXECUTION}"
        s3.put_object(Bucket=bucket, Key=f"{out}/statistics.json", Body=base.statistics.to_json())
        s3.put_object(Bucket=bucket, Key=f"{out}/constraints.json", Body=base.constraints.to_json())
        record = CaptureRecord.create("12.5,1.0,2.3", "13.1", event_id="e1", inference_time=T0)
        capture = f"nyctaxi/datacapture/mlops-nyctaxi-prd-{EXECUTION}/prd-mlops-nyctaxi/2021/06/07/09/05-00-000-x.jsonl"
        s3.put_object(Bucket=bucket, Key=capture, Body=record.to_line() + "\n")
        reports = f"nyctaxi/monitoring/reports/mlops-nyctaxi-prd-{EXECUTION}/mlops-nyctaxi-pms/2021/06/07/10"
        for name in ("statistics.json", "constraints.json"):
            s3.put_object(Bucket=bucket, Key=f"{reports}/{name}", Body=base.statistics.to_json() if name == "statistics.json" else base.constraints.to_json())
        s3.put_object(Bucket=bucket, Key=f"{reports}/constraint_violations.json", Body='{\n  "violations" : [ ]\n}')
        sm = sess.client("sagemaker")
        for job, source, target in ((f"mlops-nyctaxi-pbl-{EXECUTION}", f"s3://{bucket}/nyctaxi/{EXECUTION}/input/baseline/baseline.csv", f"s3://{bucket}/{out}"),
                                    ("model-monitoring-202106071000-abc", f"s3://{bucket}/capture", f"s3://{bucket}/{reports}")):
            sm.create_processing_job(
                ProcessingJobName=job, RoleArn="arn:aws:iam::123456789012:role/r",
                ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
                AppSpecification={"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"},
                ProcessingInputs=[{"InputName": "in", "S3Input": {"S3Uri": source, "LocalPath": "/opt/ml/processing/input",
                                                                  "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
                ProcessingOutputConfig={"Outputs": [{"OutputName": "out", "S3Output": {
                    "S3Uri": target, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
                StoppingCondition={"MaxRuntimeInSeconds": 1800})
        answer(sess.client("codepipeline"), "GetPipelineState", lambda p: {
            "pipelineName": p["name"], "pipelineVersion": 1, "stageStates": [
                {"stageName": "Build", "latestExecution": {"pipelineExecutionId": "newer", "status": "InProgress"}},
                {"stageName": "DeployPrd", "latestExecution": {"pipelineExecutionId": EXECUTION, "status": "Succeeded"}}]})
        schedule = json.loads(json.dumps({
            "MonitoringScheduleArn": "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/mlops-nyctaxi-pms",
            "MonitoringScheduleName": "mlops-nyctaxi-pms", "MonitoringScheduleStatus": "Scheduled",
            "CreationTime": T0, "LastModifiedTime": T0, "EndpointName": f"mlops-nyctaxi-prd-{EXECUTION}",
            "MonitoringScheduleConfig": {"ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, "MonitoringJobDefinition": {
                "BaselineConfig": {"ConstraintsResource": {"S3Uri": f"s3://{bucket}/{out}/constraints.json"},
                                   "StatisticsResource": {"S3Uri": f"s3://{bucket}/{out}/statistics.json"}},
                "MonitoringInputs": [{"EndpointInput": {"EndpointName": f"mlops-nyctaxi-prd-{EXECUTION}", "LocalPath": "/opt/ml/processing/input"}}],
                "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": f"s3://{bucket}/nyctaxi/monitoring/reports", "LocalPath": "/opt/ml/processing/output"}}]},
                "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
                "MonitoringAppSpecification": {"ImageUri": "x"}, "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
                "RoleArn": "arn:aws:iam::123456789012:role/r"}}}, default=str))
        schedule["CreationTime"] = schedule["LastModifiedTime"] = T0
        answer(sm, "DescribeMonitoringSchedule", lambda p: schedule)
        answer(sm, "ListMonitoringExecutions", lambda p: {"MonitoringExecutionSummaries": [
            {"MonitoringScheduleName": "mlops-nyctaxi-pms", "ScheduledTime": T0, "CreationTime": T0, "LastModifiedTime": T0,
             "MonitoringExecutionStatus": "Completed", "EndpointName": f"mlops-nyctaxi-prd-{EXECUTION}",
             "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/model-monitoring-202106071000-abc"},
            {"MonitoringScheduleName": "mlops-nyctaxi-pms", "ScheduledTime": T0 - timedelta(hours=1), "CreationTime": T0,
             "LastModifiedTime": T0, "MonitoringExecutionStatus": "Failed", "FailureReason": "Job inputs had no data"}]})
        yield sess


def test_the_steps_run_on_aws(aws, tmp_path):
    assert (aws.backend, aws.account_id, aws.region) == ("aws", "123456789012", "us-east-1")
    execution = w.pipeline_execution_id(aws)
    assert execution == EXECUTION  # production's id, not the newer run still building
    names = w.job_names(aws, execution)
    job = w.baseline_job(aws, names.baseline_job)
    assert job.output_uri.endswith(f"mlops-nyctaxi-pbl-{EXECUTION}")
    assert w.load_statistics(aws, job.statistics_uri).feature("passenger_count").inferred_type == "Integral"
    assert w.load_constraints(aws, job.constraints_uri).monitoring_config.evaluate_constraints == "Enabled"
    files = w.capture_files(aws, names.endpoint)
    assert len(files) == 1 and w.first_capture_record(aws, files[0].uri).capture_data.endpoint_input.data == "12.5,1.0,2.3"
    schedule = w.monitoring_schedule(aws)
    assert schedule.cron == "cron(0 * ? * * *)" and schedule.next_runs(T0)[0] == T0 + timedelta(hours=1)
    latest = w.wait_for_execution(aws, timeout=5, poll=0.01)
    assert latest.status == "Completed"
    uri = w.report_uri(aws, latest)
    assert sorted(p.name for p in w.download_reports(aws, uri, tmp_path)) == [
        "constraint_violations.json", "constraints.json", "statistics.json"]
    w.publish_drift_metric(aws, 0.25, names.endpoint)
    assert w.read_metric(aws, names.endpoint)["Average"].tolist() == [0.25]
    board = w.create_dashboard(aws, names.endpoint)
    assert names.endpoint in board["DashboardBody"]


def test_wait_times_out_clearly(aws):
    answer(aws.client("sagemaker"), "ListMonitoringExecutions", lambda p: {"MonitoringExecutionSummaries": []})
    with pytest.raises(TimeoutError, match="no Completed/CompletedWithViolations execution of mlops-nyctaxi-pms within 0 s"):
        w.wait_for_execution(aws, timeout=0, poll=0.01)


def test_missing_deployment_says_what_was_looked_for(aws):
    with pytest.raises(WorkshopAwsError, match="describing the baseline processing job"):
        w.baseline_job(aws, "mlops-nyctaxi-pbl-missing")
    with pytest.raises(WorkshopAwsError, match="Nothing found while reading from S3"):
        w.read_s3_text(aws, f"s3://{aws.default_bucket}/missing.json")


def test_model_monitor_refusal_points_to_the_twin(aws):
    answer(aws.client("sagemaker"), "DescribeMonitoringSchedule", lambda p: {"Error": {
        "Code": "AccessDeniedException", "Message": "Model Monitor is not available for new customers."}})
    with pytest.raises(ModelMonitorUnavailable, match="closed to new AWS customers; run the workshop on the local twin"):
        w.monitoring_schedule(aws)


def _client_error(code, message, operation="ListMonitoringExecutions"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(("code", "expected"), [
    ("ExpiredTokenException", "credentials have expired"),
    ("UnrecognizedClientException", "rejected your credentials"),
    ("ThrottlingException", "kept throttling ListMonitoringExecutions after retries"),
    ("ValidationException", "AWS answered ValidationException while listing: bad"),
])
def test_error_messages(code, expected):
    assert expected in str(explain(_client_error(code, "bad"), "listing"))


def test_no_credentials(monkeypatch, aws_env):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(WorkshopAwsError, match="No AWS credentials found"):
        session("aws")


def test_wrong_region_is_explained():
    err = botocore.exceptions.EndpointConnectionError(endpoint_url="https://sagemaker.us-east-9.amazonaws.com/")
    message = str(explain(err, "describing the schedule"))
    assert message.startswith("Cannot reach AWS while describing the schedule") and "Check the region" in message

"""Migration off Model Monitor: the self-run schedule takes the old one's baseline, reports and
dimensions, and never publishes beside it. SageMaker's answers (which moto lacks for monitoring
schedules) come from botocore's Stubber, which checks both requests and answers against the
service model; IAM, Scheduler, S3 and CloudWatch are moto's.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from botocore.stub import Stubber

from helpers.workshop.migrate import clone_alarm_to_namespace, migrate_to_selfrun
from helpers.workshop.selfrun import selfrun_schedule

BUCKET = "sagemaker-us-east-1-123456789012"
ENDPOINT = "mlops-nyctaxi-prd-abc"
BASELINE = f"s3://{BUCKET}/mlops-nyctaxi/monitoring/baseline/mlops-nyctaxi-pbl-abc"
T = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _schedule(status: str, by_name: bool) -> dict:
    config = {"ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, "MonitoringType": "DataQuality"}
    if by_name:
        config["MonitoringJobDefinitionName"] = "mlops-nyctaxi-dq"
    else:
        config["MonitoringJobDefinition"] = {
            "BaselineConfig": {"StatisticsResource": {"S3Uri": f"{BASELINE}/statistics.json"},
                               "ConstraintsResource": {"S3Uri": f"{BASELINE}/constraints.json"}},
            "MonitoringInputs": [{"EndpointInput": {"EndpointName": ENDPOINT, "LocalPath": "/opt/ml/processing/input"}}],
            "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {
                "S3Uri": f"s3://{BUCKET}/mlops-nyctaxi/monitoring/reports", "LocalPath": "/opt/ml/processing/output"}}]},
            "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                      "VolumeSizeInGB": 30}},
            "MonitoringAppSpecification": {"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer"},
            "RoleArn": "arn:aws:iam::123456789012:role/mm"}
    return {"MonitoringScheduleArn": "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/mlops-nyctaxi-pms",
            "MonitoringScheduleName": "mlops-nyctaxi-pms", "MonitoringScheduleStatus": status,
            "CreationTime": T, "LastModifiedTime": T, "MonitoringScheduleConfig": config, "EndpointName": ENDPOINT}


JOB_DEFINITION = {
    "JobDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:data-quality-job-definition/mlops-nyctaxi-dq",
    "JobDefinitionName": "mlops-nyctaxi-dq", "CreationTime": T,
    "DataQualityBaselineConfig": {"StatisticsResource": {"S3Uri": f"{BASELINE}/statistics.json"},
                                  "ConstraintsResource": {"S3Uri": f"{BASELINE}/constraints.json"}},
    "DataQualityAppSpecification": {"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer",
                                    "Environment": {"publish_cloudwatch_metrics": "Disabled"}},
    "DataQualityJobInput": {"EndpointInput": {"EndpointName": ENDPOINT, "LocalPath": "/opt/ml/processing/input"}},
    "DataQualityJobOutputConfig": {"MonitoringOutputs": [{"S3Output": {
        "S3Uri": f"s3://{BUCKET}/mlops-nyctaxi/monitoring/reports", "LocalPath": "/opt/ml/processing/output"}}]},
    "JobResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.c5.xlarge", "VolumeSizeInGB": 30}},
    "RoleArn": "arn:aws:iam::123456789012:role/mm",
}

ENDPOINT_ANSWER = {
    "EndpointName": ENDPOINT, "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{ENDPOINT}",
    "EndpointConfigName": "c", "EndpointStatus": "InService", "CreationTime": T, "LastModifiedTime": T,
    "ProductionVariants": [{"VariantName": "prd-mlops-nyctaxi"}],
    "DataCaptureConfig": {"EnableCapture": True, "CaptureStatus": "Started", "CurrentSamplingPercentage": 100,
                          "KmsKeyId": "", "DestinationS3Uri": f"s3://{BUCKET}/mlops-nyctaxi/datacapture"},
}


def _stub(sess, status: str, by_name: bool = False, stop: bool = False, kms: str = "") -> Stubber:
    stubber = Stubber(sess.client("sagemaker"))
    stubber.add_response("describe_monitoring_schedule", _schedule(status, by_name),
                         {"MonitoringScheduleName": "mlops-nyctaxi-pms"})
    if by_name:
        stubber.add_response("describe_data_quality_job_definition", JOB_DEFINITION,
                             {"JobDefinitionName": "mlops-nyctaxi-dq"})
    answer = json.loads(json.dumps(ENDPOINT_ANSWER, default=str))
    answer.update(CreationTime=T, LastModifiedTime=T)
    answer["DataCaptureConfig"]["KmsKeyId"] = kms
    stubber.add_response("describe_endpoint", answer, {"EndpointName": ENDPOINT})
    if stop:
        stubber.add_response("stop_monitoring_schedule", {}, {"MonitoringScheduleName": "mlops-nyctaxi-pms"})
    stubber.activate()
    return stubber


def test_a_running_schedule_gets_a_disabled_replacement_and_the_advice_to_stop_it(aws_account):
    stubber = _stub(aws_account, "Scheduled")
    migration = migrate_to_selfrun(aws_account)
    stubber.assert_no_pending_responses()
    assert not migration.enabled
    assert "stop_monitoring_schedule" in migration.message and "same metric dimensions" in migration.message
    info = selfrun_schedule(aws_account)
    assert info.state == "DISABLED"
    env = info.environment
    assert (env["SCHEDULE_NAME"], env["ENDPOINT_NAME"], env["VARIANT_NAME"]) == ("mlops-nyctaxi-pms", ENDPOINT,
                                                                               "prd-mlops-nyctaxi")
    assert env["BASELINE_STATISTICS_S3_URI"] == f"{BASELINE}/statistics.json"
    assert env["REPORTS_S3_URI"] == f"s3://{BUCKET}/mlops-nyctaxi/monitoring/reports"
    assert env["CAPTURE_S3_URI"] == f"s3://{BUCKET}/mlops-nyctaxi/datacapture"
    assert env["METRIC_NAMESPACE"] == "aws/sagemaker/Endpoints/data-metrics"
    assert info.job["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.xlarge"


def test_stop_old_stops_model_monitor_first_and_enables_self_run(aws_account):
    stubber = _stub(aws_account, "Scheduled", stop=True, kms="1234abcd-12ab-34cd-56ef-1234567890ab")
    migration = migrate_to_selfrun(aws_account, stop_old=True)
    stubber.assert_no_pending_responses()  # StopMonitoringSchedule was called
    assert migration.enabled and selfrun_schedule(aws_account).state == "ENABLED"
    decrypt = [s for s in migration.definitions["JobRole"]["Policies"][0]["PolicyDocument"]["Statement"]
               if s["Sid"] == "DecryptCapture"]
    assert decrypt[0]["Resource"] == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_a_job_definition_by_name_is_read_too(aws_account):
    stubber = _stub(aws_account, "Stopped", by_name=True)
    migration = migrate_to_selfrun(aws_account)
    stubber.assert_no_pending_responses()
    info = selfrun_schedule(aws_account)
    assert migration.enabled and info.state == "ENABLED"
    assert info.environment["PUBLISH_CLOUDWATCH_METRICS"] == "Disabled"  # as the old definition had it
    # ml.c5.xlarge is not among the template's sizes: the template's default is kept
    assert info.job["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.xlarge"


def test_the_alarm_is_cloned_onto_a_namespace_of_our_own(aws_account):
    from helpers.infra import resource_properties

    alarm = resource_properties("drift-alarm.template.json", {
        "AlarmName": "mlops-nyctaxi-metric-gt-threshold", "EndpointName": ENDPOINT,
        "ScheduleName": "mlops-nyctaxi-pms"}, region="us-east-1", account_id="123456789012")
    cloudwatch = aws_account.client("cloudwatch")
    cloudwatch.put_metric_alarm(**alarm)
    clone = clone_alarm_to_namespace(aws_account, alarm["AlarmName"], "selfrun/data-metrics")
    (stored,) = cloudwatch.describe_alarms(AlarmNames=[clone["AlarmName"]])["MetricAlarms"]
    assert stored["Namespace"] == "selfrun/data-metrics"
    for key in ("MetricName", "Dimensions", "Threshold", "Period", "Statistic", "ComparisonOperator"):
        assert json.dumps(stored[key], sort_keys=True) == json.dumps(alarm[key], sort_keys=True), key

"""The twin answers the calls the steps make with the keys and types moto (and AWS) answer with."""

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from helpers import session

NOW = datetime(2021, 6, 7, 10, 0, tzinfo=timezone.utc)


def shape(value):
    """Keys and value types, recursively (first element of lists)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def calls(clients, bucket, now):
    s3, cw = clients("s3"), clients("cloudwatch")
    out = {}
    out["put_object"] = s3.put_object(Bucket=bucket, Key="a/b.json", Body=b"{}")
    out["list_objects_v2"] = s3.list_objects_v2(Bucket=bucket, Prefix="a/")
    got = s3.get_object(Bucket=bucket, Key="a/b.json")
    got["Body"] = got["Body"].read()
    out["get_object"] = got
    out["head_object"] = s3.head_object(Bucket=bucket, Key="a/b.json")
    dims = [{"Name": "Endpoint", "Value": "e"}, {"Name": "MonitoringSchedule", "Value": "s"}]
    cw.put_metric_data(Namespace="aws/sagemaker/Endpoints/data-metrics", MetricData=[
        {"MetricName": "feature_baseline_drift_x", "Value": 0.12, "Dimensions": dims, "Timestamp": now}])
    out["get_metric_statistics"] = cw.get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName="feature_baseline_drift_x", Dimensions=dims,
        StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=5), Period=60, Statistics=["Average"])
    cw.put_metric_alarm(AlarmName="al", MetricName="feature_baseline_drift_x", Namespace="aws/sagemaker/Endpoints/data-metrics",
                        Statistic="Average", Dimensions=dims, Period=60, EvaluationPeriods=1, Threshold=0.2,
                        ComparisonOperator="GreaterThanThreshold")
    out["describe_alarms"] = cw.describe_alarms(AlarmNames=["al"])
    cw.put_dashboard(DashboardName="d", DashboardBody='{"widgets": []}')
    out["get_dashboard"] = cw.get_dashboard(DashboardName="d")
    out["list_dashboards"] = cw.list_dashboards()
    return out


# where moto and AWS differ, we follow AWS and say so here
KNOWN = {
    # moto lists Metrics: [] for every alarm (AWS: only for metric-math alarms) and lacks
    # StateTransitionedTimestamp, which AWS added in 2021. moto also sets StateReasonData "{}"
    # on an alarm never evaluated; botocore marks it optional and AWS writes it at the first
    # state change (the twin: when a complete period has been evaluated, not at PutMetricAlarm)
    "describe_alarms": ("MetricAlarms", "Metrics", "StateTransitionedTimestamp", "StateReasonData"),
    # moto leaves Unit out of datapoints; AWS returns it ("None" when none was given)
    "get_metric_statistics": ("Datapoints", "Unit"),
    # moto does not yet return ChecksumType (FULL_OBJECT), which S3 adds to checksummed objects
    "put_object": (None, "ChecksumType"),
    "get_object": (None, "ChecksumType"),
    "list_objects_v2": ("Contents", "ChecksumType"),
    # S3 returns a HeadObject checksum only when asked (ChecksumMode=ENABLED); moto always does
    "head_object": (None, "ChecksumCRC32"),
}


def _drop(answer, where, *keys):
    answer = dict(answer)
    if where is None:
        return {k: v for k, v in answer.items() if k not in keys}
    answer[where] = [{k: v for k, v in item.items() if k not in keys} for item in answer[where]]
    return answer


@pytest.fixture(scope="module")
def moto_answers():
    with mock_aws():
        sess = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        sess.client("s3").create_bucket(Bucket="moto-bucket")
        yield calls(sess.client, "moto-bucket", datetime.now(timezone.utc))


@pytest.fixture(scope="module")
def twin_answers(built_twin, tmp_path_factory):
    import shutil

    root = tmp_path_factory.mktemp("vsmoto") / "ws"
    shutil.copytree(built_twin, root)
    sess = session("local", workspace=root)
    return calls(sess.client, sess.default_bucket, sess.now())


@pytest.mark.parametrize("call", ["put_object", "list_objects_v2", "get_object", "head_object",
                                  "get_metric_statistics", "describe_alarms", "get_dashboard", "list_dashboards"])
def test_same_keys_and_types_as_moto(call, moto_answers, twin_answers, aws_env):
    ours, theirs = twin_answers[call], moto_answers[call]
    if call in KNOWN:
        ours, theirs = _drop(ours, *KNOWN[call]), _drop(theirs, *KNOWN[call])
    assert shape(ours) == shape(theirs)


def _pipeline_calls(client, name):
    started = client.start_pipeline_execution(name=name)
    execution = client.get_pipeline_execution(pipelineName=name, pipelineExecutionId=started["pipelineExecutionId"])
    listed = client.list_pipeline_executions(pipelineName=name)
    return {"start_pipeline_execution": started, "get_pipeline_execution": execution,
            "list_pipeline_executions": listed}


@pytest.fixture(scope="module")
def moto_pipeline():
    with mock_aws():
        boto = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "codepipeline.amazonaws.com"}}]}
        role = boto.client("iam").create_role(RoleName="p", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        client = boto.client("codepipeline")
        action = {"actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                  "name": "DataSource", "outputArtifacts": [{"name": "data"}],
                  "configuration": {"S3Bucket": "b", "S3ObjectKey": "k"}}
        deploy = {"actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                  "name": "DeployPrdModel", "inputArtifacts": [{"name": "data"}],
                  "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "s"}}
        client.create_pipeline(pipeline={
            "name": "mlops-nyctaxi", "roleArn": role,
            "artifactStore": {"type": "S3", "location": "artifacts-bucket"},
            "stages": [{"name": "Source", "actions": [action]}, {"name": "DeployPrd", "actions": [deploy]}]})
        yield _pipeline_calls(client, "mlops-nyctaxi")


@pytest.mark.parametrize("call", ["start_pipeline_execution", "get_pipeline_execution", "list_pipeline_executions"])
def test_pipeline_answers_like_moto(call, moto_pipeline, twin_copy, aws_env):
    ours = _pipeline_calls(session("local", workspace=twin_copy.ws.root).client("codepipeline"), "mlops-nyctaxi")[call]
    theirs = moto_pipeline[call]
    if call == "list_pipeline_executions":  # compare one summary of each
        ours = ours["pipelineExecutionSummaries"][0]
        theirs = theirs["pipelineExecutionSummaries"][0]
    missing = set(shape(theirs)) - set(shape(ours))
    assert not missing, f"keys moto returns that the twin does not: {missing}"
    for key in set(shape(theirs)) & set(shape(ours)):
        if isinstance(shape(theirs)[key], dict):
            assert set(shape(theirs)[key]) <= set(shape(ours)[key]), key
        else:
            assert shape(ours)[key] == shape(theirs)[key], key

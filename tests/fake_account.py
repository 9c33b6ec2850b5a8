"""A fake AWS account laid out like each of the two variants of the original workshop.

moto answers what it implements (S3, SageMaker endpoints and processing jobs, CodePipeline,
EventBridge, CloudWatch, IAM, STS, CloudFormation). What moto lacks (GetPipelineState, the
monitoring-schedule calls, SimulatePrincipalPolicy) is answered here from the spec
(model-monitor-compat.md, design.md) in the shapes of botocore's output model: every answer is
checked against that model (no unknown member, every required member present) before it is
returned, so answers fit the API and not the code under test.

The layouts (design.md, "Names on a real account"): the Studio variant names the pipeline
``mlops-nyctaxi-<projectId>`` and writes under ``mlops-nyctaxi/...`` in the project's bucket,
its rule ``mlops-nyctaxi-<projectId>-retrain-pipeline``, and (SDK v2) keeps the monitoring job
in a data-quality job definition of its own; the earlier variant writes under bare
``nyctaxi/...`` in the default bucket, with the endpoint's variant ``AllTraffic`` [assumed: the
spec only says it differs] and an inline job definition without ``Environment`` (which the API
allows).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import botocore.session
from botocore.awsrequest import AWSResponse

ACCOUNT = "123456789012"
REGION = "eu-west-1"  # not the old hard-coded default: the region must come from the chain
EXECUTION = "6a1f0c2e-0000-4000-8000-000000000001"
T0 = datetime(2021, 6, 7, 10, 0, tzinfo=timezone.utc)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole-2021"


@dataclass(frozen=True)
class Layout:
    variant: str
    pipeline: str
    bucket: str
    prefix: str  # "mlops-nyctaxi" or "nyctaxi"
    variant_name: str
    rule: str
    job_definition: bool  # the schedule names a data-quality job definition (SDK v2)

    @property
    def endpoint(self) -> str:
        return f"mlops-nyctaxi-prd-{EXECUTION}"

    @property
    def capture_uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/datacapture"

    @property
    def reports_uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/monitoring/reports"

    @property
    def baseline_uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}/monitoring/baseline/mlops-nyctaxi-pbl-{EXECUTION}"


PROJECT = "p-0a1b2c3d4e5f"
STUDIO = Layout("studio", f"mlops-nyctaxi-{PROJECT}", f"sagemaker-project-{PROJECT}", "mlops-nyctaxi",
                "prd-mlops-nyctaxi", f"mlops-nyctaxi-{PROJECT}-retrain-pipeline", True)
EARLIER = Layout("earlier", "mlops-nyctaxi", f"sagemaker-{REGION}-{ACCOUNT}", "nyctaxi", "AllTraffic",
                 "mlops-nyctaxi-retrain-pipeline", False)
LAYOUTS = {"studio": STUDIO, "earlier": EARLIER}


# --- answers checked against botocore's output model -------------------------------------------

def check_shape(shape, value, path: str = "") -> None:
    """Fail when ``value`` does not fit ``shape``: unknown members, missing required ones, types."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: expected a structure"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: not in {shape.name}: {sorted(unknown)}"
        missing = set(shape.required_members) - set(value)
        assert not missing, f"{path}: {shape.name} requires {sorted(missing)}"
        for key, item in value.items():
            check_shape(shape.members[key], item, f"{path}.{key}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: expected a list"
        for i, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: expected a map"
    elif kind == "timestamp":
        assert isinstance(value, datetime), f"{path}: expected a timestamp"
    elif kind in ("integer", "long"):
        assert isinstance(value, int), f"{path}: expected an integer"
    elif kind == "string":
        assert isinstance(value, str), f"{path}: expected a string"
        assert not shape.enum or value in shape.enum, f"{path}: {value!r} not in {shape.enum}"


class Answers:
    """Operations moto lacks, answered before the request is sent (botocore's before-call)."""

    def __init__(self):
        self.by_operation: dict[str, object] = {}
        self.model = botocore.session.get_session()

    def add(self, operation: str, respond) -> None:
        self.by_operation[operation] = respond

    def install(self, session: botocore.session.Session) -> None:
        def keep(params, context, **_):
            context["fake_params"] = dict(params)

        def answer(model, context, **_):
            respond = self.by_operation.get(model.name)
            if respond is None:
                return None
            body = respond(context.get("fake_params", {}))
            if "Error" in body:
                return AWSResponse("https://fake", 400, {}, None), body
            check_shape(model.output_shape, body, model.name)
            return AWSResponse("https://fake", 200, {}, None), dict(body, ResponseMetadata={"HTTPStatusCode": 200})

        def state_filter(parsed, model, context, **_):
            # moto ignores StateValue when AlarmNames is given; AWS applies both filters
            # (DescribeAlarms: "only ... alarms that are currently in the state that you specify")
            wanted = context.get("fake_params", {}).get("StateValue")
            if model.name == "DescribeAlarms" and wanted and "MetricAlarms" in parsed:
                parsed["MetricAlarms"] = [a for a in parsed["MetricAlarms"] if a.get("StateValue") == wanted]

        session.register("before-parameter-build", keep)
        session.register("after-call.cloudwatch.DescribeAlarms", state_filter)
        session.get_component("event_emitter").register_first("before-call", answer)


def block_network(monkeypatch) -> None:
    """Fail any connection that is not to loopback, and any DNS lookup of another name."""
    local = ("localhost", "127.0.0.1", "::1")
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host not in local and not str(host).startswith("127."):
            raise AssertionError(f"DNS lookup of {host} during an offline test")
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host):
        raise AssertionError(f"DNS lookup of {host} during an offline test")

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in local):
            raise AssertionError(f"connection to {address} during an offline test")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    monkeypatch.setattr(socket, "gethostbyname_ex", gethostbyname)
    monkeypatch.setattr(socket.socket, "connect", connect)


class _SearchPaths(list):
    """boto3 appends its data path to the loader of every session it makes: keep one copy."""

    def append(self, path):
        if path not in self:
            super().append(path)


def shared_loader():
    """One botocore data loader for every session of a test: each notebook makes a session, and
    parsing the service models again for each (SageMaker's alone is megabytes) costs seconds."""
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    loader._search_paths = _SearchPaths(loader.search_paths)
    return loader


def fake_environment(monkeypatch, tmp_path) -> Answers:
    """Fake credentials, the region in ~/.aws/config (not the environment), and the answers hook."""
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\nregion = {REGION}\n")
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_CONFIG_FILE": str(config),
                       "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    block_network(monkeypatch)
    answers = Answers()
    original = botocore.session.get_session
    loader = shared_loader()

    def get_session(*args, **kwargs):
        session = original(*args, **kwargs)
        session.register_component("data_loader", loader)
        answers.install(session)
        return session

    monkeypatch.setattr(botocore.session, "get_session", get_session)
    return answers


def execution_summaries(layout: Layout) -> list[dict]:
    """Two executions as the spec has them: an empty hour that failed, then one completed."""
    base = {"MonitoringScheduleName": "mlops-nyctaxi-pms", "EndpointName": layout.endpoint}
    return [dict(base, ScheduledTime=T0, CreationTime=T0, LastModifiedTime=T0 + timedelta(minutes=12),
                 MonitoringExecutionStatus="CompletedWithViolations",
                 ProcessingJobArn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/model-monitoring-202106071000-0123456789abcdef01234567"),
            dict(base, ScheduledTime=T0 - timedelta(hours=1), CreationTime=T0 - timedelta(hours=1),
                 LastModifiedTime=T0 - timedelta(minutes=50), MonitoringExecutionStatus="Failed",
                 FailureReason="Job inputs had no data")]


def list_executions(layout: Layout):
    """ListMonitoringExecutions as documented: filter on StatusEquals, sort, MaxResults pages."""
    def respond(params):
        rows = [e for e in execution_summaries(layout) if params.get("StatusEquals") in (None, e["MonitoringExecutionStatus"])]
        rows.sort(key=lambda e: e[params.get("SortBy", "CreationTime")], reverse=params.get("SortOrder", "Descending") == "Descending")
        start = int(params.get("NextToken", "0"))
        size = params.get("MaxResults", 10)
        page = {"MonitoringExecutionSummaries": rows[start:start + size]}
        return page | ({"NextToken": str(start + size)} if start + size < len(rows) else {})
    return respond


# --- the account ---------------------------------------------------------------------------------

def _s3_put(s3, uri: str, body) -> None:
    bucket, _, key = uri[5:].partition("/")
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def _data(s3, layout: Layout, tmp_path) -> None:
    """Baseline, one hour of capture sent as floats, and the report the analyzer makes of it."""
    import numpy as np

    from helpers.analyzer.baseline import run_baseline
    from helpers.analyzer.monitor import run_monitor
    from helpers.capture import CaptureRecord
    from helpers.datasets import nyc_taxi_trips

    trips = nyc_taxi_trips(3000, seed=1)
    base = run_baseline(trips.head(2800))  # the baseline job reads baseline.csv, below: step 13 checks the counts agree
    _s3_put(s3, f"{layout.baseline_uri}/statistics.json", base.statistics.to_json())
    _s3_put(s3, f"{layout.baseline_uri}/constraints.json", base.constraints.to_json())
    inputs = f"s3://{layout.bucket}/{layout.prefix}/{EXECUTION}/input"
    _s3_put(s3, f"{inputs}/baseline/baseline.csv", trips.head(2800).to_csv(index=False))
    # the pipeline uploads the test split without a header (issue 13), the baseline with one
    _s3_put(s3, f"{inputs}/test/test.csv", trips.tail(200).to_csv(header=False, index=False))
    from helpers.twin.model import train_artifact

    artifact, _ = train_artifact(trips.head(2400), trips.iloc[2400:2800])  # a real XGBoost model
    _s3_put(s3, f"s3://{layout.bucket}/{layout.prefix}/{EXECUTION}/model/model.tar.gz", artifact)
    features = trips[["duration_minutes", "passenger_count", "trip_distance"]].to_numpy(float)
    design = np.c_[features, np.ones(len(features))]
    coef = np.linalg.lstsq(design, trips["total_amount"].to_numpy(float), rcond=None)[0]
    sent = trips.sample(100, random_state=3)
    records = [CaptureRecord.create(",".join(repr(float(v)) for v in row), repr(float(np.r_[row, 1.0] @ coef)),
                                    event_id=f"e{i}", inference_time=T0 - timedelta(minutes=55 - i // 4))
               for i, row in enumerate(sent[["duration_minutes", "passenger_count", "trip_distance"]].to_numpy(float))]
    capture = tmp_path / "capture.jsonl"
    capture.write_text("".join(r.to_line() + "\n" for r in records))
    hour = f"{layout.capture_uri}/{layout.endpoint}/{layout.variant_name}/2021/06/07/09"
    _s3_put(s3, f"{hour}/05-00-000-7d9c1e4a-0000-4000-8000-00000000beef.jsonl", capture.read_bytes())
    result = run_monitor(base.statistics, base.constraints, capture=[capture])
    folder = tmp_path / "report"
    for path in result.write(folder):
        _s3_put(s3, f"{layout.reports_uri}/{layout.endpoint}/mlops-nyctaxi-pms/2021/06/07/10/{path.name}", path.read_bytes())


def _processing_job(sm, name: str, source: str, target: str, environment: dict | None) -> None:
    sm.create_processing_job(
        ProcessingJobName=name, RoleArn=ROLE,
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
        AppSpecification={"ImageUri": f"468650794304.dkr.ecr.{REGION}.amazonaws.com/sagemaker-model-monitor-analyzer"},
        **({"Environment": environment} if environment else {}),
        ProcessingInputs=[{"InputName": "baseline_dataset_input", "S3Input": {
            "S3Uri": source, "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "monitoring_output", "S3Output": {
            "S3Uri": target, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        StoppingCondition={"MaxRuntimeInSeconds": 1800})


def _sagemaker(sm, layout: Layout) -> None:
    sm.create_model(ModelName=f"mlops-nyctaxi-{EXECUTION}", ExecutionRoleArn=ROLE, PrimaryContainer={
        "Image": f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3",
        "ModelDataUrl": f"s3://{layout.bucket}/{layout.prefix}/{EXECUTION}/model/model.tar.gz"})
    capture = {"EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": layout.capture_uri,
               "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    if layout.variant == "studio":
        capture["KmsKeyId"] = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    sm.create_endpoint_config(EndpointConfigName=layout.endpoint, DataCaptureConfig=capture, ProductionVariants=[{
        "VariantName": layout.variant_name, "ModelName": f"mlops-nyctaxi-{EXECUTION}", "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large", "InitialVariantWeight": 1.0}])
    sm.create_endpoint(EndpointName=layout.endpoint, EndpointConfigName=layout.endpoint)
    env = {"dataset_format": '{"csv": {"header": true, "output_columns_position": "START"}}',
           "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
           "output_path": "/opt/ml/processing/output", "publish_cloudwatch_metrics": "Disabled"}
    _processing_job(sm, f"mlops-nyctaxi-pbl-{EXECUTION}", f"s3://{layout.bucket}/{layout.prefix}/{EXECUTION}/input/baseline/baseline.csv",
                    layout.baseline_uri, env if layout.variant == "studio" else None)
    job = execution_summaries(layout)[0]["ProcessingJobArn"].rsplit("/", 1)[1]
    _processing_job(sm, job, f"{layout.capture_uri}/{layout.endpoint}",
                    f"{layout.reports_uri}/{layout.endpoint}/mlops-nyctaxi-pms/2021/06/07/10", None)


def job_definition(layout: Layout) -> dict:
    """The monitoring job as the schedule holds it inline (earlier) or as its own definition (studio)."""
    return {
        "BaselineConfig": {"ConstraintsResource": {"S3Uri": f"{layout.baseline_uri}/constraints.json"},
                           "StatisticsResource": {"S3Uri": f"{layout.baseline_uri}/statistics.json"}},
        "MonitoringInputs": [{"EndpointInput": {"EndpointName": layout.endpoint, "LocalPath": "/opt/ml/processing/input/endpoint"}}],
        "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {
            "S3Uri": layout.reports_uri, "LocalPath": "/opt/ml/processing/output"}}]},
        "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
        "MonitoringAppSpecification": {"ImageUri": f"468650794304.dkr.ecr.{REGION}.amazonaws.com/sagemaker-model-monitor-analyzer"},
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800}, "RoleArn": ROLE}


def _schedule_answers(answers: Answers, layout: Layout) -> None:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/mlops-nyctaxi-pms"
    config = {"ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, "MonitoringType": "DataQuality"}
    if layout.job_definition:
        config["MonitoringJobDefinitionName"] = "data-quality-job-definition-mlops-nyctaxi-pms"
    else:
        config["MonitoringJobDefinition"] = job_definition(layout)

    def describe(params):
        if params["MonitoringScheduleName"] != "mlops-nyctaxi-pms":
            return {"Error": {"Code": "ResourceNotFound", "Message": f"Monitoring Schedule {params['MonitoringScheduleName']} not found"}}
        return {"MonitoringScheduleArn": arn, "MonitoringScheduleName": "mlops-nyctaxi-pms",
                "MonitoringScheduleStatus": "Scheduled", "MonitoringType": "DataQuality", "CreationTime": T0 - timedelta(hours=2),
                "LastModifiedTime": T0 - timedelta(hours=2), "MonitoringScheduleConfig": config, "EndpointName": layout.endpoint}

    def listing(params):
        ok = params.get("EndpointName") in (None, layout.endpoint) and params.get("NameContains", "") in "mlops-nyctaxi-pms"
        return {"MonitoringScheduleSummaries": [{
            "MonitoringScheduleName": "mlops-nyctaxi-pms", "MonitoringScheduleArn": arn, "CreationTime": T0 - timedelta(hours=2),
            "LastModifiedTime": T0 - timedelta(hours=2), "MonitoringScheduleStatus": "Scheduled",
            "EndpointName": layout.endpoint}] if ok else []}

    answers.add("DescribeMonitoringSchedule", describe)
    answers.add("ListMonitoringSchedules", listing)
    answers.add("ListMonitoringExecutions", list_executions(layout))


def _pipeline(session, answers: Answers, layout: Layout) -> None:
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
             '"Principal": {"Service": "codepipeline.amazonaws.com"}}]}')
    session.client("iam").create_role(RoleName="mlops-nyctaxi-codepipeline", AssumeRolePolicyDocument=trust)
    cp = session.client("codepipeline")

    def stage(name, category, provider):
        return {"name": name, "actions": [{"name": name, "actionTypeId": {"category": category, "owner": "AWS",
                                                                            "provider": provider, "version": "1"},
                                           "configuration": {"ProjectName": "build"} if category == "Build" else {}}]}

    cp.create_pipeline(pipeline={
        "name": layout.pipeline, "roleArn": f"arn:aws:iam::{ACCOUNT}:role/mlops-nyctaxi-codepipeline",
        "artifactStore": {"type": "S3", "location": layout.bucket},
        "stages": [stage("Source", "Source", "S3"), stage("Build", "Build", "CodeBuild"),
                   stage("DeployDev", "Deploy", "CloudFormation"), stage("DeployPrd", "Deploy", "CloudFormation")]})
    states = [{"stageName": name, "latestExecution": {"pipelineExecutionId": EXECUTION, "status": "Succeeded"}}
              for name in ("Source", "Build", "DeployDev", "DeployPrd")]
    answers.add("GetPipelineState", lambda p: {"pipelineName": p["name"], "pipelineVersion": 1, "stageStates": states,
                                               "created": T0 - timedelta(days=1), "updated": T0 - timedelta(days=1)}
                if p["name"] == layout.pipeline else
                {"Error": {"Code": "PipelineNotFoundException", "Message": f"Account '{ACCOUNT}' does not have a pipeline with name '{p['name']}'"}})


def _events_and_alarm(session, layout: Layout) -> None:
    alarm = "mlops-nyctaxi-metric-gt-threshold"
    session.client("cloudwatch").put_metric_alarm(
        AlarmName=alarm, MetricName="feature_baseline_drift_total_amount", Namespace="aws/sagemaker/Endpoints/data-metrics",
        Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=0.2, ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "Endpoint", "Value": layout.endpoint}, {"Name": "MonitoringSchedule", "Value": "mlops-nyctaxi-pms"}])
    events = session.client("events")
    events.put_rule(Name=layout.rule, EventPattern='{"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], '
                    f'"resources": ["arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}"], "detail": {{"state": {{"value": ["ALARM"]}}}}}}')
    events.put_targets(Rule=layout.rule, Targets=[{"Id": "retrain", "Arn": f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:{layout.pipeline}",
                                                    "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/mlops-nyctaxi-events"}])


def _permissions(answers: Answers, denied: frozenset[str]) -> None:
    def simulate(params):
        return {"IsTruncated": False, "EvaluationResults": [
            {"EvalActionName": a, "EvalResourceName": (params.get("ResourceArns") or ["*"])[0],
             "EvalDecision": "implicitDeny" if a in denied else "allowed"} for a in params["ActionNames"]]}
    answers.add("SimulatePrincipalPolicy", simulate)


def _alarm_history(answers: Answers) -> None:
    """DescribeAlarmHistory (moto lacks it): this account's alarm has never changed state."""
    answers.add("DescribeAlarmHistory", lambda params: {"AlarmHistoryItems": []})


def _stacks(session, layout: Layout) -> None:
    cfn = session.client("cloudformation")
    body = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}'
    cfn.create_stack(StackName=layout.pipeline, TemplateBody=body)
    cfn.create_stack(StackName=f"{layout.pipeline}-deploy-prd", TemplateBody=body)


def lay_out(layout: Layout, answers: Answers, tmp_path, denied: frozenset[str] = frozenset()) -> None:
    """Build the account (call inside moto's mock_aws)."""
    import boto3

    session = boto3.session.Session(region_name=REGION)
    s3 = session.client("s3")
    s3.create_bucket(Bucket=layout.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    session.client("iam").create_role(RoleName="AmazonSageMaker-ExecutionRole-2021", Path="/service-role/",
                                      AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
    _data(s3, layout, tmp_path)
    _sagemaker(session.client("sagemaker"), layout)
    if layout.job_definition:
        definition = job_definition(layout)
        session.client("sagemaker").create_data_quality_job_definition(
            JobDefinitionName="data-quality-job-definition-mlops-nyctaxi-pms",
            DataQualityBaselineConfig=definition["BaselineConfig"],
            DataQualityAppSpecification={"ImageUri": definition["MonitoringAppSpecification"]["ImageUri"]},
            DataQualityJobInput={"EndpointInput": definition["MonitoringInputs"][0]["EndpointInput"]},
            DataQualityJobOutputConfig=definition["MonitoringOutputConfig"], JobResources=definition["MonitoringResources"],
            StoppingCondition=definition["StoppingCondition"], RoleArn=ROLE)
    _schedule_answers(answers, layout)
    _pipeline(session, answers, layout)
    _events_and_alarm(session, layout)
    _permissions(answers, denied)
    _alarm_history(answers)
    _stacks(session, layout)


def strip_optional(shape, value):
    """``value`` with every member its shape marks optional removed, recursively (the payload stays)."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        payload = shape.serialization.get("payload")
        return {k: strip_optional(shape.members.get(k), v) for k, v in value.items()
                if k in shape.required_members or k == payload or k not in shape.members}
    if shape.type_name == "list" and isinstance(value, list):
        return [strip_optional(shape.member, v) for v in value]
    return value


def answer_only_required(session: botocore.session.Session, spare: frozenset[str] = frozenset(),
                         only: frozenset[str] | None = None, seen: set[str] | None = None) -> None:
    """Every successful answer keeps only the members the API requires (install on a session).

    ``spare`` names services left whole (e.g. sts, whose every member is optional); ``only``, when
    given, limits the stripping to those operations ("service.Operation"); ``seen`` collects the
    operations whose answers held an optional member (stripping them changes something).
    """
    def strip(parsed, model, http_response, **_):
        service = model.service_model.service_name
        name = f"{service}.{model.name}"
        if http_response.status_code >= 300 or model.output_shape is None or service in spare:
            return
        kept = strip_optional(model.output_shape, parsed)  # members outside the shape (ResponseMetadata) stay
        if seen is not None and kept != parsed:
            seen.add(name)
        if only is None or name in only:
            parsed.clear()
            parsed.update(kept)

    session.register("after-call", strip)

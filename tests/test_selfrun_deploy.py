"""The self-run deployment: the template's definitions against botocore's request shapes, least
privilege, the same resources through boto3 (under moto), and a fired schedule running the job.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone

import boto3
import botocore.session
import pytest

from helpers import session
from helpers import workshop as w
from helpers.cfn import resolve_template
from helpers.cli import main
from helpers.config import ASSETS
from helpers.formats.layout import hour_path
from helpers.workshop.selfrun import (
    SELFRUN_TEMPLATE,
    SelfRunTarget,
    deploy_selfrun,
    scheduler_request,
    selfrun_definitions,
    selfrun_jobs,
    selfrun_schedule,
)

ACCOUNT = "123456789012"
BUCKET = "sagemaker-us-east-1-123456789012"
TARGET = SelfRunTarget(
    endpoint="mlops-nyctaxi-prd-6a1f0c2e-0000-4000-8000-000000000001", variant="prd-mlops-nyctaxi",
    capture_uri=f"s3://{BUCKET}/nyctaxi/datacapture",
    statistics_uri=f"s3://{BUCKET}/nyctaxi/monitoring/baseline/mlops-nyctaxi-pbl-x/statistics.json",
    constraints_uri=f"s3://{BUCKET}/nyctaxi/monitoring/baseline/mlops-nyctaxi-pbl-x/constraints.json",
    reports_uri=f"s3://{BUCKET}/nyctaxi/monitoring/reports")
SCHEDULED = datetime(2021, 6, 7, 10, 0, tzinfo=timezone.utc)
EXECUTION_IDS = ("d32c5kddcf5bb8c3", str(uuid.uuid4()))  # the documented example, and a longer id


def _operation(service: str, operation: str):
    return botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape


def shape_problems(shape, value, path="") -> list[str]:
    """Everything in ``value`` that the botocore shape refuses: types, required members, unknown
    members, enums, lengths, ranges and patterns (which botocore's own validator does not check)."""
    kind, meta, out = shape.type_name, shape.metadata, []
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        out += [f"{path}.{m}: required" for m in shape.required_members if m not in value]
        out += [f"{path}.{k}: unknown member" for k in value if k not in shape.members]
        for k, v in value.items():
            if k in shape.members:
                out += shape_problems(shape.members[k], v, f"{path}.{k}")
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        out += [f"{path}: {len(value)} items, fewer than {meta['min']}"] if len(value) < meta.get("min", 0) else []
        out += [f"{path}: {len(value)} items, more than {meta['max']}"] if len(value) > meta.get("max", 10**9) else []
        for i, v in enumerate(value):
            out += shape_problems(shape.member, v, f"{path}[{i}]")
    elif kind == "map":
        for k, v in value.items():
            out += shape_problems(shape.key, k, f"{path}<key {k}>") + shape_problems(shape.value, v, f"{path}[{k}]")
        out += [f"{path}: {len(value)} entries, more than {meta['max']}"] if len(value) > meta.get("max", 10**9) else []
    elif kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        if shape.enum and value not in shape.enum:
            out.append(f"{path}: {value!r} not in {shape.enum}")
        if not meta.get("min", 0) <= len(value) <= meta.get("max", 10**9):
            out.append(f"{path}: length {len(value)} outside {meta.get('min', 0)}..{meta.get('max')}")
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
            out.append(f"{path}: {value!r} does not match {meta['pattern']}")
    elif kind in ("integer", "long") and (
            not isinstance(value, int) or not meta.get("min", -10**18) <= value <= meta.get("max", 10**18)):
        out.append(f"{path}: {value!r} is not an integer in range")
    return out


def _definitions(region="us-east-1", **parameters):
    resolved = resolve_template(SELFRUN_TEMPLATE, {**TARGET.parameters(), **parameters}, region=region,
                                account_id=ACCOUNT)
    return {name: r.properties for name, r in resolved.items()}


@pytest.mark.parametrize("execution_id", EXECUTION_IDS)
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"])
def test_the_target_input_is_a_valid_create_processing_job_request(region, execution_id):
    schedule = _definitions(region, JobNamePrefix="mlops-nyctaxi-selfrun-abcd")["Schedule"]
    request = scheduler_request(schedule, SCHEDULED, execution_id)
    assert shape_problems(_operation("sagemaker", "CreateProcessingJob"), request) == []
    assert request["ProcessingJobName"] == f"mlops-nyctaxi-selfrun-abcd-{execution_id}"
    assert request["Environment"]["SCHEDULED_TIME"] == "2021-06-07T10:00:00Z"
    assert not any(a in json.dumps(request) for a in ("<aws.scheduler", "${"))
    assert request["AppSpecification"]["ImageUri"].split("/")[0].endswith(
        ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com")


def test_the_schedule_and_roles_are_valid_api_requests():
    d = _definitions()
    schedule = d["Schedule"]
    assert schedule["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert schedule["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:sagemaker:createProcessingJob"
    assert shape_problems(_operation("scheduler", "CreateSchedule"), schedule) == []
    for role in (d["JobRole"], d["SchedulerRole"]):
        create = {"RoleName": role["RoleName"], "Description": role["Description"],
                  "AssumeRolePolicyDocument": json.dumps(role["AssumeRolePolicyDocument"])}
        assert shape_problems(_operation("iam", "CreateRole"), create) == []
        for policy in role["Policies"]:
            put = {"RoleName": role["RoleName"], "PolicyName": policy["PolicyName"],
                   "PolicyDocument": json.dumps(policy["PolicyDocument"])}
            assert shape_problems(_operation("iam", "PutRolePolicy"), put) == []


def _statements(role):
    return {s["Sid"]: s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]}


def test_roles_are_least_privilege():
    d = _definitions(MetricNamespace="selfrun/data-metrics")
    scheduler = _statements(d["SchedulerRole"])
    assert {s["Action"] for s in scheduler.values()} == {"sagemaker:CreateProcessingJob", "iam:PassRole"}
    assert scheduler["StartTheJob"]["Resource"].endswith(":processing-job/mlops-nyctaxi-pms-*")
    assert scheduler["PassTheJobRoleToSageMakerOnly"]["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/mlops-nyctaxi-pms-selfrun-job"
    assert scheduler["PassTheJobRoleToSageMakerOnly"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    trust = d["SchedulerRole"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    job = _statements(d["JobRole"])
    assert job["PublishMetricsInTheNamespace"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "selfrun/data-metrics"}}
    reports = f"arn:aws:s3:::{BUCKET}/nyctaxi/monitoring/reports/{TARGET.endpoint}/mlops-nyctaxi-pms/*"
    assert job["WriteReports"] == {"Sid": "WriteReports", "Effect": "Allow", "Action": "s3:PutObject",
                                   "Resource": reports}
    assert "DecryptCapture" not in job  # only with a capture key
    assert "DecryptCapture" in _statements(_definitions(CaptureKmsKeyArn="arn:aws:kms:us-east-1:1:key/k")["JobRole"])
    wildcard = [s for s in job.values() if s["Resource"] == "*"]
    assert {s["Sid"] for s in wildcard} == {"PublishMetricsInTheNamespace", "PullTheImageToken"}


def test_the_image_per_region_is_the_sdks():
    """Every region of the mapping gives the image the installed SageMaker SDK resolves."""
    import logging
    import os

    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    logging.getLogger("sagemaker").setLevel(logging.ERROR)
    from sagemaker import image_uris

    mapping = json.loads((ASSETS / SELFRUN_TEMPLATE).read_text())["Mappings"]["SKLearnProcessingImage"]
    versions = image_uris.config_for_framework("sklearn")["training"]["versions"]
    if "1.4-2" not in versions:  # the oldest supported SDK (2.232) predates the 1.4-2 image
        pytest.skip("the installed SageMaker SDK does not list the sklearn 1.4-2 image; "
                    "the newest stack's run checks the mapping against it")
    registries = versions["1.4-2"]["registries"]
    assert set(mapping) == set(registries)
    for region, entry in mapping.items():
        assert entry["ImageUri"] == image_uris.retrieve("sklearn", region, version="1.4-2", py_version="py3",
                                                        instance_type="ml.m5.xlarge", image_scope="training")
        assert entry["Account"] == registries[region]


def test_a_bad_parameter_is_named():
    with pytest.raises(ValueError, match="JobNamePrefix"):
        _definitions(JobNamePrefix="has_underscore")
    with pytest.raises(ValueError, match="one bucket"):
        SelfRunTarget(**{**TARGET.__dict__, "reports_uri": "s3://other/reports"}).parameters()


def test_deploying_with_boto3_makes_the_templates_resources(aws_account, tmp_path):
    definitions = deploy_selfrun(aws_account, TARGET)
    assert definitions == selfrun_definitions(aws_account, TARGET)
    info = selfrun_schedule(aws_account)
    assert (info.cron, info.state, info.job_name_prefix) == ("cron(0 * * * ? *)", "ENABLED", "mlops-nyctaxi-pms-")
    assert info.job == json.loads(definitions["Schedule"]["Target"]["Input"])
    iam = aws_account.client("iam")
    for role in (definitions["JobRole"], definitions["SchedulerRole"]):
        stored = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=role["Policies"][0]["PolicyName"])
        assert stored["PolicyDocument"] == role["Policies"][0]["PolicyDocument"]
    deploy_selfrun(aws_account, TARGET, PublishMetrics="Disabled")  # a second deployment updates in place
    assert selfrun_schedule(aws_account).environment["PUBLISH_CLOUDWATCH_METRICS"] == "Disabled"

    # the uploaded package imports and answers on its own (what the processing job runs)
    s3 = aws_account.client("s3")
    code = info.job["ProcessingInputs"][0]["S3Input"]["S3Uri"].removeprefix(f"s3://{BUCKET}/") + "/"
    for obj in s3.list_objects_v2(Bucket=BUCKET, Prefix=code, MaxKeys=1000)["Contents"]:
        target = tmp_path / obj["Key"][len(code):]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read())
    requirements = (tmp_path / "requirements-selfrun.txt").read_text().split()
    assert [r.split(">")[0] for r in requirements] == ["numpy", "pandas", "pyarrow", "numba", "xxhash", "boto3"]
    done = subprocess.run([sys.executable, "-c", "import helpers.monitoring.job as j, helpers; print(helpers.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == str(tmp_path / "helpers" / "__init__.py"), done.stderr


def test_a_fired_schedule_runs_the_job_from_its_own_request(aws_account, built_twin, monkeypatch, tmp_path):
    """What the Scheduler sends, sent to (moto's) SageMaker; then the job with that environment."""
    from helpers.twin.estate import Twin

    twin = Twin.open(built_twin)
    execution = max((e for e in twin.ws.resources("monitoring_execution")
                     if e["MonitoringExecutionStatus"].startswith("Completed")), key=lambda e: e["ScheduledTime"])
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    baseline = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["BaselineConfig"]
    target = SelfRunTarget(execution["EndpointName"], twin.names.variant_name,
                           f"s3://{BUCKET}/{twin.names.capture_prefix}",
                           baseline["StatisticsResource"]["S3Uri"].replace(twin.bucket, BUCKET),
                           baseline["ConstraintsResource"]["S3Uri"].replace(twin.bucket, BUCKET),
                           f"s3://{BUCKET}/{twin.names.reports_prefix}")
    s3 = aws_account.client("s3")
    for prefix in (twin.names.capture_prefix, f"{twin.names.model_name}/monitoring/baseline"):
        for obj in twin.ws.list_objects(twin.bucket, prefix):
            s3.put_object(Bucket=BUCKET, Key=obj.key, Body=twin.ws.get_object(twin.bucket, obj.key))
    definitions = deploy_selfrun(aws_account, target)
    request = scheduler_request(definitions["Schedule"], execution["ScheduledTime"], EXECUTION_IDS[0])
    aws_account.client("sagemaker").create_processing_job(**request)
    for key, value in request["Environment"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MESSAGE_FILE", str(tmp_path / "message"))
    assert main(["selfrun"]) == 0
    folder = f"{twin.names.reports_prefix}/{execution['EndpointName']}/{twin.names.schedule_name}/" \
             f"{execution['ScheduledTime']:%Y/%m/%d/%H}/"
    for name in ("statistics.json", "constraints.json", "constraint_violations.json"):
        assert s3.get_object(Bucket=BUCKET, Key=folder + name)["Body"].read() == \
            twin.ws.get_object(twin.bucket, folder + name)
    (job,) = selfrun_jobs(aws_account, selfrun_schedule(aws_account))
    assert job["ProcessingJobName"] == request["ProcessingJobName"]
    # moto leaves the optional Environment out of its answer: the hour comes from CreationTime
    assert job["ScheduledTime"] == job["CreationTime"].replace(minute=0, second=0, microsecond=0)
    assert boto3.client("cloudwatch").list_metrics(Namespace="aws/sagemaker/Endpoints/data-metrics")["Metrics"]

    # steps 7 to 10 with monitoring="self": the same workshop functions read the self-run schedule
    aws_account.monitoring = "self"
    info = w.monitoring_schedule(aws_account)
    assert (info.name, info.status, info.cron, info.endpoint) == (
        "mlops-nyctaxi-pms", "ENABLED", "cron(0 * * * ? *)", execution["EndpointName"])
    assert (info.statistics_uri, info.reports_uri) == (target.statistics_uri, target.reports_uri)
    assert info.next_runs(SCHEDULED)[0] == datetime(2021, 6, 7, 11, tzinfo=timezone.utc)
    (found,) = w.monitoring_executions(aws_account)
    assert found.processing_job == request["ProcessingJobName"]
    assert w.report_uri(aws_account, found) == f"s3://{BUCKET}/{folder}".rstrip("/").replace(
        hour_path(execution["ScheduledTime"]), hour_path(found.scheduled))


def test_monitoring_self_is_for_aws(built_twin):
    with pytest.raises(ValueError, match="monitoring='self' is for AWS"):
        session("local", workspace=built_twin, monitoring="self")
    with pytest.raises(ValueError, match="monitoring must be one of"):
        session("local", workspace=built_twin, monitoring="selfrun")


NEW_BASELINE = (f"s3://{BUCKET}/nyctaxi/monitoring/baseline-predictions/x/output/statistics.json",
                f"s3://{BUCKET}/nyctaxi/monitoring/baseline-predictions/x/output/constraints.json")


def test_use_baseline_updates_the_self_run_schedule_and_nothing_else(aws_account):
    """Step 13b with monitoring="self": UpdateSchedule replaces the whole definition, so its request
    (valid for botocore's UpdateScheduleInput) carries every member GetSchedule gave; only the
    job's baseline URIs change, and the job role reads the new objects instead of the old ones."""
    deploy_selfrun(aws_account, TARGET)
    aws_account.monitoring = "self"
    before = selfrun_schedule(aws_account)
    sent = []
    aws_account.client("scheduler").meta.events.register("provide-client-params.scheduler.UpdateSchedule",
                                             lambda params, **_: sent.append(dict(params)))
    arn = w.use_baseline(aws_account, *NEW_BASELINE)
    assert arn == before.raw["Arn"] and len(sent) == 1
    assert shape_problems(_operation("scheduler", "UpdateSchedule"), sent[0]) == []
    shape = _operation("scheduler", "UpdateSchedule")
    assert {k for k in before.raw if k in shape.members} <= set(sent[0])
    after = selfrun_schedule(aws_account)
    expected = dict(before.job, Environment=dict(before.environment, BASELINE_STATISTICS_S3_URI=NEW_BASELINE[0],
                                                 BASELINE_CONSTRAINTS_S3_URI=NEW_BASELINE[1]))
    assert after.job == expected
    assert (after.cron, after.state, after.raw["FlexibleTimeWindow"]) == (before.cron, before.state, before.raw["FlexibleTimeWindow"])
    read = next(s for s in aws_account.client("iam").get_role_policy(
        RoleName="mlops-nyctaxi-pms-selfrun-job", PolicyName="selfrun-job")["PolicyDocument"]["Statement"]
        if s["Sid"] == "ReadCaptureBaselineCodeAndReports")
    objects = {f"arn:aws:s3:::{u[5:]}" for u in NEW_BASELINE}
    assert objects <= set(read["Resource"])
    assert not {f"arn:aws:s3:::{u[5:]}" for u in (TARGET.statistics_uri, TARGET.constraints_uri)} & set(read["Resource"])
    assert w.monitoring_schedule(aws_account).constraints_uri == NEW_BASELINE[1]


def test_use_baseline_stops_with_a_sentence_where_it_cannot_update(aws_account):
    """A GetSchedule answer without the members UpdateSchedule requires (all of GetSchedule's are
    optional), and a job role without the template's read statement: a sentence, nothing sent."""
    from helpers.aws import AnswerMissing

    deploy_selfrun(aws_account, TARGET)
    aws_account.monitoring = "self"
    iam = aws_account.client("iam")
    iam.delete_role_policy(RoleName="mlops-nyctaxi-pms-selfrun-job", PolicyName="selfrun-job")
    with pytest.raises(AnswerMissing, match=r"no inline policy of role mlops-nyctaxi-pms-selfrun-job has the statement "
                                            r"ReadCaptureBaselineCodeAndReports .* then run this step again"):
        w.use_baseline(aws_account, *NEW_BASELINE)
    assert selfrun_schedule(aws_account).environment["BASELINE_CONSTRAINTS_S3_URI"] == TARGET.constraints_uri

    def without_window(parsed, **_):
        parsed.pop("FlexibleTimeWindow", None)

    aws_account.client("scheduler").meta.events.register("after-call.scheduler.GetSchedule", without_window)
    with pytest.raises(AnswerMissing, match=r"GetSchedule's answer for mlops-nyctaxi-pms leaves out FlexibleTimeWindow, "
                                            r"which UpdateSchedule requires .* in its target's input there"):
        w.use_baseline(aws_account, *NEW_BASELINE)

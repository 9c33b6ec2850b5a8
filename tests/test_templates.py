"""The CloudFormation templates in assets/: each resource fits the API call it stands for.

CloudFormation passes a resource's properties to the service's create call, so each template
is resolved (parameters, mappings, conditions) and its properties validated against botocore's
request shape of that call. The analyzer image mapping must match the installed SDK's list of
regions; the retrain rule's role may start the pipeline and nothing else.
"""

from __future__ import annotations

import importlib.util
import json

import botocore.session
import pytest
from botocore.validate import validate_parameters

from helpers.config import ASSETS
from helpers.infra import resource_properties, template_resources

ACCOUNT = "123456789012"
PARAMETERS = {
    "endpoint-config.template.json": {"EndpointConfigName": "mlops-nyctaxi-prd-1", "ModelName": "m",
                                      "CaptureUri": "s3://b/mlops-nyctaxi/datacapture", "KmsKeyId": "alias/capture"},
    "monitoring-schedule.template.json": {"EndpointName": "mlops-nyctaxi-prd-1", "BaselineUri": "s3://b/baseline",
                                          "ReportsUri": "s3://b/reports", "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r"},
    "drift-alarm.template.json": {"EndpointName": "mlops-nyctaxi-prd-1"},
    "retrain-rule.template.json": {"PipelineName": "mlops-nyctaxi-p-0a1b2c3d4e5f"},
}
MODEL = botocore.session.get_session()


def _script():
    spec = importlib.util.spec_from_file_location("update_analyzer_images", ASSETS.parent / "scripts" / "update_analyzer_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def api_calls(kind: str, props: dict) -> list[tuple[str, str, dict]]:
    """(service, operation, parameters) CloudFormation makes for a resource of this type."""
    props = dict(props)
    if kind == "AWS::SageMaker::MonitoringSchedule":
        props.pop("EndpointName")  # CloudFormation's own: the API reads it from the job definition
        return [("sagemaker", "CreateMonitoringSchedule", props)]
    if kind == "AWS::SageMaker::EndpointConfig":
        return [("sagemaker", "CreateEndpointConfig", props)]
    if kind == "AWS::CloudWatch::Alarm":
        return [("cloudwatch", "PutMetricAlarm", props)]
    if kind == "AWS::Events::Rule":
        targets = props.pop("Targets")
        props["EventPattern"] = json.dumps(props["EventPattern"])
        return [("events", "PutRule", props), ("events", "PutTargets", {"Rule": props["Name"], "Targets": targets})]
    if kind == "AWS::IAM::Role":
        policies = props.pop("Policies", [])
        props["AssumeRolePolicyDocument"] = json.dumps(props["AssumeRolePolicyDocument"])
        return [("iam", "CreateRole", props)] + [
            ("iam", "PutRolePolicy", {"RoleName": props["RoleName"], "PolicyName": p["PolicyName"],
                                      "PolicyDocument": json.dumps(p["PolicyDocument"])}) for p in policies]
    raise AssertionError(f"no API call known for {kind}: add one")


@pytest.mark.parametrize("template", sorted(PARAMETERS))
def test_every_resource_fits_its_api_call(template):
    resources = template_resources(template, PARAMETERS[template], region="eu-west-1", account_id=ACCOUNT)
    for resource in resources.values():
        for service, operation, params in api_calls(resource["Type"], resource["Properties"]):
            validate_parameters(params, MODEL.get_service_model(service).operation_model(operation).input_shape)


# The self-run template is checked in tests/test_selfrun_deploy.py: deployed with boto3 from the
# same file under moto, and its Scheduler target validated against CreateProcessingJob's shape.
VALIDATED_ELSEWHERE = ["selfrun-schedule.template.json"]


def test_the_templates_cover_every_template_in_assets():
    assert sorted(p.name for p in ASSETS.glob("*.template.json")) == sorted([*PARAMETERS, *VALIDATED_ELSEWHERE])


def test_the_analyzer_image_mapping_is_the_sdks():
    mapping = json.loads((ASSETS / "monitoring-schedule.template.json").read_text())["Mappings"]["AnalyzerAccount"]
    # every region the installed SDK knows, with its account (an older SDK knows fewer regions)
    known = _script().sdk_registries()
    assert {region: mapping.get(region, {}).get("Account") for region in known} == known, \
        "run scripts/update_analyzer_images.py"


@pytest.mark.parametrize(("region", "image"), [
    ("us-east-1", "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"),
    ("eu-west-1", "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"),
    ("cn-north-1", "453000072557.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-model-monitor-analyzer"),
])
def test_the_analyzer_image_follows_the_region(region, image):
    props = resource_properties("monitoring-schedule.template.json", PARAMETERS["monitoring-schedule.template.json"],
                                region=region, account_id=ACCOUNT)
    assert props["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["MonitoringAppSpecification"]["ImageUri"] == image


def test_the_capture_key_is_a_parameter():
    params = dict(PARAMETERS["endpoint-config.template.json"])
    with_key = resource_properties("endpoint-config.template.json", params, region="eu-west-1", account_id=ACCOUNT)
    assert with_key["DataCaptureConfig"]["KmsKeyId"] == "alias/capture"
    params.pop("KmsKeyId")
    without = resource_properties("endpoint-config.template.json", params, region="eu-west-1", account_id=ACCOUNT)
    assert "KmsKeyId" not in without["DataCaptureConfig"]


def test_the_events_role_may_start_that_pipeline_and_nothing_else():
    resources = template_resources("retrain-rule.template.json", PARAMETERS["retrain-rule.template.json"],
                                   region="eu-west-1", account_id=ACCOUNT)
    role = resources["EventsRole"]["Properties"]
    (statement,) = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    assert statement == {"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution",
                         "Resource": f"arn:aws:codepipeline:eu-west-1:{ACCOUNT}:mlops-nyctaxi-p-0a1b2c3d4e5f"}
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"] == \
        f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/mlops-nyctaxi-retrain-pipeline"
    target = resources["RetrainRule"]["Properties"]["Targets"][0]
    assert target["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/mlops-nyctaxi-retrain-pipeline-events"


# CloudWatch's "Dashboard Body Structure and Syntax": what a metric widget's properties and each
# metric row's rendering options may hold (the service refuses a body with anything else)
_METRIC_OPTIONS = {"accountId", "color", "expression", "id", "label", "period", "region", "stat", "visible", "yAxis"}
_Y_AXIS = {"label", "min", "max", "showUnits"}


def test_the_dashboard_body_is_a_cloudwatch_dashboard_body():
    """Every widget on the 24-column grid; every metric row a documented expression with a unique
    id; each SEARCH counts over its widget's period, so the local rendering's period is the body's."""
    import re

    from helpers.infra import dashboard_body

    body = json.loads(dashboard_body(region="us-east-1", account_id=ACCOUNT, endpoint="e", variant="v", schedule="s",
                                     alarm="a"))
    for widget in body["widgets"]:
        assert widget["type"] in ("metric", "alarm", "text") and widget["x"] >= 0 and widget["x"] + widget["width"] <= 24
        props = widget["properties"]
        if widget["type"] != "metric":
            continue
        assert props["period"] % 60 == 0 and props.get("view", "timeSeries") == "timeSeries"
        assert set(props.get("yAxis", {})) <= {"left", "right"} and all(set(a) <= _Y_AXIS for a in props.get("yAxis", {}).values())
        ids = [row[0]["id"] for row in props["metrics"]]
        assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[a-z]\w*", i) for i in ids), ids
        for row in props["metrics"]:
            assert len(row) == 1 and set(row[0]) <= _METRIC_OPTIONS, row
            search = re.fullmatch(r"SEARCH\('.*', '(\w+)', (\d+)\)", row[0]["expression"])
            if search:
                assert (search.group(1), int(search.group(2))) == (props["stat"], props["period"]), props["title"]
    titles = [w["properties"].get("title") for w in body["widgets"]]
    assert "Requests per hour" in titles and "Errors per hour (4XX and 5XX)" in titles  # each on its own scale

"""The AWS path offline: the workshop's steps in a fake account (see ``fake_account``), and errors.

Credentials and region are fake; no socket leaves the machine and no DNS name is resolved.
"""

from __future__ import annotations

import botocore
import pytest
from fake_account import EXECUTION, LAYOUTS, REGION, ROLE, T0, fake_environment, lay_out
from moto import mock_aws

from helpers import session
from helpers import workshop as w
from helpers.aws import (
    MissingPermission,
    ModelMonitorUnavailable,
    NotFound,
    WorkshopAwsError,
    explain,
)
from helpers.workshop.permissions import CHAPTER_ACTIONS


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("studio")
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        answers = fake_environment(monkeypatch, tmp)
        lay_out(LAYOUTS["studio"], answers, tmp, denied=frozenset({"cloudwatch:PutDashboard"}))
        yield answers, monkeypatch


@pytest.fixture
def answers(studio):
    """The account's answers; a test may replace some, and they are put back after it."""
    answers, _ = studio
    before = dict(answers.by_operation)
    yield answers
    answers.by_operation = before


def test_the_steps_run_on_aws(answers, tmp_path):
    layout = LAYOUTS["studio"]
    aws = session("aws")
    assert (aws.backend, aws.account_id, aws.region) == ("aws", "123456789012", REGION)
    execution = w.pipeline_execution_id(aws)
    assert execution == EXECUTION
    names = w.job_names(aws, execution)
    job = w.baseline_job(aws, names.baseline_job)
    assert job.output_uri == layout.baseline_uri
    assert w.load_statistics(aws, job.statistics_uri).feature("passenger_count").inferred_type == "Integral"
    files = w.capture_files(aws, names.endpoint)
    assert len(files) == 1 and w.first_capture_record(aws, files[0].uri).capture_data.endpoint_input.encoding == "CSV"
    schedule = w.monitoring_schedule(aws)  # a schedule that names its job definition (SDK v2)
    assert schedule.definition_name and schedule.statistics_uri == f"{layout.baseline_uri}/statistics.json"
    assert schedule.cron == "cron(0 * ? * * *)" and schedule.next_runs(T0)[0] == T0.replace(hour=11)
    latest = w.wait_for_execution(aws, timeout=5, poll=0.01)
    assert latest.status == "CompletedWithViolations"
    assert w.latest_execution(aws).status == "CompletedWithViolations"
    assert w.latest_execution(aws, statuses=("Failed",)).failure_reason == "Job inputs had no data"
    uri = w.report_uri(aws, latest)
    assert sorted(p.name for p in w.download_reports(aws, uri, tmp_path)) == [
        "constraint_violations.json", "constraints.json", "statistics.json"]
    w.publish_drift_metric(aws, 0.25, names.endpoint)
    assert w.read_metric(aws, names.endpoint)["Average"].tolist() == [0.25]


def test_executions_are_polled_with_small_filtered_pages(answers):
    aws = session("aws")
    asked = []
    aws.client("sagemaker").meta.events.register("before-parameter-build.sagemaker.ListMonitoringExecutions",
                                                 lambda params, **_: asked.append(dict(params)))
    w.wait_for_execution(aws, timeout=5, poll=0.01)
    assert asked and all(p["MaxResults"] == 1 and p["StatusEquals"] in ("Completed", "CompletedWithViolations")
                         and p["SortBy"] == "ScheduledTime" and p["SortOrder"] == "Descending" for p in asked)


def test_wait_times_out_clearly(answers):
    answers.add("ListMonitoringExecutions", lambda p: {"MonitoringExecutionSummaries": []})
    with pytest.raises(TimeoutError, match="no Completed/CompletedWithViolations execution of mlops-nyctaxi-pms within 0 s"):
        w.wait_for_execution(session("aws"), timeout=0, poll=0.01)


def test_missing_deployment_says_what_was_looked_for(answers):
    aws = session("aws")
    with pytest.raises(WorkshopAwsError, match="describing the baseline processing job"):
        w.baseline_job(aws, "mlops-nyctaxi-pbl-missing")
    with pytest.raises(NotFound, match="Nothing found while reading from S3"):
        w.read_s3_text(aws, f"s3://{aws.default_bucket}/missing.json")


def test_an_unknown_pipeline_is_a_finding_with_what_to_do(answers):
    aws = session("aws", pipeline_name="not-the-workshop")
    finding = next(f for f in aws.discovery.findings if f.what == "production execution")
    assert not finding.found and "does not have a pipeline with name 'not-the-workshop'" in finding.todo


def test_given_names_win_over_discovery(answers):
    aws = session("aws", variant_name="blue", retrain_rule="my-rule")
    assert (aws.names.variant_name, aws.names.retrain_rule) == ("blue", "my-rule")


def test_preflight_names_a_denied_permission_and_the_verdict(answers):
    table = w.preflight(session("aws")).set_index("check")
    assert table.loc["region", "result"].startswith(f"{REGION} (from profile 'default' in ")
    dashboard = f"permission cloudwatch:PutDashboard on arn:aws:cloudwatch::123456789012:dashboard/{session('aws').names.dashboard_name}"
    assert table.loc[dashboard, ["step", "result"]].tolist() == ["16", "implicitDeny"]
    assert table.loc[dashboard, "todo"] == dashboard.replace("permission ", "add ") + " to arn:aws:sts::123456789012:user/moto's policy"
    assert table.loc["permission sagemaker:InvokeEndpoint", "ok"]
    assert any(c.startswith("permission kms:Decrypt on arn:aws:kms:") for c in table.index)
    assert table.loc["Model Monitor availability", "result"] == "available: the workshop's schedule exists"


def _simulated(sess) -> list[tuple[list[str], list[str]]]:
    asked = []
    sess.client("iam").meta.events.register("before-parameter-build.iam.SimulatePrincipalPolicy",
                                            lambda params, **_: asked.append((params["ActionNames"], params["ResourceArns"])))
    w.preflight(sess)
    return asked


def test_preflight_checks_each_steps_writes_on_its_resource(answers):
    aws = session("aws")
    asked = _simulated(aws)
    arn = f"arn:aws:{{}}:{REGION}:123456789012:"
    assert asked[0] == (list(CHAPTER_ACTIONS), ["*"])
    assert asked[1:] == [
        # the project's bucket: the Studio variant has no SageMaker default bucket
        (["s3:PutObject"], [f"arn:aws:s3:::{LAYOUTS['studio'].bucket}/{aws.names.model_name}/monitoring/baseline-predictions/*"]),
        (["sagemaker:CreateProcessingJob"], [arn.format("sagemaker") + "processing-job/baseline-predictions-*"]),
        (["iam:PassRole"], [ROLE]),  # the role the schedule's job definition runs as
        (["sagemaker:UpdateMonitoringSchedule"], [arn.format("sagemaker") + f"monitoring-schedule/{aws.names.schedule_name}"]),
        (["cloudwatch:PutMetricData"], ["*"]),
        (["cloudwatch:PutMetricAlarm"], [arn.format("cloudwatch") + f"alarm:{aws.names.alarm_name}"]),
        (["codepipeline:PutApprovalResult"], [arn.format("codepipeline") + f"{aws.names.pipeline_name}/*/ApproveDeploy"]),
        (["cloudwatch:PutDashboard"], [f"arn:aws:cloudwatch::123456789012:dashboard/{aws.names.dashboard_name}"]),
    ] + ([(["kms:Decrypt"], [aws.discovery.capture_kms_key])] if aws.discovery.capture_kms_key else [])
    table = w.preflight(aws).set_index("check")
    assert table.loc[f"permission iam:PassRole on {ROLE}", ["step", "ok"]].tolist() == ["13b", True]


def test_preflight_of_a_self_run_schedule_checks_its_calls(answers):
    actions = [a for names, _ in _simulated(session("aws", monitoring="self")) for a in names]
    for call in ("scheduler:GetSchedule", "scheduler:UpdateSchedule", "iam:PutRolePolicy", "iam:PassRole", "s3:PutObject"):
        assert call in actions
    assert "sagemaker:CreateProcessingJob" not in actions and "sagemaker:UpdateMonitoringSchedule" not in actions


def test_a_closed_account_is_told_to_use_the_twin(answers):
    # the wording AWS uses for the change; the exact refusal an account gets is not public
    closed = {"Error": {"Code": "AccessDeniedException", "Message": "Model Monitor is no longer open to new customers."}}
    answers.add("DescribeMonitoringSchedule", lambda p: closed)
    answers.add("ListMonitoringSchedules", lambda p: closed)
    aws = session("aws")
    with pytest.raises(ModelMonitorUnavailable, match="closed to new AWS customers; run the workshop on the local twin"):
        w.monitoring_schedule(aws)
    assert w.preflight(aws).set_index("check").loc["Model Monitor availability", "result"] == "closed to new customers"


def test_access_denied_is_a_missing_permission_not_a_closed_account(answers):
    denied = {"Error": {"Code": "AccessDeniedException", "Message": (
        "User: arn:aws:sts::123456789012:assumed-role/AmazonSageMaker-ExecutionRole-2021/SageMaker is not authorized "
        "to perform: sagemaker:DescribeMonitoringSchedule on resource: arn:aws:sagemaker:eu-west-1:123456789012:"
        "monitoring-schedule/mlops-nyctaxi-pms because no identity-based policy allows the sagemaker:DescribeMonitoringSchedule action")}}
    answers.add("DescribeMonitoringSchedule", lambda p: denied)
    with pytest.raises(MissingPermission, match=r"lacks the IAM permission sagemaker:DescribeMonitoringSchedule on "
                                                r"arn:aws:sagemaker:eu-west-1:123456789012:monitoring-schedule/mlops-nyctaxi-pms") as err:
        w.monitoring_schedule(session("aws", discover=False))
    assert err.value.action == "sagemaker:DescribeMonitoringSchedule"


def test_an_unexplained_refusal_is_not_called_closed():
    err = botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "Access denied"}},
                                          "ListMonitoringExecutions")
    message = explain(err, "listing executions (sagemaker:ListMonitoringExecutions)")
    assert not isinstance(message, ModelMonitorUnavailable)
    assert "Either the role lacks sagemaker:ListMonitoringExecutions or this account cannot use Model Monitor" in str(message)


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


def test_no_credentials(monkeypatch, tmp_path):
    fake_environment(monkeypatch, tmp_path)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(WorkshopAwsError, match="No AWS credentials found"):
        session("aws")


def test_no_region_is_never_guessed(monkeypatch, tmp_path):
    fake_environment(monkeypatch, tmp_path)
    (tmp_path / "aws-config").write_text("[default]\n")
    with pytest.raises(WorkshopAwsError, match="No AWS region is set and the workshop does not guess one"):
        session("aws")


@pytest.mark.parametrize(("setting", "expected"), [
    ({"AWS_DEFAULT_REGION": "ap-south-1"}, ("ap-south-1", "the environment (AWS_DEFAULT_REGION)")),
    ({"AWS_REGION": "us-west-2"}, (REGION, "profile 'default'")),  # boto3 does not read AWS_REGION
    ({"AWS_PROFILE": "lab"}, ("sa-east-1", "profile 'lab'")),
])
def test_region_follows_boto3s_chain(monkeypatch, tmp_path, setting, expected):
    import boto3

    from helpers.aws import resolve_region

    fake_environment(monkeypatch, tmp_path)
    (tmp_path / "aws-config").write_text(f"[default]\nregion = {REGION}\n[profile lab]\nregion = sa-east-1\n")
    for key, value in setting.items():
        monkeypatch.setenv(key, value)
    choice = resolve_region(boto3.session.Session(), None)
    assert (choice.region, choice.source.split(" in ")[0]) == expected
    assert resolve_region(boto3.session.Session(), "eu-north-1").source == "the region= parameter"


def test_wrong_region_is_explained():
    err = botocore.exceptions.EndpointConnectionError(endpoint_url="https://sagemaker.us-east-9.amazonaws.com/")
    message = str(explain(err, "describing the schedule"))
    assert message.startswith("Cannot reach AWS while describing the schedule") and "Check the region" in message


def test_the_alarm_is_awaited_with_cloudwatchs_waiter(answers):
    aws = session("aws")
    with pytest.raises(TimeoutError, match="did not reach ALARM within 1 s"):
        w.wait_for_alarm(aws, timeout=1, poll=1)  # a fresh alarm has not been evaluated yet
    aws.client("cloudwatch").set_alarm_state(AlarmName=aws.names.alarm_name, StateValue="ALARM", StateReason="drift 0.3 > 0.2")
    assert w.wait_for_alarm(aws, timeout=1, poll=1)["StateValue"] == "ALARM"
    aws.client("cloudwatch").set_alarm_state(AlarmName=aws.names.alarm_name, StateValue="OK", StateReason="test done")


def test_the_retrain_is_polled_for_not_indexed(answers):
    from datetime import datetime, timezone

    aws = session("aws")
    since = datetime.now(timezone.utc).replace(microsecond=0)
    with pytest.raises(TimeoutError, match=f"no execution of {LAYOUTS['studio'].pipeline} started within 0 s"):
        w.wait_for_retrain(aws, since, timeout=0, poll=0)
    started = aws.client("codepipeline").start_pipeline_execution(name=aws.names.pipeline_name)["pipelineExecutionId"]
    assert w.wait_for_retrain(aws, since, timeout=5, poll=0)["pipelineExecutionId"] == started

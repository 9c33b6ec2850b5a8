"""No KeyError on a field the API marks optional: every answer stripped to its required members.

In the fake account (``fake_account``), botocore's output shapes say which members of each
answer are optional; a hook removes all of them from every successful answer, recursively.
Every step the workshop takes must then either work or stop with a ``WorkshopAwsError`` (or
LookupError/TimeoutError) that says what is missing: never KeyError, IndexError or TypeError.
"""

from __future__ import annotations

import botocore.session
import pytest
from fake_account import (
    LAYOUTS,
    T0,
    answer_only_required,
    fake_environment,
    lay_out,
    strip_optional,
)
from moto import mock_aws

from helpers import session
from helpers import workshop as w
from helpers.aws import WorkshopAwsError
from helpers.workshop import cleanup

EXPECTED = (WorkshopAwsError, LookupError, TimeoutError)


def test_the_stripping_follows_the_model():
    model = botocore.session.get_session().get_service_model("sagemaker").operation_model("DescribeMonitoringSchedule")
    full = {"MonitoringScheduleArn": "a", "MonitoringScheduleName": "n", "MonitoringScheduleStatus": "Scheduled",
            "CreationTime": T0, "LastModifiedTime": T0, "EndpointName": "e",
            "MonitoringScheduleConfig": {"MonitoringJobDefinition": {"Environment": {"a": "b"}, "RoleArn": "r"}}}
    stripped = strip_optional(model.output_shape, full)
    assert "EndpointName" not in stripped and stripped["MonitoringScheduleConfig"] == {}


def steps(sess, layout, tmp_path):
    """Every read the workshop's steps make, in chapter order (each a zero-argument callable)."""
    endpoint = layout.endpoint
    return {
        "pipeline_stages": lambda: w.pipeline_stages(sess),
        "estate_history": lambda: w.estate_history(sess).explain(),
        "pipeline_execution_id": lambda: w.pipeline_execution_id(sess),
        "baseline_job": lambda: w.baseline_job(sess, f"mlops-nyctaxi-pbl-{endpoint.rsplit('-prd-', 1)[1]}"),
        "schedules_on_endpoint": lambda: w.schedules_on_endpoint(sess, endpoint),
        "capture_files": lambda: w.capture_files(sess, endpoint),
        "download_capture_hour": lambda: w.download_capture_hour(sess, endpoint, T0.replace(hour=9), tmp_path / "c"),
        "monitoring_schedule": lambda: w.monitoring_schedule(sess),
        "next_runs": lambda: w.monitoring_schedule(sess).next_runs(T0),
        "latest_execution": lambda: w.latest_execution(sess),
        "wait_for_execution": lambda: w.wait_for_execution(sess, timeout=0, poll=0),
        "report_uri": lambda: w.report_uri(sess, w.latest_execution(sess) or w.Execution(T0, "Completed", "", None, {})),
        "download_reports": lambda: w.download_reports(sess, f"{layout.reports_uri}/{endpoint}", tmp_path / "r"),
        "publish_and_read_metric": lambda: (w.publish_drift_metric(sess, 0.3, endpoint), w.read_metric(sess, endpoint)),
        "alarm_state": lambda: w.alarm_state(sess),
        "create_dashboard": lambda: w.create_dashboard(sess, endpoint),
        "drift_history": lambda: w.drift_history(sess, endpoint, ["total_amount"]),
        "pipeline_executions_since": lambda: w.pipeline_executions_since(sess, T0),
        "alarm_retrains": lambda: w.alarm_retrains(sess),
        "alarm_causes": lambda: w.alarm_causes(sess),
        "drift_points": lambda: w.drift_points(sess),
        "alarm_endpoint": lambda: w.alarm_endpoint(sess),
        "baseline_in_use": lambda: w.baseline_in_use(sess).explain(),
        "preflight": lambda: w.preflight(sess),
        "cleanup_plan": lambda: cleanup.deletion_order(sess, cleanup.workshop_stacks(sess)),
        "running_costs": lambda: cleanup.running_costs(sess, {}),
    }


def test_an_identity_without_account_is_a_clear_error(monkeypatch, tmp_path):
    fake_environment(monkeypatch, tmp_path)
    original = botocore.session.get_session

    def stripping_session(*args, **kwargs):
        s = original(*args, **kwargs)
        answer_only_required(s)
        return s

    with mock_aws():
        monkeypatch.setattr(botocore.session, "get_session", stripping_session)
        with pytest.raises(WorkshopAwsError, match="has no account id in sts:GetCallerIdentity's answer"):
            session("aws")


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_no_step_indexes_an_optional_field(variant, monkeypatch, tmp_path):
    answers = fake_environment(monkeypatch, tmp_path)
    with mock_aws():
        lay_out(LAYOUTS[variant], answers, tmp_path)
        original = botocore.session.get_session

        def stripping_session(*args, **kwargs):
            s = original(*args, **kwargs)
            answer_only_required(s, spare=frozenset({"sts"}))
            return s

        monkeypatch.setattr(botocore.session, "get_session", stripping_session)
        sess = session("aws")  # discovery itself must survive the stripped answers
        assert sess.discovery.findings
        stripped = w.monitoring_schedule(sess)  # the stripping is in force: nothing optional is left
        assert (stripped.cron, stripped.statistics_uri, stripped.environment, stripped.endpoint) == ("", "", {}, "")
        crashes = {}
        for name, step in steps(sess, LAYOUTS[variant], tmp_path).items():
            try:
                step()
            except (KeyError, IndexError) as err:  # LookupErrors, but not sentences
                crashes[name] = f"{type(err).__name__}: {err}"
            except EXPECTED:
                pass
            except Exception as err:  # noqa: BLE001 - the point: any other exception is a finding
                crashes[name] = f"{type(err).__name__}: {err}"
        assert not crashes, crashes


def test_a_pipeline_execution_summary_without_its_optional_members():
    """Every member of PipelineExecutionSummary is optional: a summary with only a start time is a
    RetrainExecution of empty strings (the notebook prints "?"), never a KeyError, and a full one
    keeps every member the retrain table shows."""
    model = botocore.session.get_session().get_service_model("codepipeline").shape_for("PipelineExecutionSummary")
    assert model.required_members == []
    bare = w.RetrainExecution.from_summary({"startTime": T0})
    assert (bare.execution_id, bare.status, bare.trigger, bare.trigger_detail, bare.mode) == ("", "", "", "", "")
    full = w.RetrainExecution.from_summary({
        "pipelineExecutionId": "e-1", "startTime": T0, "status": "InProgress", "executionMode": "SUPERSEDED",
        "trigger": {"triggerType": "CloudWatchEvent", "triggerDetail": "arn:aws:events:us-east-1:1:rule/r"}})
    assert (full.execution_id, full.status, full.trigger, full.mode) == ("e-1", "InProgress", "CloudWatchEvent", "SUPERSEDED")

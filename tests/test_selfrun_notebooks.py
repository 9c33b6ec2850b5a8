"""Notebooks 07 to 16 with backend="aws", monitoring="self" in the fake account of the AWS path.

The account is issue 13's (``fake_account``: moto, plus answers in botocore's shapes), laid out
like each variant of the original, with no reports of Model Monitor's: notebook 07 deploys the
self-run schedule for the production endpoint (EventBridge Scheduler, both roles, the code in
S3) and 08 reads its cron. Then the schedule fires twice as the Scheduler would (its own
CreateProcessingJob request, context attributes filled in) and each job's container runs here
with the job's environment: the hour before the account's traffic (no data) and the hour of it.
Steps 09 to 16 then read those jobs, their reports and metrics, and finish, or stop with the
sentence the AWS path documents where the fake account cannot answer (``test_fake_account.STOPS``:
moto writes no capture of new traffic; a paid retrain asks first): the files and metrics are
Model Monitor's, so the stops are the same.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fake_account import LAYOUTS, T0, fake_environment, lay_out
from moto import mock_aws
from test_fake_account import not_as_documented, run_in_order, run_in_process

from helpers import session
from helpers.cli import main
from helpers.formats.layout import REPORT_FILES
from helpers.runner import NOTEBOOKS
from helpers.workshop.selfrun import scheduler_request, selfrun_schedule

SCHEDULE = "mlops-nyctaxi-pms"


def _report_folder(layout) -> tuple[str, str]:
    bucket, _, key = f"{layout.reports_uri}/{layout.endpoint}/{SCHEDULE}/2021/06/07/10/"[5:].partition("/")
    return bucket, key


def _take_model_monitors_report(layout, sess) -> dict[str, bytes]:
    """The account's Model Monitor report of the hour, removed (a self-run account has none); its bytes."""
    s3 = sess.client("s3")
    bucket, key = _report_folder(layout)
    files = {}
    for name in REPORT_FILES:
        files[name] = s3.get_object(Bucket=bucket, Key=key + name)["Body"].read()
        s3.delete_object(Bucket=bucket, Key=key + name)
    return files


def fire(sess, answers, scheduled, execution_id: str, tmp_path, monkeypatch) -> tuple[int, str]:
    """The schedule fires at ``scheduled``: the Scheduler's request, then the job's container here."""
    request = scheduler_request(selfrun_schedule(sess).raw, scheduled, execution_id)
    sess.client("sagemaker").create_processing_job(**request)
    message = tmp_path / f"message-{execution_id}"
    with monkeypatch.context() as env:
        for key, value in request["Environment"].items():
            env.setenv(key, value)
        env.setenv("MESSAGE_FILE", str(message))
        code = main(["selfrun"])
    answers.jobs.finished(request["ProcessingJobName"], code, message.read_text())
    return code, message.read_text()


def notebooks_from(first: str) -> list:
    return [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]*.py")) if first <= p.stem < "99"]


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_steps_7_to_16_run_on_the_self_run_schedule(variant, tmp_path, monkeypatch):
    layout = LAYOUTS[variant]
    with mock_aws():
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.chdir(tmp_path)
        answers = fake_environment(monkeypatch, tmp_path)
        lay_out(layout, answers, tmp_path)
        sess = session("aws", monitoring="self")
        analyzer_report = _take_model_monitors_report(layout, sess)
        parameters = {"backend": "aws", "monitoring": "self"}
        seven = run_in_process(NOTEBOOKS / "07_monitoring_schedule.py", parameters, tmp_path)
        eight = run_in_process(NOTEBOOKS / "08_schedule_cron.py", parameters, tmp_path)
        assert (seven["schedule"].cron, seven["schedule"].endpoint) == ("cron(0 * * * ? *)", layout.endpoint)
        assert seven["schedule"].statistics_uri == f"{layout.baseline_uri}/statistics.json"
        assert seven["schedule"].reports_uri == layout.reports_uri
        assert eight["schedule"].status == "ENABLED"

        info = selfrun_schedule(sess)
        assert info.environment["CAPTURE_S3_URI"] == layout.capture_uri
        role = sess.client("iam").get_role_policy(RoleName="mlops-nyctaxi-pms-selfrun-job", PolicyName="selfrun-job")
        sids = {s["Sid"] for s in role["PolicyDocument"]["Statement"]}
        assert ("DecryptCapture" in sids) == (variant == "studio")  # the studio variant's capture has a key

        assert fire(sess, answers, T0 - timedelta(hours=1), "0a1b2c3d4e5f6a7b", tmp_path, monkeypatch) == (
            3, "Job inputs had no data")  # the hour before the account's traffic
        code, message = fire(sess, answers, T0, "d32c5kddcf5bb8c3", tmp_path, monkeypatch)
        assert code == 0 and message.startswith("CompletedWithViolations: Job completed successfully with ")
        bucket, key = _report_folder(layout)
        for name in REPORT_FILES:  # the job's report is the analyzer's own run of the same capture
            assert sess.client("s3").get_object(Bucket=bucket, Key=key + name)["Body"].read() == analyzer_report[name]

        outcomes, spaces = run_in_order(notebooks_from("09"), parameters, tmp_path)
        assert set(outcomes) >= {"09_wait_for_execution", "13_visualize_violations", "16_cloudwatch_dashboard"}
        wrong = not_as_documented(outcomes)
        assert not wrong, f"{variant}: {wrong}"

        nine = spaces["09_wait_for_execution"]
        assert [(e.scheduled, e.status, e.failure_reason) for e in nine["recent"]] == [
            (T0, "CompletedWithViolations", None), (T0 - timedelta(hours=1), "Failed", "Job inputs had no data")]
        assert nine["execution"].processing_job == "mlops-nyctaxi-pms-d32c5kddcf5bb8c3"
        ten = spaces["10_latest_execution_results"]
        assert ten["uri"] == f"s3://{bucket}/{key}".rstrip("/")
        assert (ten["job"].environment["SCHEDULED_TIME"], ten["job"].exit_message) == ("2021-06-07T10:00:00Z", message)
        eleven = spaces["11_download_reports"]
        assert sorted(p.name for p in eleven["paths"]) == sorted(REPORT_FILES)
        assert "violations" in json.loads((eleven["folder"] / "constraint_violations.json").read_text())

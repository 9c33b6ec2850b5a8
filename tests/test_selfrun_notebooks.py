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
from contextlib import contextmanager
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


@contextmanager
def self_run_account(layout, tmp_path, monkeypatch):
    """The fake account of ``layout`` (moto running), and a monitoring="self" session on it."""
    with mock_aws():
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.chdir(tmp_path)
        answers = fake_environment(monkeypatch, tmp_path)
        lay_out(layout, answers, tmp_path)
        yield answers, session("aws", monitoring="self")


def notebooks_from(first: str) -> list:
    return [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]*.py")) if first <= p.stem < "99"]


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_steps_7_to_16_run_on_the_self_run_schedule(variant, tmp_path, monkeypatch):
    layout = LAYOUTS[variant]
    with self_run_account(layout, tmp_path, monkeypatch) as (answers, sess):
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


class Endpoint:
    """The production endpoint where moto has none that predicts: InvokeEndpoint answered with a
    least-squares fit of the trips (one prediction per CSV line, as the XGBoost container answers
    a batch), each request captured as the endpoint's data capture writes it: one JSON line per
    invocation in the capture hour of the real time (the AWS path's clock is the real one)."""

    def __init__(self, layout, sess):
        import numpy as np

        from helpers.datasets import nyc_taxi_trips

        trips = nyc_taxi_trips(3000, seed=1)  # the fake account's data (fake_account._data)
        design = np.c_[trips[["duration_minutes", "passenger_count", "trip_distance"]].to_numpy(float), np.ones(len(trips))]
        self.coef = np.linalg.lstsq(design, trips["total_amount"].to_numpy(float), rcond=None)[0]
        self.layout, self.s3, self.hours, self.count = layout, sess.client("s3"), set(), 0

    def __call__(self, params: dict) -> dict:
        import io
        from datetime import datetime, timezone

        from helpers.capture import CaptureRecord

        body = params["Body"].decode() if isinstance(params["Body"], bytes) else params["Body"]
        answer = "\n".join(repr(float(sum(c * float(v) for c, v in zip(self.coef[:-1], line.split(","), strict=True)) + self.coef[-1]))
                           for line in body.splitlines()) + "\n"
        now = datetime.now(timezone.utc)
        self.count += 1
        record = CaptureRecord.create(body, answer, event_id=f"typed-{self.count}", inference_time=now)
        hour = now.replace(minute=0, second=0, microsecond=0)
        self.hours.add(hour)
        key = (f"{self.layout.capture_uri}/{self.layout.endpoint}/{self.layout.variant_name}/{hour:%Y/%m/%d/%H}/"
               f"{now:%M-%S-%f}-{self.count:08d}.jsonl")[5:]
        bucket, _, key = key.partition("/")
        self.s3.put_object(Bucket=bucket, Key=key, Body=(record.to_line() + "\n").encode())
        return {"Body": io.BytesIO(answer.encode()), "ContentType": "text/csv; charset=utf-8"}


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_13b_points_the_self_run_schedule_at_the_new_baseline(variant, tmp_path, monkeypatch):
    """13b with monitoring="self" and confirm_update=True: a baseline of predictions made by the
    package's analyzer, the job role allowed to read it and the schedule updated with it
    (UpdateSchedule, the rest of the definition as it was), then an hour of typed traffic whose
    self-run job, fired as the Scheduler would while the notebook waits, is Completed with no
    violations against the new baseline."""
    import types

    from helpers.workshop import schedule as schedule_module

    layout = LAYOUTS[variant]
    with self_run_account(layout, tmp_path, monkeypatch) as (answers, sess):
        parameters = {"backend": "aws", "monitoring": "self"}
        run_in_process(NOTEBOOKS / "07_monitoring_schedule.py", parameters, tmp_path)
        before = selfrun_schedule(sess).raw
        endpoint = Endpoint(layout, sess)
        answers.add("InvokeEndpoint", endpoint)
        fired: list = []

        def scheduler_fires(seconds):  # the notebook waits: the Scheduler fires for each hour of traffic
            for hour in sorted(endpoint.hours - {h for h, _ in fired}):
                fired.append((hour, fire(sess, answers, hour + timedelta(hours=1), f"13b{len(fired):013d}",
                                         tmp_path, monkeypatch)))

        monkeypatch.setattr(schedule_module, "time", types.SimpleNamespace(sleep=scheduler_fires, monotonic=lambda: 0.0))
        fix = run_in_process(NOTEBOOKS / "13b_fix_the_baseline.py", dict(parameters, confirm_update=True), tmp_path)

        new_statistics, new_constraints = f"{fix['finished'].output_uri}/statistics.json", fix["constraints_uri"]
        # the predictions go to the bucket the deployment has (the Studio variant's project bucket;
        # SageMaker's default bucket, which that variant never creates, is not made either)
        assert fix["dataset_uri"].startswith(f"s3://{layout.bucket}/") and new_constraints.startswith(f"s3://{layout.bucket}/")
        buckets = {b["Name"] for b in sess.client("s3").list_buckets()["Buckets"]}
        assert (sess.default_bucket in buckets) == (variant == "earlier"), buckets
        after = selfrun_schedule(sess)
        assert (after.environment["BASELINE_STATISTICS_S3_URI"], after.environment["BASELINE_CONSTRAINTS_S3_URI"]) == (
            new_statistics, new_constraints)
        assert new_constraints != f"{layout.baseline_uri}/constraints.json"
        old_job = json.loads(before["Target"]["Input"])
        old_job["Environment"].update(BASELINE_STATISTICS_S3_URI=new_statistics, BASELINE_CONSTRAINTS_S3_URI=new_constraints)
        assert after.job == old_job  # only the baseline changed in the job the schedule starts
        for member in ("ScheduleExpression", "FlexibleTimeWindow", "State", "Description"):
            assert after.raw.get(member) == before.get(member), member
        assert {k: v for k, v in after.raw["Target"].items() if k != "Input"} == {
            k: v for k, v in before["Target"].items() if k != "Input"}

        policy = sess.client("iam").get_role_policy(RoleName="mlops-nyctaxi-pms-selfrun-job", PolicyName="selfrun-job")
        read = next(s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "ReadCaptureBaselineCodeAndReports")
        arn = lambda uri: f"arn:aws:s3:::{uri[5:]}"  # noqa: E731
        assert {arn(new_statistics), arn(new_constraints)} <= set(read["Resource"])
        assert not {arn(f"{layout.baseline_uri}/statistics.json"), arn(f"{layout.baseline_uri}/constraints.json")} & set(read["Resource"])

        execution, violations = fix["execution"], fix["violations"]
        assert execution.scheduled == fix["sent_at"].replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        assert (execution.status, violations.violations) == ("Completed", [])
        job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=execution.processing_job)
        assert job["Environment"]["BASELINE_CONSTRAINTS_S3_URI"] == new_constraints  # the hour ran on the new baseline
        assert job["ExitMessage"] == "Completed: Job completed successfully with no violations."
        assert fix["check"].feature("duration_minutes").completeness == 0.99

        # the same hour against the old baseline (training data, the label first) is not clean:
        # the clean report is the new baseline's doing
        from helpers.analyzer.monitor import run_monitor
        from helpers.formats import Constraints, Statistics

        s3 = sess.client("s3")
        hour = f"{layout.capture_uri}/{layout.endpoint}/{layout.variant_name}/{fix['sent_at']:%Y/%m/%d/%H}/"[5:]
        bucket, _, prefix = hour.partition("/")
        files = []
        for i, item in enumerate(s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]):
            files.append(tmp_path / f"hour-{i}.jsonl")
            files[-1].write_bytes(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        old = {name: s3.get_object(Bucket=layout.bucket, Key=f"{layout.baseline_uri}/{name}"[len(f"s3://{layout.bucket}/"):])
               ["Body"].read().decode() for name in ("statistics.json", "constraints.json")}
        against_old = run_monitor(Statistics.from_string(old["statistics.json"]), Constraints.from_string(old["constraints.json"]),
                                  capture=files)
        assert against_old.violations.violations


def without_model_monitor(answers) -> None:
    """The account has no Model Monitor schedule (the service never ran here)."""
    answers.add("ListMonitoringSchedules", lambda params: {"MonitoringScheduleSummaries": []})
    answers.add("DescribeMonitoringSchedule", lambda params: {"Error": {
        "Code": "ResourceNotFound", "Message": f"Monitoring Schedule {params['MonitoringScheduleName']} not found"}})


def test_07_on_a_studio_account_with_no_model_monitor_shows_the_scheduler_schedule(tmp_path, monkeypatch, capsys):
    """The Studio variant where Model Monitor never ran: no schedule of its own to read the reports
    location from, and no SageMaker default bucket. Step 7 deploys the self-run schedule with its
    reports in the project's bucket, prints the Scheduler's template (not Model Monitor's), and its
    console links do not send the learner to the endpoint's Monitoring tab, which lists Model
    Monitor's schedules only."""
    layout = LAYOUTS["studio"]
    with self_run_account(layout, tmp_path, monkeypatch) as (answers, _):
        without_model_monitor(answers)
        capsys.readouterr()
        seven = run_in_process(NOTEBOOKS / "07_monitoring_schedule.py", {"backend": "aws", "monitoring": "self"}, tmp_path)
        shown = capsys.readouterr().out
        sess = seven["sess"]
        buckets = {b["Name"] for b in sess.client("s3").list_buckets()["Buckets"]}
    assert seven["schedule"].reports_uri == f"s3://{layout.bucket}/nyctaxi/monitoring/reports"
    assert buckets == {layout.bucket}  # SageMaker's default bucket was neither needed nor made
    assert '"Arn": "arn:aws:scheduler:::aws-sdk:sagemaker:createProcessingJob"' in shown
    assert "sagemaker-model-monitor-analyzer" not in shown and "MonitoringScheduleConfig" not in shown
    assert f"(at most {seven['schedule'].max_runtime_seconds} s a run)" in shown
    assert "Monitoring tab" not in shown
    assert f"/scheduler/home?region={sess.region}#schedules/default/{SCHEDULE}" in shown


def test_09_says_how_the_self_run_jobs_are_named_and_listed():
    """09's markdown for monitoring="self" names the call selfrun_jobs makes and the job name the
    schedule's target gives (the slow test above checks a real job's name has that form)."""
    import inspect

    import jupytext

    from helpers.workshop import selfrun

    text = "\n".join(c.source for c in jupytext.read(NOTEBOOKS / "09_wait_for_execution.py").cells if c.cell_type == "markdown")
    assert "`<schedule>-<execution id>`" in text and "list_processing_jobs(NameContains=<schedule>" in text
    assert 'list_processing_jobs(NameContains=info.job_name_prefix, SortBy="CreationTime"' in inspect.getsource(selfrun._jobs)
    assert "<aws.scheduler.execution-id>" in text


def test_99_lists_the_self_run_schedule_and_deletes_it(tmp_path, monkeypatch, capsys):
    """The self-run schedule starts a paid processing job every hour, and no stack owns it (step 7
    made it with boto3): 99 shows it with its price and, with delete_monitoring=True, deletes it
    before the endpoint it watches (else each hour's job would start, bill and find no data)."""
    from helpers.workshop.cleanup import HOURLY_USD

    layout = LAYOUTS["earlier"]
    with self_run_account(layout, tmp_path, monkeypatch) as (answers, sess):
        without_model_monitor(answers)
        run_in_process(NOTEBOOKS / "07_monitoring_schedule.py", {"backend": "aws", "monitoring": "self"}, tmp_path)
        capsys.readouterr()
        shown = run_in_process(NOTEBOOKS / "99_cleanup.py", {"backend": "aws", "delete_monitoring": True}, tmp_path)
        printed = capsys.readouterr().out
        row = shown["running"].set_index("kind").loc["self-run schedule"]
        assert (row["name"], row["usd_per_hour"], row["stack"]) == (SCHEDULE, HOURLY_USD["ml.m5.xlarge"], "")
        assert row["detail"] == "1 processing job an hour (ml.m5.xlarge), billed per second of each run; ENABLED"
        assert SCHEDULE in printed.split("deleted, owned by no stack:")[1]
        assert not sess.client("scheduler").list_schedules()["Schedules"]


def test_00_with_monitoring_self_checks_the_self_run_schedule_not_model_monitor(tmp_path, monkeypatch):
    """A learner whose account never had Model Monitor sets monitoring="self" in 00 too: the
    pre-flight checks the self-run path's permissions (the Scheduler's, not UpdateMonitoringSchedule)
    and reports the missing Model Monitor schedule as expected, so every row is ok."""
    layout = LAYOUTS["studio"]
    with self_run_account(layout, tmp_path, monkeypatch) as (answers, _):
        without_model_monitor(answers)
        zero = run_in_process(NOTEBOOKS / "00_setup.py", {"backend": "aws", "monitoring": "self"}, tmp_path)
        assert zero["sess"].workshop_bucket == layout.bucket  # the bucket 00 prints: the project's, not the default
        table = workshop_preflight(zero["sess"]).set_index("check")
        history = zero["workshop"].estate_history(zero["sess"]).explain()
    assert history.endswith("The self-run schedule is not deployed yet: step 07 deploys it, and it runs from the next full hour.")
    assert table["ok"].all(), table[~table["ok"]]
    assert table.loc["monitoring schedule", "result"].startswith("none (not needed")
    assert table.loc["self-run schedule", "result"] == f"{SCHEDULE} not deployed yet: step 07 deploys it"
    assert "Model Monitor availability" not in table.index
    assert any(c.startswith("permission scheduler:UpdateSchedule") for c in table.index)
    assert not any("UpdateMonitoringSchedule" in c for c in table.index)


def workshop_preflight(sess):
    from helpers.workshop import preflight

    return preflight(sess)

"""The twin end to end: the 2021 scenario, the retrain loop, errors, and its workspace."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import botocore
import pytest

from helpers import session
from helpers import workshop as w
from helpers.aws import WorkshopAwsError
from helpers.formats import ConstraintViolations
from helpers.twin.estate import Twin
from helpers.twin.store import Workspace, WorkspaceError

REPO = Path(__file__).resolve().parents[1]


def test_the_2021_scenario(built_twin):
    sess = session("local", workspace=built_twin)
    executions = sess.client("sagemaker").list_monitoring_executions(
        MonitoringScheduleName="mlops-nyctaxi-pms", SortBy="ScheduledTime", SortOrder="Ascending")["MonitoringExecutionSummaries"]
    assert [e["MonitoringExecutionStatus"] for e in executions] == ["Failed", "CompletedWithViolations", "CompletedWithViolations"]
    assert executions[0]["FailureReason"] == "Job inputs had no data"
    latest = w.latest_execution(sess)
    assert latest.status == "CompletedWithViolations"
    assert latest.processing_job.startswith(f"model-monitoring-{latest.scheduled:%Y%m%d%H%M}-")
    violations = w.load_violations(sess, w.report_uri(sess, latest) + "/constraint_violations.json")
    found = {(v.feature_name, v.constraint_check_type): v for v in violations.violations}
    assert "Expected data type: Integral" in found[("passenger_count", "data_type_check")].description
    drift = found[("total_amount", "baseline_drift_check")].description
    distance = float(drift.split("distance: ")[1].split(" exceeds")[0])
    assert 0.10 <= distance <= 0.20  # the real run saw 0.138
    assert w.alarm_state(sess)["StateValue"] != "ALARM"  # 0.2 is not crossed by itself


def test_names_and_layout_follow_the_workshop(built_twin):
    sess = session("local", workspace=built_twin)
    names = w.job_names(sess, w.pipeline_execution_id(sess))
    assert names.endpoint == f"mlops-nyctaxi-prd-{names.execution_id}"
    assert w.baseline_job(sess, names.baseline_job).status == "Completed"
    endpoint = sess.client("sagemaker").describe_endpoint(EndpointName=names.endpoint)
    assert endpoint["ProductionVariants"][0]["VariantName"] == "prd-mlops-nyctaxi"
    assert endpoint["DataCaptureConfig"]["CurrentSamplingPercentage"] == 100
    files = w.capture_files(sess, names.endpoint)
    key = files[0].uri.split(f"{sess.default_bucket}/")[1]
    parts = key.split("/")
    assert parts[:4] == ["nyctaxi", "datacapture", names.endpoint, "prd-mlops-nyctaxi"] and len(parts) == 9
    record = w.first_capture_record(sess, files[0].uri)
    assert record.capture_data.endpoint_input.data.count(",") == 2
    schedule = w.monitoring_schedule(sess)
    assert (schedule.cron, schedule.instance_type, schedule.max_runtime_seconds) == ("cron(0 * ? * * *)", "ml.m5.xlarge", 1800)


def test_endpoint_metrics_come_from_the_invocations(built_twin):
    sess = session("local", workspace=built_twin)
    endpoint = w.job_names(sess, w.pipeline_execution_id(sess)).endpoint
    end = sess.now()
    dims = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "prd-mlops-nyctaxi"}]
    stats = sess.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="Invocations", Dimensions=dims, StartTime=end - timedelta(hours=4),
        EndTime=end, Period=3600, Statistics=["Sum"])["Datapoints"]
    captured = sum(len(Path(f).read_text().splitlines()) for f in (built_twin / "s3").rglob("*.jsonl"))
    assert sum(p["Sum"] for p in stats) == captured > 200
    latency = sess.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="ModelLatency", Dimensions=dims, StartTime=end - timedelta(hours=4),
        EndTime=end, Period=3600, Statistics=["Average"])["Datapoints"]
    assert all(p["Average"] > 0 for p in latency)


def test_alarm_retrain_waits_for_approval_then_production_changes(twin_copy):
    sess = session("local", workspace=twin_copy.ws.root)
    old_id = w.pipeline_execution_id(sess)
    old_endpoint = w.job_names(sess, old_id).endpoint
    before = sess.now()
    w.publish_drift_metric(sess, 0.25, old_endpoint)
    assert w.alarm_state(sess)["StateValue"] != "ALARM"  # CloudWatch evaluates at the end of the minute
    alarm = w.wait_for_alarm(sess, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 datapoint [0.25 (")
    assert [(h.old, h.new) for h in w.alarm_history(sess)][-1] == ("INSUFFICIENT_DATA", "ALARM")
    started = w.pipeline_executions_since(sess, before)
    assert len(started) == 1 and started[0]["trigger"]["triggerType"] == "CloudWatchEvent"
    retrain = started[0]["pipelineExecutionId"]
    approval = w.wait_for_approval(sess, retrain)
    assert (approval.stage, approval.action, approval.status) == ("DeployDev", "ApproveDeploy", "InProgress")
    twin_copy.run_hours(2)  # nobody approves: it waits, production stays
    assert w.pipeline_approval(sess).token == approval.token and w.pipeline_execution_id(sess) == old_id
    cp = sess.client("codepipeline")
    with pytest.raises(cp.exceptions.InvalidApprovalTokenException):
        cp.put_approval_result(pipelineName="mlops-nyctaxi", stageName="DeployDev", actionName="ApproveDeploy",
                               result={"summary": "x", "status": "Approved"}, token="not-the-token")
    assert w.approve(sess, approval, "looks good") == sess.now()
    with pytest.raises(WorkshopAwsError, match="ApprovalAlreadyCompletedException"):
        w.approve(sess, approval, "again")
    assert w.wait_for_pipeline_execution(sess, retrain) == "Succeeded"
    assert w.pipeline_execution_id(sess) == retrain
    decided = w.pipeline_approval(sess)
    assert (decided.status, decided.token, decided.summary) == ("Succeeded", None, "looks good")
    new_endpoint = w.job_names(sess, retrain).endpoint
    assert sess.client("sagemaker").describe_endpoint(EndpointName=new_endpoint)["EndpointStatus"] == "InService"
    with pytest.raises(botocore.exceptions.ClientError, match="Could not find endpoint"):
        sess.client("sagemaker").describe_endpoint(EndpointName=old_endpoint)
    assert w.monitoring_schedule(sess).endpoint == new_endpoint
    assert {"Name": "Endpoint", "Value": new_endpoint} in w.alarm_state(sess)["Dimensions"]
    twin_copy.run_hours(1)  # the client keeps sending: the new endpoint's first hour is monitored
    newest = w.monitoring_executions(sess)[0]
    assert newest.raw["EndpointName"] == new_endpoint and newest.status in ("Completed", "CompletedWithViolations")



def test_every_change_to_alarm_is_paired_with_the_retrain_it_started(twin_copy):
    """Two changes to ALARM (the alarm falls back to INSUFFICIENT_DATA between them, as in the
    workshop: 13c's hour, then 14) start two executions; the newer supersedes the older. A change
    while the rule is disabled starts none, and says so instead of being left out."""
    sess = session("local", workspace=twin_copy.ws.root)
    endpoint = w.job_names(sess, w.pipeline_execution_id(sess)).endpoint
    for value in (0.25, 0.3):
        w.publish_drift_metric(sess, value, endpoint)
        w.wait_for_alarm(sess, "ALARM")
        twin_copy.advance(sess.now() + timedelta(minutes=3))  # one 60-second period later: no data again
    pairs = w.alarm_retrains(sess)
    assert len(pairs) == 2 and [len(p.executions) for p in pairs] == [1, 1] and not any(p.reason for p in pairs)
    first, second = (p.executions[0] for p in pairs)
    assert first.execution_id != second.execution_id and first.trigger == second.trigger == "CloudWatchEvent"
    assert (first.status, second.status) == ("Superseded", "InProgress")
    assert all(p.executions[0].started >= p.change.when for p in pairs)
    events = sess.client("events")
    rule = events.describe_rule(Name=sess.names.retrain_rule)
    events.put_rule(Name=rule["Name"], EventPattern=rule["EventPattern"], State="DISABLED")
    w.publish_drift_metric(sess, 0.35, endpoint)
    w.wait_for_alarm(sess, "ALARM")
    pairs = w.alarm_retrains(sess)
    assert len(pairs) == 3 and pairs[-1].executions == () and "was not deployed or not enabled" in pairs[-1].reason
    assert pairs[1].executions[0].status == "InProgress"  # nothing started, nothing superseded

def test_measured_drift_and_a_test_value_are_told_apart(twin_copy):
    """Model Monitor's datapoints each belong to the run that published them; a value published by
    hand (step 14's) belongs to none, and the alarm's change to ALARM names it as the cause."""
    sess = session("local", workspace=twin_copy.ws.root)
    endpoint = w.production_names(sess).endpoint
    before = w.drift_points(sess)
    assert before and all(p.measured and p.endpoint == endpoint for p in before)
    assert all(p.run.scheduled <= p.when <= p.run.raw["LastModifiedTime"] for p in before)
    datum = w.publish_drift_metric(sess, 0.25, endpoint)
    w.wait_for_alarm(sess, "ALARM")
    after = w.drift_points(sess)
    hand = [p for p in after if not p.measured]
    assert [(p.value, p.when) for p in hand] == [(0.25, datum["Timestamp"].replace(second=0, microsecond=0))]
    cause = w.alarm_causes(sess)[-1]
    assert cause.point == hand[0] and cause.explain().startswith("a value of 0.25 published by hand with put_metric_data")


def test_processing_jobs_and_schedule_updates(twin_copy):
    """CreateProcessingJob runs the analyzer as a job (InProgress, then Completed with outputs);
    UpdateMonitoringSchedule points the next execution at its files. Shapes from botocore."""
    from botocore.validate import ParamValidator

    from helpers.twin.processing import baseline_request

    sess = session("local", workspace=twin_copy.ws.root)
    sm = sess.client("sagemaker")
    names = w.production_names(sess)
    dataset = w.baseline_job(sess, names.baseline_job).dataset_uri
    out = f"s3://{sess.default_bucket}/mine/output"
    request = {k: v for k, v in baseline_request(twin_copy.core, "my-baseline", dataset, out).items()}
    created = sm.create_processing_job(**request)
    assert created["ProcessingJobArn"].endswith(":processing-job/my-baseline")
    assert sm.describe_processing_job(ProcessingJobName="my-baseline")["ProcessingJobStatus"] == "InProgress"
    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_processing_job(**request)
    with pytest.raises(botocore.exceptions.ClientError, match="runs only the Model Monitor analyzer image"):
        sm.create_processing_job(**{**request, "ProcessingJobName": "x", "AppSpecification": {"ImageUri": "my/image:1"}})
    job = w.wait_for_processing_job(sess, "my-baseline")
    assert (job.status, job.output_uri) == ("Completed", out)
    assert w.load_constraints(sess, out + "/constraints.json").feature("passenger_count").inferred_type == "Integral"
    missing = sm.create_processing_job(**{**request, "ProcessingJobName": "no-data", "ProcessingInputs": [
        {**request["ProcessingInputs"][0], "S3Input": {**request["ProcessingInputs"][0]["S3Input"], "S3Uri": out + "/nothing"}}]})
    assert missing and w.wait_for_processing_job(sess, "no-data").failure_reason.startswith("ClientError: no objects under")
    arn = w.use_baseline(sess, out + "/statistics.json", out + "/constraints.json")
    assert arn == sm.describe_monitoring_schedule(MonitoringScheduleName=names.schedule)["MonitoringScheduleArn"]
    assert w.monitoring_schedule(sess).constraints_uri == out + "/constraints.json"
    for method, response in (("describe_processing_job", sm.describe_processing_job(ProcessingJobName="no-data")),
                             ("create_processing_job", created)):
        response.pop("ResponseMetadata", None)
        operation = sm.meta.service_model.operation_model(sm.meta.method_to_api_mapping[method])
        assert not ParamValidator().validate(response, operation.output_shape).has_errors()


def test_dashboard_search_and_math_follow_production(twin_copy):
    sess = session("local", workspace=twin_copy.ws.root)
    board = w.create_dashboard(sess, w.production_names(sess).endpoint)
    panels, alarms = w.dashboard_panels(sess, board["DashboardBody"], hours=4)
    assert set(panels) == {"Requests per hour", "Errors per hour (4XX and 5XX)", "Model and overhead latency (milliseconds)",
                           "CPU, memory and disk (%)", "Baseline drift of total_amount"}
    assert all(any(len(frame) for _, frame in lines) for lines in panels.values())
    assert list(alarms.values()) == [w.alarm_state(sess)["StateValue"]]
    cw = sess.client("cloudwatch")
    end = sess.now()
    search = ("SEARCH('{AWS/SageMaker,EndpointName,VariantName} MetricName=\"ModelLatency\" "
              "VariantName=\"prd-mlops-nyctaxi\"', 'Average', 3600)")
    answer = cw.get_metric_data(MetricDataQueries=[
        {"Id": "us", "Expression": search, "ReturnData": False},
        {"Id": "ms", "Expression": "us / 1000", "Label": "ms"},
        {"Id": "most", "Expression": "MAX(us)"}], StartTime=end - timedelta(hours=4), EndTime=end,
        ScanBy="TimestampAscending")["MetricDataResults"]
    ms, most = answer
    stats = cw.get_metric_statistics(Namespace="AWS/SageMaker", MetricName="ModelLatency", StartTime=end - timedelta(hours=4),
                                     EndTime=end, Period=3600, Statistics=["Average"], Dimensions=[
                                         {"Name": "EndpointName", "Value": w.production_names(sess).endpoint},
                                         {"Name": "VariantName", "Value": "prd-mlops-nyctaxi"}])["Datapoints"]
    assert ms["Values"] == pytest.approx([p["Average"] / 1000 for p in sorted(stats, key=lambda p: p["Timestamp"])])
    assert most["Values"] == pytest.approx([p["Average"] for p in sorted(stats, key=lambda p: p["Timestamp"])])
    with pytest.raises(botocore.exceptions.ClientError, match="boolean operators are not supported"):
        cw.get_metric_data(MetricDataQueries=[{"Id": "x", "Expression": "SEARCH('{AWS/SageMaker,EndpointName} a OR b', 'Sum', 60)"}],
                           StartTime=end - timedelta(hours=1), EndTime=end)


def test_invoke_endpoint_predicts_and_captures(twin_copy):
    sess = session("local", workspace=twin_copy.ws.root)
    endpoint = w.job_names(sess, w.pipeline_execution_id(sess)).endpoint
    before = len(w.capture_files(sess, endpoint))
    answer = sess.client("sagemaker-runtime").invoke_endpoint(EndpointName=endpoint, ContentType="text/csv",
                                                              Body=b"10.65,1,2.56", InferenceId="check-1")
    prediction = float(answer["Body"].read())
    assert 5 < prediction < 30 and answer["InvokedProductionVariant"] == "prd-mlops-nyctaxi"
    files = w.capture_files(sess, endpoint)
    assert len(files) == before + 1
    record = w.first_capture_record(sess, files[-1].uri)
    assert record.event_metadata.inference_id == "check-1"
    with pytest.raises(botocore.exceptions.ClientError, match="ModelError"):
        sess.client("sagemaker-runtime").invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=b"a,b")


def test_errors_are_botocores(built_twin):
    sess = session("local", workspace=built_twin)
    sm, s3, cp, cw = (sess.client(n) for n in ("sagemaker", "s3", "codepipeline", "cloudwatch"))
    with pytest.raises(botocore.exceptions.ParamValidationError, match='Missing required parameter in input: "EndpointName"'):
        sm.describe_endpoint()
    with pytest.raises(botocore.exceptions.ParamValidationError, match="Invalid type for parameter Period"):
        cw.get_metric_statistics(Namespace="n", MetricName="m", StartTime=sess.now(), EndTime=sess.now(),
                                 Period="60", Statistics=["Average"])
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=sess.default_bucket, Key="missing")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.list_objects_v2(Bucket="no-such-bucket")
    with pytest.raises(cp.exceptions.PipelineNotFoundException, match="does not have a pipeline with name 'x'"):
        cp.get_pipeline_state(name="x")
    with pytest.raises(cw.exceptions.ResourceNotFound):
        cw.get_dashboard(DashboardName="nope")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_monitoring_schedule(MonitoringScheduleName="nope")
    with pytest.raises(botocore.exceptions.ClientError, match="ValidationException.*Could not find requested job"):
        sm.describe_processing_job(ProcessingJobName="nope")


def test_responses_match_botocore_output_shapes(built_twin):
    """Every answer validates against the service model's output shape (keys and types)."""
    from botocore.validate import ParamValidator

    sess = session("local", workspace=built_twin)
    eid = w.pipeline_execution_id(sess)
    names = w.job_names(sess, eid)
    calls = [
        ("codepipeline", "get_pipeline_state", {"name": "mlops-nyctaxi"}),
        ("codepipeline", "list_pipeline_executions", {"pipelineName": "mlops-nyctaxi"}),
        ("codepipeline", "get_pipeline_execution", {"pipelineName": "mlops-nyctaxi", "pipelineExecutionId": eid}),
        ("sagemaker", "describe_processing_job", {"ProcessingJobName": names.baseline_job}),
        ("sagemaker", "list_processing_jobs", {}),
        ("sagemaker", "describe_endpoint", {"EndpointName": names.endpoint}),
        ("sagemaker", "describe_endpoint_config", {"EndpointConfigName": names.endpoint}),
        ("sagemaker", "describe_monitoring_schedule", {"MonitoringScheduleName": names.schedule}),
        ("sagemaker", "list_monitoring_schedules", {}),
        ("sagemaker", "list_monitoring_executions", {"MonitoringScheduleName": names.schedule}),
        ("s3", "list_objects_v2", {"Bucket": sess.default_bucket, "Prefix": "nyctaxi/monitoring/"}),
        ("cloudwatch", "describe_alarms", {}),
        ("cloudwatch", "describe_alarm_history", {}),
        ("events", "list_rules", {}),
        ("events", "list_targets_by_rule", {"Rule": "mlops-nyctaxi-retrain-pipeline"}),
    ]
    for service, method, kwargs in calls:
        client = sess.client(service)
        response = getattr(client, method)(**kwargs)
        response.pop("ResponseMetadata")
        operation = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method])
        report = ParamValidator().validate(response, operation.output_shape)
        assert not report.has_errors(), f"{service}.{method}: {report.generate_report()}"


def test_paginators(built_twin):
    sess = session("local", workspace=built_twin)
    pages = list(sess.client("s3").get_paginator("list_objects_v2").paginate(
        Bucket=sess.default_bucket, Prefix="nyctaxi/datacapture/", PaginationConfig={"PageSize": 5}))
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    assert len(pages) > 2 and len(keys) == len(set(keys)) == sum(p["KeyCount"] for p in pages)
    execs = list(sess.client("sagemaker").get_paginator("list_monitoring_executions").paginate(
        MonitoringScheduleName="mlops-nyctaxi-pms", PaginationConfig={"PageSize": 1}))
    assert len(execs) == 3


def test_a_foreign_or_damaged_workspace_gets_a_way_out(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(WorkspaceError, match="is not a twin workspace.*twin reset"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="does not look like a twin workspace"):
        Workspace.reset(tmp_path)
    with pytest.raises(WorkspaceError, match="no twin at .*twin up"):
        Workspace.open(tmp_path / "empty")


def test_damaged_database(twin_copy):
    root = twin_copy.ws.root
    twin_copy.ws.db.close()
    for extra in ("-wal", "-shm"):
        Path(f"{root}/control-plane.sqlite{extra}").unlink(missing_ok=True)
    (root / "control-plane.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(WorkspaceError, match="damaged.*twin reset"):
        Workspace.open(root)


def _cli(root, *args, **kw):
    return subprocess.Popen([sys.executable, "-m", "helpers", "twin", "--workspace", str(root), *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _reports_whole(root: Path) -> None:
    for folder in (root / "s3").rglob("mlops-nyctaxi-pms"):
        for hour in folder.glob("*/*/*/*"):
            assert sorted(p.name for p in hour.iterdir()) == [
                "constraint_violations.json", "constraints.json", "statistics.json"], hour
            ConstraintViolations.from_file(hour / "constraint_violations.json")


@pytest.mark.slow
def test_killed_runs_leave_whole_reports_and_the_next_run_carries_on(twin_copy):
    root = twin_copy.ws.root
    for delay in (0.8, 1.6, 2.4):
        proc = _cli(root, "run", "--hours", "2")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _reports_whole(root)
    done = _cli(root, "run", "--hours", "1")
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    _reports_whole(root)
    twin = Twin.open(root)
    times = [e["ScheduledTime"] for e in twin.ws.resources("monitoring_execution")]
    assert len(times) == len(set(times))
    assert all(e["MonitoringExecutionStatus"] != "InProgress" for e in twin.ws.resources("monitoring_execution"))


@pytest.mark.slow
def test_two_processes_on_one_workspace(twin_copy):
    root = twin_copy.ws.root
    procs = [_cli(root, "run", "--hours", "1") for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    db = sqlite3.connect(root / "control-plane.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    twin = Twin.open(root)
    executions = twin.ws.resources("monitoring_execution")
    assert len({e["ScheduledTime"] for e in executions}) == len(executions) == 5
    _reports_whole(root)


def test_status_and_cli(built_twin):
    done = subprocess.run([sys.executable, "-m", "helpers", "twin", "--workspace", str(built_twin), "status"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    assert "mlops-nyctaxi-pms  cron(0 * ? * * *)  Scheduled" in done.stdout
    assert "Failed  (Job inputs had no data)" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "helpers", "twin", "--workspace", str(built_twin / "nope"), "status"],
                         cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 2 and "twin up" in bad.stderr


def test_twin_dashboard_round_trip(twin_copy):
    sess = session("local", workspace=twin_copy.ws.root)
    endpoint = w.job_names(sess, w.pipeline_execution_id(sess)).endpoint
    board = w.create_dashboard(sess, endpoint)
    body = json.loads(board["DashboardBody"])
    assert all("SEARCH(" in json.dumps(widget) for widget in body["widgets"] if widget["type"] == "metric")
    assert sess.client("cloudwatch").list_dashboards()["DashboardEntries"][0]["DashboardName"] == board["DashboardName"]
    with pytest.raises(botocore.exceptions.ClientError, match="InvalidParameterInput"):
        sess.client("cloudwatch").put_dashboard(DashboardName="x", DashboardBody="{not json")


def test_environment_selects_the_backend(built_twin, monkeypatch):
    monkeypatch.setenv("WORKSHOP_BACKEND", "local")
    monkeypatch.setenv("WORKSHOP_HOME", str(built_twin))
    sess = session()
    assert sess.backend == "local" and sess.default_bucket == "sagemaker-us-east-1-123456789012"
    with pytest.raises(ValueError, match="backend must be one of"):
        session("azure")
    assert os.environ["WORKSHOP_HOME"] == str(built_twin)


def test_the_sagemaker_sdk_attaches_to_the_twin(built_twin):
    sess = session("local", workspace=built_twin)
    monitor = w.sdk_model_monitor(sess)
    assert monitor.monitoring_schedule_name == "mlops-nyctaxi-pms"
    executions = monitor.list_executions()
    completed = [e for e in executions if e.describe()["ProcessingJobStatus"] == "Completed"]
    violations = completed[-1].constraint_violations().body_dict["violations"]
    assert {v["feature_name"] for v in violations} == {"passenger_count", "total_amount"}


def test_helpers_session_is_the_function(built_twin):
    import helpers
    import helpers.workshop  # noqa: F401 - importing the steps must not shadow it

    sess = helpers.session(backend="local", workspace=built_twin)
    assert sess.client("s3").meta.service_model.service_name == "s3"
    assert sess.region == "us-east-1" and sess.account_id == "123456789012"


def test_model_artifacts_in_json_or_pickle(built_twin):
    import io
    import pickle
    import tarfile

    from helpers.twin.model import Predictor

    sess = session("local", workspace=built_twin)
    key = f"nyctaxi/{w.pipeline_execution_id(sess)}/output/model.tar.gz"
    artifact = sess.client("s3").get_object(Bucket=sess.default_bucket, Key=key)["Body"].read()
    predictor = Predictor(artifact)
    expected = predictor.predict_csv("10.65,1,2.56")
    buffer = io.BytesIO()  # the same model, pickled as the XGBoost 1.0-1 container saved it
    raw = pickle.dumps(predictor.booster)
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    assert Predictor(buffer.getvalue()).predict_csv("10.65,1,2.56") == expected
    with pytest.raises(ValueError, match="Feature size mismatch: the model expects 3 features, the request has 2"):
        predictor.predict_csv("1,2")

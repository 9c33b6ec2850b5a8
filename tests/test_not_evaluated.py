"""A check the baseline cannot feed is reported as not evaluated, everywhere a run is read:
the CLI's summary, the execution's ExitMessage (DescribeProcessingJob), `twin status` and the
workshop runner's summary. Never skipped in silence."""

import json

from helpers.runner import summary


def _drop_completeness(twin) -> str:
    """Remove one feature's completeness from the schedule's baseline constraints; its name."""
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    uri = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["BaselineConfig"][
        "ConstraintsResource"]["S3Uri"]
    key = twin.core.key_of(uri)
    constraints = json.loads(twin.ws.get_object(twin.bucket, key))
    feature = next(f for f in constraints["features"] if "completeness" in f)
    del feature["completeness"]
    twin.ws.put_object(twin.bucket, key, json.dumps(constraints).encode())
    return feature["name"]


def test_a_check_not_evaluated_is_in_the_execution_record_the_status_and_the_summary(twin_copy):
    twin = twin_copy
    name = _drop_completeness(twin)
    twin.run_hours(1)
    latest = sorted(twin.ws.resources("monitoring_execution"), key=lambda e: e["ScheduledTime"])[-1]
    assert latest["MonitoringExecutionStatus"] in ("Completed", "CompletedWithViolations")
    job = twin.client("sagemaker").describe_processing_job(ProcessingJobName=latest["ProcessingJobName"])
    note = f"Not evaluated (1): completeness_check not evaluated for {name!r}: the baseline constraints give no completeness."
    assert job["ExitMessage"].startswith(latest["MonitoringExecutionStatus"] + ": Job completed successfully with ")
    assert job["ExitMessage"].endswith(" " + note)
    assert f"{latest['ScheduledTime']:%Y-%m-%d %H:%M}  {latest['MonitoringExecutionStatus']}  ({note})" in twin.status()
    twin.ws.db.close()
    assert f"  not evaluated         : {note}" in summary(twin.ws.root)


def test_every_check_evaluated_adds_nothing(built_twin):
    from helpers.twin.estate import Twin

    twin = Twin.open(built_twin)
    for execution in twin.ws.resources("monitoring_execution"):
        job = twin.ws.resource("processing_job", execution["ProcessingJobName"])
        assert "Not evaluated" not in job.get("ExitMessage", "")
    assert "Not evaluated" not in twin.status()

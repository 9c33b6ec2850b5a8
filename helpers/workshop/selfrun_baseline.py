"""Step 13b with monitoring="self": a new baseline, and the self-run schedule pointed at it.

The self-run job reads its baseline from the environment of the CreateProcessingJob request in
the EventBridge Scheduler schedule's target (BASELINE_STATISTICS_S3_URI and
BASELINE_CONSTRAINTS_S3_URI, see assets/selfrun-schedule.template.json), and its role may read
those two objects only. So pointing it at a new baseline is two calls: the job role's read
statement names the new objects (iam:PutRolePolicy), then ``scheduler.update_schedule`` sends
the schedule back with the new URIs. UpdateSchedule replaces the whole definition (what it is
not given, it drops), so the request carries every member of GetSchedule's answer that
UpdateSchedule's input shape has.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..aws import AnswerMissing, guarded
from ..backends import WorkshopSession
from ..monitoring.objects import split_s3_uri
from .baseline_fix import ProcessingJob

__all__ = ["READ_STATEMENT", "baseline_in_kernel", "point_selfrun_at_baseline"]

READ_STATEMENT = "ReadCaptureBaselineCodeAndReports"  # the job role's s3:GetObject statement (the template's Sid)
_BASELINE_ENV = ("BASELINE_STATISTICS_S3_URI", "BASELINE_CONSTRAINTS_S3_URI")


@guarded("profiling the baseline data set here (s3:GetObject, s3:PutObject)")
def baseline_in_kernel(sess: WorkshopSession, dataset_uri: str, output_uri: str) -> ProcessingJob:
    """The baseline job of the self-run path: this package's analyzer (``python -m helpers
    baseline``, the code the self-run job runs) over a CSV with a header, output column first,
    run where the notebook runs; statistics.json and constraints.json written under
    ``output_uri``. Returned as a finished job so step 13b reads both paths the same way."""
    from ..analyzer.baseline import run_baseline

    s3 = sess.client("s3")
    bucket, key = split_s3_uri(dataset_uri)
    out_bucket, out_prefix = split_s3_uri(output_uri.rstrip("/") + "/")
    with tempfile.TemporaryDirectory() as folder:
        dataset = Path(folder) / "dataset.csv"
        dataset.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        result = run_baseline(dataset, header=True)
        for path in result.write(Path(folder) / "output"):
            s3.put_object(Bucket=out_bucket, Key=out_prefix + path.name, Body=path.read_bytes())
    message = f"profiled {result.profile.item_count} rows in this kernel (no processing job)"
    if result.problems:
        message += f"; {len(result.problems)} rows could not be used"
    return ProcessingJob("", "Completed", message, None, output_uri.rstrip("/"), None)


@guarded("pointing the self-run schedule at a baseline (scheduler:GetSchedule, iam:PutRolePolicy, "
         "scheduler:UpdateSchedule)")
def point_selfrun_at_baseline(sess: WorkshopSession, statistics_uri: str, constraints_uri: str,
                              name: str | None = None) -> str:
    """Let the job role read the new baseline, then UpdateSchedule with it; the schedule's ARN.

    A schedule deployed with the CloudFormation template drifts from its stack after this:
    there, update the stack's BaselineStatisticsKey and BaselineConstraintsKey instead.
    """
    name = name or sess.names.schedule_name
    scheduler = sess.client("scheduler")
    current = scheduler.get_schedule(Name=name)
    request = _update_request(scheduler, current, name)
    job = _target_job(request, name)
    environment = job.get("Environment") or {}
    missing = [k for k in _BASELINE_ENV if k not in environment]
    if missing:
        raise AnswerMissing(f"the job in schedule {name}'s target has no {' or '.join(missing)} in its Environment, "
                            "so it was not made by helpers.workshop.deploy_selfrun or the self-run template: "
                            "deploy it again with workshop.deploy_selfrun(sess, SelfRunTarget(...)) naming the new baseline")
    old = [environment[k] for k in _BASELINE_ENV]
    _grant_baseline_read(sess, job.get("RoleArn", ""), name, old, [statistics_uri, constraints_uri])
    environment.update(zip(_BASELINE_ENV, (statistics_uri, constraints_uri), strict=True))
    job["Environment"] = environment
    request["Target"]["Input"] = json.dumps(job)
    return scheduler.update_schedule(**request)["ScheduleArn"]


def _update_request(scheduler, current: dict, name: str) -> dict:
    """UpdateSchedule's request from GetSchedule's answer: every member both shapes have.

    Every member of GetSchedule's answer is optional; the four UpdateSchedule requires are not,
    so one the answer leaves out cannot be sent back unchanged: that case stops with a sentence.
    """
    shape = scheduler.meta.service_model.operation_model("UpdateSchedule").input_shape
    request = {k: v for k, v in current.items() if k in shape.members and k != "ClientToken"}
    request["Name"] = name
    missing = [k for k in shape.required_members if k not in request]
    if missing:
        raise AnswerMissing(f"GetSchedule's answer for {name} leaves out {', '.join(missing)}, which UpdateSchedule "
                            "requires and would otherwise replace: open the schedule in the EventBridge Scheduler "
                            "console and change the baseline URIs in its target's input there")
    return request


def _target_job(request: dict, name: str) -> dict:
    text = request["Target"].get("Input")
    if not text:
        raise AnswerMissing(f"schedule {name}'s target has no Input (the CreateProcessingJob request): it is not a "
                            "self-run schedule; deploy one with workshop.deploy_selfrun")
    return json.loads(text)


def _object_arn(partition: str, uri: str) -> str:
    bucket, key = split_s3_uri(uri)
    return f"arn:{partition}:s3:::{bucket}/{key}"


@guarded("letting the self-run job read the new baseline (iam:ListRolePolicies, iam:GetRolePolicy, iam:PutRolePolicy)")
def _grant_baseline_read(sess: WorkshopSession, role_arn: str, schedule: str, old: list[str], new: list[str]) -> None:
    """The job role's read statement names the new baseline objects instead of the old ones."""
    if ":role/" not in role_arn:
        raise AnswerMissing(f"the job in schedule {schedule}'s target names no role ARN (RoleArn): deploy it again "
                            "with workshop.deploy_selfrun")
    partition, role = role_arn.split(":")[1], role_arn.rsplit("/", 1)[1]
    iam = sess.client("iam")
    for policy in iam.list_role_policies(RoleName=role).get("PolicyNames", []):
        document = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        statement = next((s for s in document.get("Statement", []) if s.get("Sid") == READ_STATEMENT), None)
        if statement is None:
            continue
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        dropped = {_object_arn(partition, u) for u in old}
        statement["Resource"] = [r for r in resources if r not in dropped] + [_object_arn(partition, u) for u in new]
        iam.put_role_policy(RoleName=role, PolicyName=policy, PolicyDocument=json.dumps(document))
        return
    raise AnswerMissing(f"no inline policy of role {role} has the statement {READ_STATEMENT} that the self-run "
                        f"template gives the job: let {role} read (s3:GetObject) {' and '.join(new)} yourself, then "
                        "run this step again")

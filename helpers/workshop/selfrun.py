"""Self-run monitoring on AWS: Model Monitor's hourly job where the account no longer has it.

``deploy_selfrun`` makes, with boto3, what assets/selfrun-schedule.template.json makes with
CloudFormation (the same file, resolved by ``helpers.cfn``): the job's role, the scheduler's role,
and an EventBridge Scheduler schedule whose universal target starts a SageMaker processing job
every hour on the prebuilt scikit-learn image. The job runs this package (uploaded to S3 and
given to the job as a ProcessingInput): ``python -m helpers selfrun``, the same hourly run as the
twin's schedule. Steps 7 to 11 read the schedule and its processing jobs with the functions below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..aws import answer, guarded, need
from ..backends import WorkshopSession
from ..cfn import resolve_template
from ..monitoring.objects import split_s3_uri

__all__ = ["SELFRUN_TEMPLATE", "SelfRunInfo", "SelfRunTarget", "deploy_selfrun", "ensure_selfrun", "execution_report_uri",
           "scheduler_request", "selfrun_definitions", "selfrun_executions", "selfrun_jobs", "selfrun_schedule",
           "selfrun_schedule_info", "upload_selfrun_package"]

SELFRUN_TEMPLATE = "selfrun-schedule.template.json"
PACKAGE = Path(__file__).resolve().parents[1]  # the helpers package the job runs
JOB_REQUIREMENTS = ("numpy", "pandas", "pyarrow", "numba", "xxhash", "boto3")
CONTEXT_ATTRIBUTES = ("<aws.scheduler.execution-id>", "<aws.scheduler.scheduled-time>",
                      "<aws.scheduler.schedule-arn>", "<aws.scheduler.attempt-number>")


@dataclass(frozen=True)
class SelfRunTarget:
    """What the hourly job monitors and where it writes (all in one bucket)."""

    endpoint: str
    variant: str
    capture_uri: str
    statistics_uri: str
    constraints_uri: str
    reports_uri: str

    def bucket(self) -> str:
        buckets = {split_s3_uri(u)[0] for u in (self.capture_uri, self.statistics_uri, self.constraints_uri,
                                                self.reports_uri)}
        if len(buckets) != 1:
            raise ValueError(f"capture, baseline and reports must be in one bucket for the self-run roles; "
                             f"they are in {sorted(buckets)}")
        return buckets.pop()

    def parameters(self) -> dict[str, str]:
        key = lambda uri: split_s3_uri(uri)[1].strip("/")  # noqa: E731
        return {"EndpointName": self.endpoint, "VariantName": self.variant, "Bucket": self.bucket(),
                "CapturePrefix": key(self.capture_uri), "BaselineStatisticsKey": key(self.statistics_uri),
                "BaselineConstraintsKey": key(self.constraints_uri), "ReportsPrefix": key(self.reports_uri)}


def selfrun_definitions(sess: WorkshopSession, target: SelfRunTarget, **parameters: str) -> dict:
    """The template's resources for this target, resolved for the session's region and account.

    ``parameters`` sets any other parameter of the template (ScheduleName, JobNamePrefix,
    MetricNamespace, MetricEndpointDimension, MetricScheduleDimension, PublishMetrics,
    InstanceType, ScheduleState, CaptureKmsKeyArn, PackagePrefix).
    """
    values = {"ScheduleName": sess.names.schedule_name, "JobNamePrefix": sess.names.schedule_name,
              **target.parameters(), **parameters}
    resolved = resolve_template(SELFRUN_TEMPLATE, values, region=sess.region, account_id=sess.account_id)
    return {name: resource.properties for name, resource in resolved.items()}


def job_requirements() -> str:
    """The analyzer's dependencies, with requirements.txt's ranges (what the job installs)."""
    lines = (PACKAGE.parent / "requirements.txt").read_text().splitlines()
    wanted = [line for line in lines if line.split(">")[0].split("<")[0].split("=")[0].strip() in JOB_REQUIREMENTS]
    return "\n".join(wanted) + "\n"


@guarded("uploading the self-run job's code (s3:PutObject)")
def upload_selfrun_package(sess: WorkshopSession, package_uri: str) -> list[str]:
    """The helpers package's Python files and the job's requirements, under ``package_uri``."""
    bucket, prefix = split_s3_uri(package_uri.rstrip("/") + "/")
    s3 = sess.client("s3")
    keys = []
    for path in sorted(PACKAGE.rglob("*.py")):
        key = f"{prefix}helpers/{path.relative_to(PACKAGE).as_posix()}"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
        keys.append(key)
    s3.put_object(Bucket=bucket, Key=f"{prefix}requirements-selfrun.txt", Body=job_requirements().encode())
    return keys + [f"{prefix}requirements-selfrun.txt"]


@guarded("deploying the self-run schedule (iam:CreateRole, iam:PutRolePolicy, scheduler:CreateSchedule)")
def deploy_selfrun(sess: WorkshopSession, target: SelfRunTarget, **parameters: str) -> dict:
    """Upload the job's code, create (or update) both roles and the schedule; the definitions."""
    definitions = selfrun_definitions(sess, target, **parameters)
    job = json.loads(definitions["Schedule"]["Target"]["Input"])
    upload_selfrun_package(sess, job["ProcessingInputs"][0]["S3Input"]["S3Uri"])
    for role in (definitions["JobRole"], definitions["SchedulerRole"]):
        _put_role(sess, role)
    _put_schedule(sess, definitions["Schedule"])
    return definitions


def _put_role(sess: WorkshopSession, role: dict) -> None:
    iam = sess.client("iam")
    trust = json.dumps(role["AssumeRolePolicyDocument"])
    try:
        iam.create_role(RoleName=role["RoleName"], AssumeRolePolicyDocument=trust, Description=role["Description"])
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=trust)
    for policy in role["Policies"]:
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName=policy["PolicyName"],
                            PolicyDocument=json.dumps(policy["PolicyDocument"]))


def _put_schedule(sess: WorkshopSession, schedule: dict) -> None:
    scheduler = sess.client("scheduler")
    try:
        scheduler.create_schedule(**schedule)
    except scheduler.exceptions.ConflictException:
        scheduler.update_schedule(**schedule)


def capture_key_arn(sess: WorkshopSession, key: str) -> str:
    """The capture key as an ARN (what an IAM policy names); a bare key id is made one."""
    if not key or key.startswith("arn:"):
        return key
    if key.startswith("alias/"):
        raise ValueError(f"the capture is encrypted with {key}: pass CaptureKmsKeyArn= with the key's ARN "
                         "(an IAM policy cannot name a key by its alias)")
    return f"arn:aws:kms:{sess.region}:{sess.account_id}:key/{key}"


def scheduler_request(schedule: dict, scheduled: datetime, execution_id: str, attempt: int = 1) -> dict:
    """The CreateProcessingJob request the schedule's target makes at ``scheduled``.

    EventBridge Scheduler replaces the context attributes in the target's input; this does the
    same, so the request can be checked (and, offline, sent) exactly as the service would send it.
    """
    text = schedule["Target"]["Input"]
    values = {"<aws.scheduler.execution-id>": execution_id,
              "<aws.scheduler.scheduled-time>": f"{scheduled.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}",
              "<aws.scheduler.schedule-arn>": schedule.get("Arn", ""),
              "<aws.scheduler.attempt-number>": str(attempt)}
    for attribute, value in values.items():
        text = text.replace(attribute, value)
    return json.loads(text)


@dataclass(frozen=True)
class SelfRunInfo:
    """Step 7 on the self-run path: the schedule and the job it starts."""

    name: str
    state: str
    cron: str
    job: dict  # the CreateProcessingJob request, context attributes still in place
    raw: dict = field(repr=False)

    @property
    def job_name_prefix(self) -> str:
        return self.job["ProcessingJobName"].split("<aws.scheduler.execution-id>")[0]

    @property
    def environment(self) -> dict[str, str]:
        return self.job.get("Environment", {})


@guarded("reading the self-run schedule (scheduler:GetSchedule)")
def selfrun_schedule(sess: WorkshopSession, name: str | None = None) -> SelfRunInfo:
    """Step 7: the self-run schedule; every member of GetSchedule's answer is optional."""
    name = name or sess.names.schedule_name
    raw = sess.client("scheduler").get_schedule(Name=name)
    text = need(raw.get("Target", {}).get("Input"), f"Target.Input of schedule {name} (the job it starts)")
    job = answer(json.loads(text), f"the CreateProcessingJob request in schedule {name}'s target")
    return SelfRunInfo(raw.get("Name") or name, raw.get("State", ""),
                       need(raw.get("ScheduleExpression"), f"ScheduleExpression of schedule {name}"), job, raw)


@guarded("listing the self-run jobs (sagemaker:ListProcessingJobs, sagemaker:DescribeProcessingJob)")
def selfrun_jobs(sess: WorkshopSession, info: SelfRunInfo, *, max_jobs: int = 24) -> list[dict]:
    """Steps 9 and 10: the schedule's newest processing jobs, each with its scheduled hour.

    Each item is DescribeProcessingJob's answer plus ``ScheduledTime``: the job's SCHEDULED_TIME,
    as the schedule passed it, or, where an answer leaves the optional Environment out, the job's
    creation time floored to the hour (the schedule fires at minute 0 and retries within 30 min).
    """
    return list(_jobs(sess, info, max_jobs))


def _jobs(sess: WorkshopSession, info: SelfRunInfo, max_jobs: int):
    """The jobs newest first, described one at a time (a caller may stop early)."""
    sagemaker = sess.client("sagemaker")
    summaries = sagemaker.list_processing_jobs(NameContains=info.job_name_prefix, SortBy="CreationTime",
                                               SortOrder="Descending", MaxResults=min(max_jobs, 100))
    for summary in summaries.get("ProcessingJobSummaries", []):
        if not summary["ProcessingJobName"].startswith(info.job_name_prefix):
            continue
        job = sagemaker.describe_processing_job(ProcessingJobName=summary["ProcessingJobName"])
        text = job.get("Environment", {}).get("SCHEDULED_TIME", "")
        job["ScheduledTime"] = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else \
            job["CreationTime"].replace(minute=0, second=0, microsecond=0)
        yield job


# -- the chapter's steps 7 to 10 with monitoring="self" (helpers.workshop.schedule dispatches here)

def selfrun_schedule_info(sess: WorkshopSession, name: str | None = None):
    """Step 7: the self-run schedule as the summary the workshop shows for Model Monitor's."""
    from .schedule import ScheduleInfo

    info = selfrun_schedule(sess, name)
    env, job = info.environment, info.job
    return ScheduleInfo(
        name=info.name, status=info.state, cron=info.cron, endpoint=env.get("ENDPOINT_NAME", ""),
        statistics_uri=env.get("BASELINE_STATISTICS_S3_URI", ""), constraints_uri=env.get("BASELINE_CONSTRAINTS_S3_URI", ""),
        reports_uri=env.get("REPORTS_S3_URI", ""),
        instance_type=job.get("ProcessingResources", {}).get("ClusterConfig", {}).get("InstanceType", ""),
        max_runtime_seconds=job.get("StoppingCondition", {}).get("MaxRuntimeInSeconds"), environment=dict(env),
        definition_name="", raw=info.raw)


def _execution(job: dict):
    """A processing job of the schedule as an execution: Model Monitor's status from its exit message."""
    from .schedule import Execution

    status, message = job["ProcessingJobStatus"], job.get("ExitMessage", "")
    if status == "Completed" and message.startswith("CompletedWithViolations"):
        status = "CompletedWithViolations"
    failure = (message or job.get("FailureReason")) if status == "Failed" else None
    return Execution(job["ScheduledTime"], status, job["ProcessingJobArn"], failure, job)


def selfrun_executions(sess: WorkshopSession, schedule: str | None = None, *, status: str | None = None,
                       limit: int | None = None) -> list:
    """Steps 9 and 10: the schedule's jobs as executions, newest scheduled first."""
    found = []
    for job in _jobs(sess, selfrun_schedule(sess, schedule), max_jobs=24):
        execution = _execution(job)
        if status is None or execution.status == status:
            found.append(execution)
        if limit is not None and len(found) >= limit:
            break  # a poll asks for the newest one: describe no more than it needs
    return sorted(found, key=lambda e: e.scheduled, reverse=True)


def execution_report_uri(sess: WorkshopSession, execution) -> str:
    """Step 10: the report folder of a self-run job (its environment, else the schedule's)."""
    from ..formats.layout import report_prefix

    env = execution.raw.get("Environment") or selfrun_schedule(sess).environment
    bucket, key = split_s3_uri(env["REPORTS_S3_URI"])
    return f"s3://{bucket}/" + report_prefix(key, env["ENDPOINT_NAME"], env["SCHEDULE_NAME"], execution.scheduled).rstrip("/")


@guarded("setting up the self-run schedule (scheduler:GetSchedule, sagemaker:DescribeEndpoint)")
def ensure_selfrun(sess: WorkshopSession) -> dict:
    """Step 7 with monitoring="self": the production endpoint's self-run schedule, deployed if missing.

    The target comes from what production runs: the endpoint the pipeline deployed (its capture
    destination and variant from DescribeEndpoint) and its baseline job's output. Returns
    GetSchedule's answer.
    """
    from .pipeline import baseline_job, production_names

    scheduler = sess.client("scheduler")
    try:
        return scheduler.get_schedule(Name=sess.names.schedule_name)
    except scheduler.exceptions.ResourceNotFoundException:
        pass
    names = production_names(sess)
    baseline = baseline_job(sess, names.baseline_job)
    endpoint = sess.client("sagemaker").describe_endpoint(EndpointName=names.endpoint)
    capture = endpoint.get("DataCaptureConfig", {}).get("DestinationS3Uri", "")
    if not capture:
        raise LookupError(f"endpoint {names.endpoint} does not capture its traffic: nothing to monitor")
    variants = need(endpoint.get("ProductionVariants"), f"ProductionVariants of endpoint {names.endpoint}")
    target = SelfRunTarget(names.endpoint, variants[0]["VariantName"], capture.rstrip("/"),
                           baseline.statistics_uri, baseline.constraints_uri, sess.reports_uri)
    key = endpoint.get("DataCaptureConfig", {}).get("KmsKeyId", "")
    deploy_selfrun(sess, target, CaptureKmsKeyArn=capture_key_arn(sess, key))
    return scheduler.get_schedule(Name=sess.names.schedule_name)

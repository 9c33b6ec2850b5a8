"""Steps 1 to 3 and 15: the pipeline execution behind production, the names it gives, the baseline job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..aws import answer, guarded, need
from ..backends import WorkshopSession
from .schedule import monitoring_schedule


@dataclass(frozen=True)
class Stage:
    name: str
    status: str
    execution_id: str


@guarded("reading the pipeline state (codepipeline:GetPipelineState)")
def pipeline_stages(sess: WorkshopSession) -> list[Stage]:
    """Steps 0 and 1: each stage of the pipeline and the execution it last processed ("-" if none)."""
    state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    return [Stage(s.get("stageName", "?"), s.get("latestExecution", {}).get("status", "-"),
                  s.get("latestExecution", {}).get("pipelineExecutionId", "")) for s in state.get("stageStates", [])]


@guarded("reading the pipeline state (codepipeline:GetPipelineState)")
def pipeline_execution_id(sess: WorkshopSession) -> str:
    """Step 1: the execution that deployed production, from the DeployPrd stage."""
    state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    for stage in state.get("stageStates", []):
        latest = stage.get("latestExecution", {})
        if stage.get("stageName") == sess.names.deploy_stage and latest.get("pipelineExecutionId"):
            if latest.get("status") == "Succeeded":
                return latest["pipelineExecutionId"]
            # a deployment in progress (or failed) is not production yet: the newest that succeeded is
            pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(
                pipelineName=sess.names.pipeline_name)
            done = [e for p in pages for e in p.get("pipelineExecutionSummaries", []) if e.get("status") == "Succeeded"]
            if done:
                return max(done, key=lambda e: e["startTime"])["pipelineExecutionId"]
    raise LookupError(f"pipeline {sess.names.pipeline_name} has no {sess.names.deploy_stage} execution yet: "
                      "the workshop's deployment has not reached production")


@dataclass(frozen=True)
class JobNames:
    execution_id: str
    baseline_job: str
    endpoint: str
    schedule: str


def production_names(sess: WorkshopSession) -> JobNames:
    """Steps 1 and 2 together: the names of what production runs now."""
    return job_names(sess, pipeline_execution_id(sess))


def job_names(sess: WorkshopSession, execution_id: str) -> JobNames:
    """Step 2: the names the pipeline gives the baseline job, endpoint and schedule."""
    n = sess.names
    return JobNames(execution_id, n.baseline_job(execution_id), n.endpoint(execution_id), n.schedule_name)


@dataclass(frozen=True)
class BaselineJob:
    name: str
    status: str
    output_uri: str
    dataset_uri: str
    started: datetime | None
    ended: datetime | None
    image_uri: str = ""
    environment: dict | None = None  # optional in the API: {} when the answer has none
    exit_message: str = ""

    @property
    def statistics_uri(self) -> str:
        return f"{self.output_uri}/statistics.json"

    @property
    def constraints_uri(self) -> str:
        return f"{self.output_uri}/constraints.json"


@guarded("describing the baseline processing job (sagemaker:DescribeProcessingJob)")
def baseline_job(sess: WorkshopSession, name: str) -> BaselineJob:
    """Step 3: status and output location of the baseline job (no SDK needed)."""
    return _processing_job(sess, name)


@guarded("describing the monitoring run's processing job (sagemaker:DescribeProcessingJob)")
def processing_job(sess: WorkshopSession, name: str) -> BaselineJob:
    """Step 10: a monitoring run's processing job, read like the baseline job."""
    if sess.monitoring == "self":  # the self-run job writes its reports itself: no ProcessingOutput
        from .selfrun import selfrun_processing_job

        return selfrun_processing_job(sess, name)
    return _processing_job(sess, name)


def _processing_job(sess: WorkshopSession, name: str) -> BaselineJob:
    job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=name)
    outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
    inputs = job.get("ProcessingInputs", [])
    output = next((o["S3Output"]["S3Uri"] for o in outputs if "S3Output" in o), None)
    dataset = next((i["S3Input"]["S3Uri"] for i in inputs if "S3Input" in i), "")
    return BaselineJob(name, job["ProcessingJobStatus"], need(output, f"S3 output of processing job {name}").rstrip("/"),
                       dataset, job.get("ProcessingStartTime"), job.get("ProcessingEndTime"),
                       job.get("AppSpecification", {}).get("ImageUri", ""), dict(job.get("Environment", {})),
                       job.get("ExitMessage", ""))


@guarded("listing pipeline executions (codepipeline:ListPipelineExecutions)")
def pipeline_executions_since(sess: WorkshopSession, since: datetime) -> list[dict]:
    """Step 15: pipeline executions started at or after ``since`` (the retrain, after the alarm)."""
    pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(pipelineName=sess.names.pipeline_name)
    return [answer(e, "codepipeline:ListPipelineExecutions") for p in pages for e in p.get("pipelineExecutionSummaries", [])
            if e.get("startTime") is not None and e["startTime"] >= since]


@guarded("listing the endpoint's monitoring schedules (sagemaker:ListMonitoringSchedules)")
def schedules_on_endpoint(sess: WorkshopSession, endpoint: str) -> list[tuple[str, str]]:
    """Step 2: (name, status) of every schedule that watches the endpoint, paginated."""
    pages = sess.client("sagemaker").get_paginator("list_monitoring_schedules").paginate(EndpointName=endpoint)
    return [(s["MonitoringScheduleName"], s["MonitoringScheduleStatus"])
            for p in pages for s in p.get("MonitoringScheduleSummaries", [])]


@guarded("waiting for the retrain (codepipeline:ListPipelineExecutions)")
def wait_for_retrain(sess: WorkshopSession, since: datetime, timeout: float = 300, poll: float = 15) -> dict:
    """Step 15: the pipeline execution the rule started at or after ``since``; polls the newest few.

    On AWS the rule starts the pipeline some seconds after the alarm changes state, so an empty
    answer right after the alarm is normal: it is polled, never indexed. On the twin the rule
    acts at once, so the first answer is final.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        page = sess.client("codepipeline").list_pipeline_executions(pipelineName=sess.names.pipeline_name, maxResults=5)
        started = [e for e in page.get("pipelineExecutionSummaries", [])
                   if e.get("startTime") is not None and e["startTime"] >= since]
        if started:
            return answer(min(started, key=lambda e: e["startTime"]), "codepipeline:ListPipelineExecutions")
        if sess.twin is not None or time.monotonic() > deadline:
            raise TimeoutError(f"no execution of {sess.names.pipeline_name} started within {timeout:.0f} s of the "
                               f"alarm; check that rule {sess.names.retrain_rule} is enabled and targets the pipeline")
        time.sleep(poll)


@guarded("reading a pipeline execution (codepipeline:GetPipelineExecution)")
def pipeline_execution_status(sess: WorkshopSession, execution_id: str) -> str:
    """Step 15: the status of one execution of the pipeline ("?" when the answer has none)."""
    reply = sess.client("codepipeline").get_pipeline_execution(pipelineName=sess.names.pipeline_name,
                                                              pipelineExecutionId=execution_id)
    return reply.get("pipelineExecution", {}).get("status", "?")


@dataclass(frozen=True)
class BaselineInUse:
    """The constraints the schedule compares each hour with, beside those production's pipeline
    baseline job wrote: whether a hand-made baseline (step 13b's) is still in place."""

    constraints_uri: str  # "" when the schedule names none (BaselineConfig is optional)
    pipeline_constraints_uri: str
    baseline_job: str

    @property
    def is_pipelines(self) -> bool:
        return bool(self.constraints_uri) and self.constraints_uri == self.pipeline_constraints_uri

    def explain(self) -> str:
        if not self.constraints_uri:
            return "the schedule names no constraints file"
        if self.is_pipelines:
            return f"the pipeline's baseline ({self.baseline_job}: the training set, labels in the first column)"
        return f"not the pipeline's baseline ({self.baseline_job} wrote {self.pipeline_constraints_uri}): one made by hand"


def baseline_in_use(sess: WorkshopSession) -> BaselineInUse:
    """Steps 15 and 16: which baseline the schedule uses now, and production's pipeline baseline."""
    names = production_names(sess)
    return BaselineInUse(monitoring_schedule(sess).constraints_uri, baseline_job(sess, names.baseline_job).constraints_uri,
                         names.baseline_job)

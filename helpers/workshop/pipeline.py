"""Steps 1 to 3 and 15: the pipeline execution behind production, the names it gives, the baseline job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..aws import guarded
from ..backends import WorkshopSession


@guarded("reading the pipeline state (codepipeline:GetPipelineState)")
def pipeline_execution_id(sess: WorkshopSession) -> str:
    """Step 1: the execution that deployed production, from the DeployPrd stage."""
    state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    for stage in state["stageStates"]:
        latest = stage.get("latestExecution")
        if stage["stageName"] == sess.names.deploy_stage and latest:
            if latest.get("status") == "Succeeded":
                return latest["pipelineExecutionId"]
            # a deployment in progress (or failed) is not production yet: the newest that succeeded is
            pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(
                pipelineName=sess.names.pipeline_name)
            done = [e for p in pages for e in p["pipelineExecutionSummaries"] if e["status"] == "Succeeded"]
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

    @property
    def statistics_uri(self) -> str:
        return f"{self.output_uri}/statistics.json"

    @property
    def constraints_uri(self) -> str:
        return f"{self.output_uri}/constraints.json"


@guarded("describing the baseline processing job (sagemaker:DescribeProcessingJob)")
def baseline_job(sess: WorkshopSession, name: str) -> BaselineJob:
    """Step 3: status and output location of the baseline job (no SDK needed)."""
    job = sess.client("sagemaker").describe_processing_job(ProcessingJobName=name)
    return BaselineJob(name, job["ProcessingJobStatus"],
                       job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"].rstrip("/"),
                       job["ProcessingInputs"][0]["S3Input"]["S3Uri"],
                       job.get("ProcessingStartTime"), job.get("ProcessingEndTime"))


@guarded("listing pipeline executions (codepipeline:ListPipelineExecutions)")
def pipeline_executions_since(sess: WorkshopSession, since: datetime) -> list[dict]:
    """Step 15: pipeline executions started at or after ``since`` (the retrain, after the alarm)."""
    pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(pipelineName=sess.names.pipeline_name)
    return [e for p in pages for e in p["pipelineExecutionSummaries"] if e["startTime"] >= since]

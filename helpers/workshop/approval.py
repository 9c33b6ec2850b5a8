"""Step 15: the retrain waits at the pipeline's manual approval until a person approves it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..aws import guarded
from ..backends import WorkshopSession

APPROVAL_ACTION = "ApproveDeploy"


@dataclass(frozen=True)
class Approval:
    """The approval action's newest run: waiting (with its token) or decided."""

    execution_id: str
    stage: str
    action: str
    status: str
    token: str | None
    summary: str | None
    decided_by: str | None
    changed: datetime | None

    @property
    def waiting(self) -> bool:
        return self.status == "InProgress" and self.token is not None


@guarded("reading the pipeline state (codepipeline:GetPipelineState)")
def pipeline_approval(sess: WorkshopSession, action: str = APPROVAL_ACTION) -> Approval | None:
    """The approval action as GetPipelineState shows it, or None before it first ran."""
    state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    for stage in state.get("stageStates", []):
        for found in stage.get("actionStates", []):
            latest = found.get("latestExecution")
            if found.get("actionName") == action and latest:
                return Approval(stage.get("latestExecution", {}).get("pipelineExecutionId", ""), stage["stageName"],
                                action, latest.get("status", ""), latest.get("token"), latest.get("summary"),
                                latest.get("lastUpdatedBy"), latest.get("lastStatusChange"))
    return None


def _poll(sess: WorkshopSession, minutes: float) -> None:
    if sess.twin is not None:
        sess.twin.live(sess.now() + timedelta(minutes=minutes))
    else:
        time.sleep(minutes * 60)


def wait_for_approval(sess: WorkshopSession, execution_id: str, timeout_minutes: float = 120) -> Approval:
    """Poll (every 5 minutes; on the twin, 5 virtual minutes) until ``execution_id`` waits for approval."""
    for _ in range(int(timeout_minutes / 5) + 1):
        found = pipeline_approval(sess)
        if found is not None and found.execution_id == execution_id and found.waiting:
            return found
        _poll(sess, 5)
    raise TimeoutError(f"pipeline execution {execution_id} did not reach {APPROVAL_ACTION} in {timeout_minutes} minutes")


@guarded("approving the deployment (codepipeline:PutApprovalResult)")
def approve(sess: WorkshopSession, approval: Approval, summary: str, status: str = "Approved") -> datetime | None:
    """``put_approval_result`` with the waiting approval's token; when it was approved."""
    answer = sess.client("codepipeline").put_approval_result(
        pipelineName=sess.names.pipeline_name, stageName=approval.stage, actionName=approval.action,
        result={"summary": summary, "status": status}, token=approval.token)
    return answer.get("approvedAt")


@guarded("reading a pipeline execution (codepipeline:GetPipelineExecution)")
def wait_for_pipeline_execution(sess: WorkshopSession, execution_id: str, timeout_minutes: float = 60) -> str:
    """Poll until the execution is no longer InProgress; its final status."""
    for _ in range(int(timeout_minutes / 5) + 1):
        status = sess.client("codepipeline").get_pipeline_execution(
            pipelineName=sess.names.pipeline_name, pipelineExecutionId=execution_id)["pipelineExecution"]["status"]
        if status != "InProgress":
            return status
        _poll(sess, 5)
    raise TimeoutError(f"pipeline execution {execution_id} still InProgress after {timeout_minutes} minutes")


@guarded("reading the pipeline state (codepipeline:GetPipelineState)")
def pipeline_actions(sess: WorkshopSession) -> list[dict]:
    """One row per action as GetPipelineState shows it: stage, action, status, execution."""
    state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    rows = []
    for stage in state.get("stageStates", []):
        for action in stage.get("actionStates", []):
            latest = action.get("latestExecution", {})
            rows.append({"stage": stage["stageName"], "action": action.get("actionName"),
                         "status": latest.get("status", ""),
                         "execution": stage.get("latestExecution", {}).get("pipelineExecutionId", "")[:8],
                         "token": "yes" if latest.get("token") else "", "summary": latest.get("summary", "")})
    return rows


"""The pipeline ``mlops-nyctaxi``: its stages, actions, executions and the manual approval.

As the workshop's real pipeline: Source (GitSource, DataSource) -> Build (BuildTemplates,
CreateWorkflow, CreateCustomResources) -> Train (StartWorkflow: training and the baseline job)
-> DeployDev (DeployModelDev, then ApproveDeploy, a manual approval) -> DeployPrd
(DeployModelPrd). An execution (started by the CLI, ``start_pipeline_execution`` or the retrain
rule) moves through the actions at virtual times; ApproveDeploy waits, with a token, until
``put_approval_result`` approves (or rejects) it: nothing reaches production without a person.
The work of an action is done when the clock passes its end (see ``pipeline_actions``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from .api import TwinError
from .core import Core
from .pipeline_actions import deploy_production, train_and_baseline
from .services.cloudwatch import CloudWatch

__all__ = ["APPROVAL", "STAGES", "approve", "complete_due", "next_due", "start_execution", "waiting_approval"]

# stage -> [(action, provider, run order, minutes; None for a manual approval)]
STAGES = [
    ("Source", [("GitSource", "CodeCommit", 1, 1), ("DataSource", "S3", 1, 1)]),
    ("Build", [("BuildTemplates", "CodeBuild", 1, 3), ("CreateWorkflow", "CloudFormation", 2, 1),
               ("CreateCustomResources", "CloudFormation", 3, 1)]),
    ("Train", [("StartWorkflow", "StepFunctions", 1, 20)]),
    ("DeployDev", [("DeployModelDev", "CloudFormation", 1, 6), ("ApproveDeploy", "Manual", 2, None)]),
    ("DeployPrd", [("DeployModelPrd", "CloudFormation", 1, 12)]),
]
APPROVAL = ("DeployDev", "ApproveDeploy")


def start_execution(core: Core, trigger_type: str = "StartPipelineExecution", detail: str = "") -> str:
    """Record a new execution InProgress; older executions in progress are superseded."""
    now = core.now()
    execution_id = str(uuid.uuid4())
    for old in core.ws.resources("pipeline_execution"):
        if old["status"] == "InProgress":
            _supersede(old, now)
            core.ws.put_resource("pipeline_execution", old["pipelineExecutionId"], old)
    stages = {stage: {"status": "NotStarted", "actions": {a: {"status": "NotStarted"} for a, *_ in actions}}
              for stage, actions in STAGES}
    execution = {
        "pipelineName": core.names.pipeline_name, "pipelineVersion": 1,
        "pipelineExecutionId": execution_id, "status": "InProgress",
        "startTime": now, "lastUpdateTime": now, "executionMode": "SUPERSEDED",
        "trigger": {"triggerType": trigger_type, "triggerDetail": detail or core.role_arn("pipeline")},
        "dataSeed": core.ws.next_number("data_seed"), "stages": stages}
    _start_stage(execution, STAGES[0][0], now)
    core.ws.put_resource("pipeline_execution", execution_id, execution)
    return execution_id


def _supersede(execution: dict, now: datetime) -> None:
    execution.update(status="Superseded", lastUpdateTime=now)
    for state in execution["stages"].values():
        if state["status"] == "InProgress":
            state.update(status="Stopped", finished=now)
            for action in state["actions"].values():
                if action["status"] == "InProgress":
                    action.update(status="Abandoned", finished=now)
                    action.pop("token", None)


def _actions(stage: str) -> list[tuple]:
    return next(actions for name, actions in STAGES if name == stage)


def _start_stage(execution: dict, stage: str, now: datetime) -> None:
    execution["stages"][stage].update(status="InProgress", started=now)
    _start_run_order(execution, stage, 1, now)


def _start_run_order(execution: dict, stage: str, order: int, now: datetime) -> None:
    for action, _, run_order, minutes in _actions(stage):
        if run_order == order:
            state = {"status": "InProgress", "started": now, "runOrder": order,
                     "ends": now + timedelta(minutes=minutes) if minutes is not None else None}
            if minutes is None:
                state["token"] = str(uuid.uuid4())  # what put_approval_result must quote
            execution["stages"][stage]["actions"][action] = state


def next_due(core: Core) -> datetime | None:
    """When the earliest running (timed) action of any execution ends."""
    ends = [a["ends"] for e in core.ws.resources("pipeline_execution") if e["status"] == "InProgress"
            for s in e["stages"].values() for a in s["actions"].values()
            if a["status"] == "InProgress" and a.get("ends") is not None]
    return min(ends) if ends else None


def complete_due(core: Core, cloudwatch: CloudWatch, until: datetime) -> None:
    """Finish every timed action whose end is at or before ``until``, in time order."""
    while (due := next_due(core)) is not None and due <= until:
        core.set_clock(due)
        for execution in core.ws.resources("pipeline_execution"):
            if execution["status"] != "InProgress":
                continue
            for stage, state in execution["stages"].items():
                for action, info in state["actions"].items():
                    if info["status"] == "InProgress" and info.get("ends") == due:
                        _do_work(core, cloudwatch, execution, action)
                        _finish_action(execution, stage, action, "Succeeded", core.now())
            core.ws.put_resource("pipeline_execution", execution["pipelineExecutionId"], execution)


def _do_work(core: Core, cloudwatch: CloudWatch, execution: dict, action: str) -> None:
    if action == "StartWorkflow":
        train_and_baseline(core, execution)
    elif action == "DeployModelPrd":
        deploy_production(core, cloudwatch, execution)


def _finish_action(execution: dict, stage: str, action: str, status: str, now: datetime, **extra: str) -> None:
    """Mark one action done, then start what follows it: the next run order, stage or the end."""
    info = execution["stages"][stage]["actions"][action]
    info.update(status=status, finished=now, **extra)
    info.pop("token", None)
    execution["lastUpdateTime"] = now
    if status != "Succeeded":
        execution["stages"][stage].update(status="Failed", finished=now)
        execution["status"] = "Failed"
        return
    order = info["runOrder"]
    if any(execution["stages"][stage]["actions"][a]["status"] == "InProgress" for a, *_ in _actions(stage)):
        return
    later = sorted({o for _, _, o, _ in _actions(stage) if o > order})
    if later:
        _start_run_order(execution, stage, later[0], now)
        return
    execution["stages"][stage].update(status="Succeeded", finished=now)
    names = [s for s, _ in STAGES]
    position = names.index(stage)
    if position + 1 < len(names):
        _start_stage(execution, names[position + 1], now)
    else:
        execution["status"] = "Succeeded"


def approve(core: Core, params: dict, approver: str) -> datetime:
    """PutApprovalResult: the waiting approval with this token is Approved or Rejected."""
    stage, action, token = params["stageName"], params["actionName"], params["token"]
    if stage not in dict(STAGES):
        raise TwinError("StageNotFoundException", f"Stage {stage} does not exist in pipeline {params['pipelineName']}")
    if action not in [a for a, *_ in _actions(stage)]:
        raise TwinError("ActionNotFoundException", f"Action {action} does not exist in stage {stage}")
    now = core.now()
    for execution in core.ws.resources("pipeline_execution"):
        info = execution["stages"][stage]["actions"][action]
        if info.get("token") == token:
            break
        if info.get("approvalToken") == token:
            raise TwinError("ApprovalAlreadyCompletedException", f"Approval for {action} has already been completed")
    else:
        raise TwinError("InvalidApprovalTokenException", f"The token {token} is not valid for {stage}/{action}")
    status = params["result"]["status"]
    if status not in ("Approved", "Rejected"):
        raise TwinError("ValidationException", f"result.status must be Approved or Rejected, not {status}")
    _finish_action(execution, stage, action, "Succeeded" if status == "Approved" else "Failed", now,
                   summary=params["result"]["summary"], lastUpdatedBy=approver, approvalToken=token)
    core.ws.put_resource("pipeline_execution", execution["pipelineExecutionId"], execution)
    return now


def waiting_approval(core: Core, execution_id: str) -> str | None:
    """The token of the execution's approval while it waits for a person, else None."""
    execution = core.ws.resource("pipeline_execution", execution_id)
    stage, action = APPROVAL
    info = execution["stages"][stage]["actions"][action] if execution else {}
    return info.get("token") if info.get("status") == "InProgress" else None

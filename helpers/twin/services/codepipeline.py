"""AWS CodePipeline: the pipeline's state, its executions, and starting a new one."""

from __future__ import annotations

import uuid

from ..api import TwinError
from ..core import Core
from ..pipeline import STAGES, approve, start_execution
from .pagination import page


class CodePipeline:
    def __init__(self, core: Core):
        self.core = core

    def _check(self, name: str) -> None:
        if name != self.core.names.pipeline_name or not self.core.ws.resources("pipeline_execution"):
            raise TwinError("PipelineNotFoundException",
                            f"Account '{self.core.ws.account_id}' does not have a pipeline with name '{name}'")

    def _executions(self) -> list[dict]:
        return sorted(self.core.ws.resources("pipeline_execution"), key=lambda e: e["startTime"], reverse=True)

    def GetPipelineState(self, params: dict) -> dict:
        self._check(params["name"])
        executions = self._executions()
        states = []
        for stage, actions in STAGES:
            entered = [e for e in executions if e["stages"][stage]["status"] != "NotStarted"]
            state = {"stageName": stage, "inboundTransitionState": {"enabled": True},
                     "actionStates": [_action_state(executions, stage, action) for action, *_ in actions]}
            if entered:
                latest = entered[0]
                state["latestExecution"] = {"pipelineExecutionId": latest["pipelineExecutionId"],
                                            "status": latest["stages"][stage]["status"]}
            states.append(state)
        first = executions[-1]["startTime"]
        return {"pipelineName": params["name"], "pipelineVersion": 1, "stageStates": states,
                "created": first, "updated": first}

    def PutApprovalResult(self, params: dict) -> dict:
        self._check(params["pipelineName"])
        return {"approvedAt": approve(self.core, params, self.core.role_arn("notebook"))}

    def ListPipelineExecutions(self, params: dict) -> dict:
        self._check(params["pipelineName"])
        summaries = [{"pipelineExecutionId": e["pipelineExecutionId"], "status": e["status"],
                      "startTime": e["startTime"], "lastUpdateTime": e["lastUpdateTime"],
                      "sourceRevisions": [], "trigger": e["trigger"], "executionMode": e["executionMode"]}
                     for e in self._executions()]
        chunk, token = page(summaries, params.get("maxResults", 100), params.get("nextToken"))
        return {"pipelineExecutionSummaries": chunk, **({"nextToken": token} if token else {})}

    def GetPipelineExecution(self, params: dict) -> dict:
        self._check(params["pipelineName"])
        execution = self.core.ws.resource("pipeline_execution", params["pipelineExecutionId"])
        if execution is None:
            raise TwinError("PipelineExecutionNotFoundException",
                            f"Pipeline execution ID {params['pipelineExecutionId']} does not belong to "
                            f"pipeline {params['pipelineName']}")
        keys = ("pipelineName", "pipelineVersion", "pipelineExecutionId", "status", "trigger", "executionMode")
        return {"pipelineExecution": {**{k: execution[k] for k in keys}, "artifactRevisions": [], "variables": []}}

    def StartPipelineExecution(self, params: dict) -> dict:
        self._check(params["name"])
        return {"pipelineExecutionId": start_execution(self.core, "StartPipelineExecution",
                                                       self.core.role_arn("notebook"))}


def _action_state(executions: list[dict], stage: str, action: str) -> dict:
    """An action's newest run across executions; an approval waiting shows its token."""
    ran = [e for e in executions if e["stages"][stage]["actions"][action]["status"] != "NotStarted"]
    if not ran:
        return {"actionName": action}
    info = ran[0]["stages"][stage]["actions"][action]
    latest = {"actionExecutionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ran[0]['pipelineExecutionId']}/{action}")),
              "status": info["status"], "lastStatusChange": info.get("finished") or info["started"]}
    for key in ("token", "summary", "lastUpdatedBy"):
        if key in info:
            latest[key] = info[key]
    return {"actionName": action, "latestExecution": latest}

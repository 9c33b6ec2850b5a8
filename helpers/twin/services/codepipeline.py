"""AWS CodePipeline: the pipeline's state, its executions, and starting a new one."""

from __future__ import annotations

from ..api import TwinError
from ..core import Core
from ..pipeline import STAGES, start_execution
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
        for stage, actions, _ in STAGES:
            entered = [e for e in executions if e["stages"][stage]["status"] != "NotStarted"]
            state = {"stageName": stage, "inboundTransitionState": {"enabled": True}, "actionStates": []}
            if entered:
                latest = entered[0]
                info = latest["stages"][stage]
                status = {"InProgress": "InProgress", "Succeeded": "Succeeded"}.get(info["status"], "Failed")
                if latest["status"] == "Superseded" and info["status"] == "InProgress":
                    status = "Stopped"
                changed = info.get("finished") or info.get("started")
                state["latestExecution"] = {"pipelineExecutionId": latest["pipelineExecutionId"], "status": status}
                state["actionStates"] = [{"actionName": action, "latestExecution": {
                    "actionExecutionId": f"{latest['pipelineExecutionId'][:8]}-{stage.lower()}-{action.lower()}",
                    "status": status, "lastStatusChange": changed}} for action, _ in actions]
            else:
                state["actionStates"] = [{"actionName": action} for action, _ in actions]
            states.append(state)
        first = executions[-1]["startTime"]
        return {"pipelineName": params["name"], "pipelineVersion": 1, "stageStates": states,
                "created": first, "updated": first}

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

"""Step 0: what the estate has done so far, in sentences the learner can check line by line.

A reused estate (``make workshop`` a second time, or the same AWS account a day later) already
holds retrains and many hourly executions before step 1; unexplained, they look like faults.
Everything here is read from the API (CodePipeline's executions, the schedule's executions), so
the sentences hold on the twin and on AWS alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from ..aws import guarded
from ..backends import WorkshopSession
from .pipeline import pipeline_execution_id
from .schedule import Execution, monitoring_executions

__all__ = ["EstateHistory", "PipelineRun", "estate_history"]

# What CodePipeline's trigger types mean to a learner of this chapter.
_TRIGGERS = {
    "StartPipelineExecution": "started by hand or by the deployment (StartPipelineExecution)",
    "CloudWatchEvent": "started by an EventBridge rule (CloudWatchEvent), such as the retrain the drift alarm's rule starts (13c, 14)",
    "CreatePipeline": "started when the pipeline was created",
}


@dataclass(frozen=True)
class PipelineRun:
    execution_id: str
    started: datetime | None
    trigger: str
    status: str


@dataclass(frozen=True)
class EstateHistory:
    """The pipeline's runs (oldest first), the one production runs, and the schedule's executions."""

    runs: list[PipelineRun]
    production: str
    executions: list[Execution]  # oldest first
    schedule_deployed: bool = True  # False: monitoring="self" before step 7 deployed the self-run schedule

    def explain(self) -> str:
        lines = [f"The pipeline has run {len(self.runs)} time(s):"]
        for run in self.runs:
            when = f"{run.started:%Y-%m-%d %H:%M} UTC" if run.started else "(no start time)"
            here = "  <- production runs its endpoint" if run.execution_id == self.production else ""
            why = _TRIGGERS.get(run.trigger, f"started by {run.trigger}")
            lines.append(f"  {run.execution_id[:8]}... {when}, {why}: {run.status}{here}")
        if not self.schedule_deployed:
            lines.append("The self-run schedule is not deployed yet: step 07 deploys it, and it runs from the next full hour.")
            return "\n".join(lines)
        if not self.executions:
            lines.append("The schedule has not run yet: its first execution comes at the next full hour.")
            return "\n".join(lines)
        counts = Counter(e.status for e in self.executions)
        first, last = self.executions[0].scheduled, self.executions[-1].scheduled
        lines.append(f"The schedule has run {len(self.executions)} time(s), once an hour from {first:%Y-%m-%d %H:%M} "
                     f"to {last:%Y-%m-%d %H:%M} UTC: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ".")
        reasons = Counter(e.failure_reason or "no reason given" for e in self.executions if e.status == "Failed")
        for reason, n in reasons.items():
            lines.append(f"  {n} Failed with {reason!r}: an hour in which the endpoint received no requests "
                         "(the first hour after a deployment, or an hour nobody sent any)." if reason ==
                         "Job inputs had no data" else f"  {n} Failed with {reason!r}.")
        return "\n".join(lines)


@guarded("reading the estate's history (codepipeline:ListPipelineExecutions, sagemaker:ListMonitoringExecutions)")
def estate_history(sess: WorkshopSession) -> EstateHistory:
    """Step 0: every pipeline run and every execution of the schedule, for the overview."""
    pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(
        pipelineName=sess.names.pipeline_name)
    runs = [PipelineRun(e.get("pipelineExecutionId", "?"), e.get("startTime"), e.get("trigger", {}).get("triggerType", "?"),
                        e.get("status", "?")) for p in pages for e in p.get("pipelineExecutionSummaries", [])]
    runs.sort(key=lambda r: (r.started is None, r.started))
    if sess.monitoring == "self" and not _selfrun_deployed(sess):
        return EstateHistory(runs, pipeline_execution_id(sess), [], schedule_deployed=False)
    executions = sorted(monitoring_executions(sess), key=lambda e: e.scheduled)
    return EstateHistory(runs, pipeline_execution_id(sess), executions)


def _selfrun_deployed(sess: WorkshopSession) -> bool:
    scheduler = sess.client("scheduler")
    try:
        scheduler.get_schedule(Name=sess.names.schedule_name)
    except scheduler.exceptions.ResourceNotFoundException:
        return False
    return True

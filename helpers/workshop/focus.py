"""The execution steps 10 to 13 look at: one rule, written once.

The rule: the newest execution of the schedule, for the endpoint production runs now, that
finished **with a report** (``Completed`` or ``CompletedWithViolations``). Executions that
failed (an hour with no traffic says "Job inputs had no data") have no report: they are listed
with their FailureReason and skipped. Step 9 records the execution it waited for in a small
state file beside the notebooks; later steps take that one while it still belongs to the
production endpoint, so 10 to 13 show the run 09 showed, even when newer hours have passed.

When a step cannot go on (no report yet, a retrain replaced the endpoint), it stops with a
``StepNotReady``: one sentence saying what to run first, shown without a traceback.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..aws import guarded
from ..backends import WorkshopSession
from .pipeline import production_names
from .schedule import Execution, monitoring_executions

__all__ = ["REPORTED", "ExecutionInFocus", "StepNotReady", "execution_in_focus", "record_execution", "state_file"]

REPORTED = ("Completed", "CompletedWithViolations")
STATE_FILE = ".workshop-state.json"


class StepNotReady(RuntimeError):
    """A step cannot run yet; the message says what to run first. Shown in a notebook as the
    sentence alone (IPython's ``_render_traceback_``), because a traceback would hide it."""

    def _render_traceback_(self) -> list[str]:
        return [f"Not ready: {self}"]


@dataclass(frozen=True)
class ExecutionInFocus:
    """The execution a step looks at, and why this one."""

    execution: Execution
    endpoint: str
    recorded: bool  # True: the one step 9 waited for
    skipped: list[Execution] = field(default_factory=list)  # newer ones without a report

    def explain(self) -> str:
        e = self.execution
        how = "the one notebook 09 waited for" if self.recorded else "the newest with a report"
        lines = [f"Looking at the execution scheduled {e.scheduled:%Y-%m-%d %H:%M} UTC ({e.status}), {how}, "
                 f"for endpoint {self.endpoint}."]
        for s in self.skipped:
            reason = f"Failed: {s.failure_reason}" if s.failure_reason else s.status
            lines.append(f"  skipped {s.scheduled:%Y-%m-%d %H:%M} UTC: {reason} (no report to read)")
        return "\n".join(lines)


def state_file(folder: str | Path | None = None) -> Path:
    """The state file beside the notebooks (the kernel's working folder)."""
    return Path(folder or os.getcwd()) / STATE_FILE


def _state_key(sess: WorkshopSession) -> str:
    where = str(sess.twin.ws.root) if sess.twin is not None else f"{sess.account_id}/{sess.region}"
    return f"{sess.backend}:{where}:{sess.names.schedule_name}"


def record_execution(sess: WorkshopSession, execution: Execution, endpoint: str, folder: str | Path | None = None) -> Path:
    """Step 9: remember the execution it waited for (atomically: a half-written file never exists)."""
    path = state_file(folder)
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        state = {}
    state[_state_key(sess)] = {"processing_job": execution.processing_job, "endpoint": endpoint,
                               "scheduled": execution.scheduled.isoformat()}
    staging = path.with_suffix(".tmp")
    staging.write_text(json.dumps(state, indent=2) + "\n")
    staging.replace(path)
    return path


def _recorded(sess: WorkshopSession, folder: str | Path | None) -> dict | None:
    try:
        return json.loads(state_file(folder).read_text()).get(_state_key(sess))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


@guarded("listing monitoring executions (sagemaker:ListMonitoringExecutions)")
def execution_in_focus(sess: WorkshopSession, folder: str | Path | None = None) -> ExecutionInFocus:
    """Steps 10 to 13: the execution 09 recorded if it still applies, else the newest with a report."""
    endpoint = production_names(sess).endpoint
    executions = [e for e in monitoring_executions(sess) if e.raw.get("EndpointName", endpoint) == endpoint]
    reported = [e for e in executions if e.status in REPORTED]
    record = _recorded(sess, folder)
    chosen = None
    if record and record.get("endpoint") == endpoint:
        chosen = next((e for e in reported if e.processing_job == record.get("processing_job")), None)
    recorded = chosen is not None
    if chosen is None and reported:
        chosen = reported[0]
    if chosen is None:
        failed = [e for e in executions if e.status == "Failed"]
        why = (f"{len(failed)} failed ({failed[0].failure_reason})" if failed else
               "none has finished yet" if executions else "it has not run yet")
        raise StepNotReady(f"no execution of {sess.names.schedule_name} for endpoint {endpoint} has finished "
                           f"with a report ({why}): run notebook 09 first, which waits for one.")
    skipped = [e for e in executions if e.scheduled > chosen.scheduled and e.status not in REPORTED]
    return ExecutionInFocus(chosen, endpoint, recorded, skipped)

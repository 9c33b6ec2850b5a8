"""Step 15: every time the drift alarm went to ALARM, and the pipeline execution its rule started.

The retrain rule matches each *change* of the alarm to ALARM (CloudWatch sends no event for an
alarm that stays in ALARM, and writes no history item for it either), so each ALARM in the
history should have started exactly one execution. Pairing them shows the learner every retrain,
not only the newest, and says plainly when an ALARM started none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..backends import WorkshopSession
from .alarms import AlarmChange, alarm_history
from .pipeline import pipeline_executions_since

RULE_TRIGGER = "CloudWatchEvent"  # the triggerType CodePipeline records for an EventBridge rule


@dataclass(frozen=True)
class RetrainExecution:
    """One pipeline execution as ListPipelineExecutions summarises it.

    Every member of PipelineExecutionSummary is optional in the API model: an absent id, status,
    trigger or execution mode is "" here (never a KeyError), and the notebook says "?" for it.
    Only summaries with a start time are made into one (the pairing with the alarm needs it).
    """

    execution_id: str
    started: datetime
    status: str
    trigger: str  # triggerType, e.g. CloudWatchEvent for an EventBridge rule
    trigger_detail: str  # for a rule: its ARN
    mode: str  # the pipeline's executionMode (QUEUED, SUPERSEDED, PARALLEL): a setting, not a state

    @classmethod
    def from_summary(cls, summary: dict) -> RetrainExecution:
        trigger = summary.get("trigger") or {}
        return cls(summary.get("pipelineExecutionId", ""), summary["startTime"], summary.get("status", ""),
                   trigger.get("triggerType", ""), trigger.get("triggerDetail", ""), summary.get("executionMode", ""))


@dataclass(frozen=True)
class AlarmRetrain:
    """One change of the alarm to ALARM, the executions its rule started, or why there is none."""

    change: AlarmChange
    executions: tuple[RetrainExecution, ...]
    reason: str  # empty when the rule started an execution


def started_by_rule(sess: WorkshopSession, execution: RetrainExecution) -> bool:
    """Whether the retrain rule started this execution (its trigger names the rule when it says)."""
    detail = execution.trigger_detail
    return execution.trigger == RULE_TRIGGER and (not detail or detail.endswith(f"rule/{sess.names.retrain_rule}"))


def alarm_retrains(sess: WorkshopSession) -> list[AlarmRetrain]:
    """Each change to ALARM in the alarm's history, oldest first, with the executions the rule
    started from that change until the next change to ALARM (the newest: until now)."""
    fired = [h for h in alarm_history(sess) if h.new == "ALARM"]
    if not fired:
        return []
    summaries = (RetrainExecution.from_summary(e) for e in pipeline_executions_since(sess, fired[0].when))
    started = sorted((e for e in summaries if started_by_rule(sess, e)), key=lambda e: e.started)
    pairs = []
    for change, following in zip(fired, [*fired[1:], None], strict=True):
        window = tuple(e for e in started if e.started >= change.when and (following is None or e.started < following.when))
        pairs.append(AlarmRetrain(change, window, "" if window else _why_none(sess, following is None)))
    return pairs


def _why_none(sess: WorkshopSession, newest: bool) -> str:
    if newest and sess.twin is None:
        return "none yet: on AWS the rule starts the pipeline some seconds after the change; run the cell again"
    return (f"the rule started no execution before the next change to ALARM: rule {sess.names.retrain_rule} "
            "was not deployed or not enabled then, or its start failed (its FailedInvocations metric says)")

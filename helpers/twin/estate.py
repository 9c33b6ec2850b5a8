"""The estate, on top of the twin's house: it composes the core and the parts into one ``Twin``.

Imports point one way: ``core`` (workspace, clock, ARNs, objects) at the bottom; the parts
(``endpoint``, ``traffic``, ``schedule``, ``pipeline`` and the ``services``) above it, each
given the core and the few parts it calls; this module on top wires events between them
(an alarm's state change -> EventBridge -> the pipeline) and lives the hours.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..config import WorkshopNames, load_names
from ..formats.generation import Container, parse_container
from ..infra import resource_properties
from . import pipeline, processing, schedule
from .api import make_client
from .core import Core
from .endpoint import EndpointRuntime, current_endpoint
from .services.cloudwatch import CloudWatch
from .services.codepipeline import CodePipeline
from .services.events import Events
from .services.s3 import S3
from .services.sagemaker import SageMaker, SageMakerRuntime
from .store import Workspace, default_workspace, iso, parse_iso
from .traffic import Traffic

__all__ = ["START", "Twin"]

START = datetime(2021, 6, 7, 7, 5, tzinfo=timezone.utc)  # a Monday morning of the real run's year


def _ceil_hour(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)


class Twin:
    """One estate: ``Twin.up()`` builds it, ``open`` reopens it, ``run_hours`` lives an hour."""

    def __init__(self, workspace: Workspace, names: WorkshopNames | None = None):
        self.core = Core(workspace, names or load_names(region=workspace.region))
        self.ws, self.names, self.bucket = workspace, self.core.names, self.core.bucket
        self.cloudwatch = CloudWatch(workspace, on_alarm_change=self._alarm_changed)
        self.core.on_clock(self.cloudwatch.evaluate_all)
        self.events = Events(workspace, deliver=self._deliver)
        self.runtime = EndpointRuntime(self.core, self.cloudwatch)
        self.traffic = Traffic(self.core, self.runtime)
        self.handlers: dict[str, Any] = {
            "s3": S3(workspace), "cloudwatch": self.cloudwatch, "events": self.events,
            "codepipeline": CodePipeline(self.core), "sagemaker": SageMaker(self.core),
            "sagemaker-runtime": SageMakerRuntime(self.runtime),
        }
        self._clients: dict[str, Any] = {}

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, root: str | Path | None = None) -> Twin:
        return cls(Workspace.open(root or default_workspace()))

    @classmethod
    def up(cls, root: str | Path | None = None, start: datetime = START,
           container: Container | str | None = None) -> Twin:
        """Build the estate from nothing: bucket, rule, first pipeline execution, approved and
        deployed (the workshop's set-up approves the first deployment), the client ready.

        ``container`` ("current", the default, or "2021") is the Model Monitor generation its
        baseline and monitoring jobs write; it is recorded in the workspace (``core.container``).
        """
        names = load_names()
        generation = parse_container(container)
        ws = Workspace.create(root or default_workspace(), names.region, start)
        ws.set_meta("container", generation.value)
        twin = cls(ws, names)
        with ws.exclusive():
            ws.create_bucket(twin.bucket)
            twin._create_retrain_rule()
            execution_id = pipeline.start_execution(twin.core, "StartPipelineExecution", "initial deployment")
            while (token := pipeline.waiting_approval(twin.core, execution_id)) is None:
                twin.advance(pipeline.next_due(twin.core))
            stage, action = pipeline.APPROVAL
            pipeline.approve(twin.core, {"pipelineName": names.pipeline_name, "stageName": stage, "actionName": action,
                                         "token": token, "result": {"status": "Approved", "summary": "workshop set-up"}},
                             twin.core.role_arn("setup"))
            while (due := pipeline.next_due(twin.core)) is not None:
                twin.advance(due)
            twin.traffic.start_at(_ceil_hour(ws.now()))  # a fresh endpoint idles until the next hour
        return twin

    def client(self, service: str) -> Any:
        """A boto3 client whose calls the twin answers (see ``api.make_client``)."""
        if service not in self.handlers:
            raise ValueError(f"the local twin has no {service!r} service; it has {sorted(self.handlers)}")
        if service not in self._clients:
            self._clients[service] = make_client(service, self.handlers[service], self.ws.region)
        return self._clients[service]

    def current_endpoint(self) -> str | None:
        return current_endpoint(self.core)

    # -- time -------------------------------------------------------------------------------
    def set_clock(self, moment: datetime) -> None:
        """Move the virtual clock forward and let alarms see the new time."""
        self.core.set_clock(moment)

    def advance(self, until: datetime) -> None:
        """Live up to ``until`` in time order: the client's traffic, pipeline actions, processing
        jobs, each hour's schedule firing and the alarms' evaluations, each when it is due."""
        core, cloudwatch = self.core, self.cloudwatch
        while True:
            now = self.ws.now()
            dues = [until, _ceil_hour(now + timedelta(microseconds=1)), pipeline.next_due(core),
                    processing.next_due(core), cloudwatch.next_evaluation()]
            target = max(now, min(d for d in dues if d is not None))
            self.traffic.send_until(target)
            pipeline.complete_due(core, cloudwatch, target)
            processing.complete_due(core, target)
            schedule.fire_due(core, cloudwatch, target)
            self.set_clock(target)
            if self.ws.now() >= until:
                break

    def live(self, until: datetime) -> None:
        """``advance`` under the workspace's run lock (what waiting notebooks call)."""
        with self.ws.exclusive():
            self.advance(until)

    def run_hours(self, hours: int, progress: Any = None) -> None:
        """Live ``hours`` hours of the client's traffic (the hour under way counts as the first;
        a fresh estate's client starts at the next full hour), each hour analysed by the
        schedule's next firing, and 15 minutes more so the last execution has finished."""
        with self.ws.exclusive():
            now = self.ws.now()
            starts = self.ws.meta_or("traffic_starts", "")
            start = max(now, parse_iso(starts)) if starts else now
            boundary = _ceil_hour(start + timedelta(microseconds=1))
            self.advance(max(now, start))
            for _ in range(hours):
                self.advance(boundary)
                boundary += timedelta(hours=1)
                if progress is not None:
                    progress.update(1)
            self.advance(max(self.ws.now(), boundary - timedelta(hours=1) + timedelta(minutes=15)))

    # -- deployment and events --------------------------------------------------------------
    def _create_retrain_rule(self) -> None:
        rule = resource_properties("retrain-rule.template.json", {
            "RuleName": self.names.retrain_rule, "AlarmName": self.names.alarm_name,
            "PipelineName": self.names.pipeline_name},
            region=self.ws.region, account_id=self.ws.account_id, resource="RetrainRule")
        targets = rule.pop("Targets")
        self.events.PutRule({**rule, "EventPattern": json.dumps(rule["EventPattern"])})
        self.events.PutTargets({"Rule": rule["Name"], "Targets": targets})

    def _alarm_changed(self, alarm: dict, old_state: str) -> None:
        now = self.ws.now()
        self.events.publish({
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch", "account": self.ws.account_id, "time": f"{now:%Y-%m-%dT%H:%M:%SZ}",
            "region": self.ws.region, "resources": [alarm["AlarmArn"]],
            "detail": {"alarmName": alarm["AlarmName"],
                       "state": {"value": alarm["StateValue"], "reason": alarm["StateReason"],
                                 "timestamp": iso(now)},
                       "previousState": {"value": old_state},
                       "configuration": {"description": alarm.get("AlarmDescription", "")}},
        })

    def _deliver(self, rule: dict, target: dict, event: dict) -> None:
        arn = target["Arn"]
        prefix = f"arn:aws:codepipeline:{self.ws.region}:{self.ws.account_id}:"
        if arn.startswith(prefix) and arn[len(prefix):] == self.names.pipeline_name:
            pipeline.start_execution(self.core, "CloudWatchEvent", rule["Arn"])

    # -- status -----------------------------------------------------------------------------
    def status(self, root_label: str | None = None) -> str:
        """One line per resource; ``root_label`` names the workspace instead of its path (a notebook
        shows it to learners: not this machine's folders)."""
        lines = [f"workspace   {root_label or self.ws.root}", f"clock       {self.ws.now():%Y-%m-%d %H:%M:%S} UTC (virtual)",
                 f"bucket      s3://{self.bucket}",
                 f"container   {self.core.container} (the Model Monitor generation its jobs write)"]
        for ex in sorted(self.ws.resources("pipeline_execution"), key=lambda e: e["startTime"]):
            waits = "  waits at ApproveDeploy" if pipeline.waiting_approval(self.core, ex["pipelineExecutionId"]) else ""
            lines.append(f"pipeline    {ex['pipelineExecutionId']}  {ex['status']:11s} "
                         f"started {ex['startTime']:%H:%M} by {ex['trigger']['triggerType']}{waits}")
        for ep in self.ws.resources("endpoint"):
            lines.append(f"endpoint    {ep['EndpointName']}  {ep['EndpointStatus']}")
        sched = self.ws.resource("monitoring_schedule", self.names.schedule_name)
        if sched:
            expr = sched["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"]
            lines.append(f"schedule    {sched['MonitoringScheduleName']}  {expr}  {sched['MonitoringScheduleStatus']}")
        for ex in sorted(self.ws.resources("monitoring_execution"), key=lambda e: e["ScheduledTime"]):
            why = f"  ({ex['FailureReason']})" if ex.get("FailureReason") else self._not_evaluated(ex)
            lines.append(f"execution   {ex['ScheduledTime']:%Y-%m-%d %H:%M}  {ex['MonitoringExecutionStatus']}{why}")
        for alarm in self.ws.resources("alarm"):
            lines.append(f"alarm       {alarm['AlarmName']}  {alarm['StateValue']}")
        return "\n".join(lines)

    def _not_evaluated(self, execution: dict) -> str:
        """The checks an execution could not evaluate, from its processing job's ExitMessage."""
        from ..analyzer.monitor import not_evaluated_part

        job = self.ws.resource("processing_job", execution["ProcessingJobName"]) if execution.get(
            "ProcessingJobName") else None
        part = not_evaluated_part(job.get("ExitMessage", "")) if job else ""
        return f"  ({part})" if part else ""

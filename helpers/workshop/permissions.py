"""What the chapter calls on AWS, step by step, and on which resource (for the pre-flight).

Reads apply to ``*``. Writes name the resource they change, so that
``iam:SimulatePrincipalPolicy`` evaluates a role whose policy scopes them (the usual case) the
way the call itself will be evaluated. A resource the pre-flight cannot read (no permission to
describe it) falls back to a pattern ending in ``*``: IAM's simulator compares that as a literal
name, so a policy scoped narrower than the pattern shows as denied when it may not be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..backends import WorkshopSession

__all__ = ["CHAPTER_ACTIONS", "STEP_PERMISSIONS", "StepPermission", "permissions_needed"]

# What the chapter's read steps call, in the order they call it (99 deletes: not needed to learn).
CHAPTER_ACTIONS = (
    "codepipeline:ListPipelines", "codepipeline:GetPipelineState", "codepipeline:ListPipelineExecutions",
    "codepipeline:GetPipelineExecution",
    "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel",
    "sagemaker:InvokeEndpoint", "sagemaker:DescribeProcessingJob", "sagemaker:ListMonitoringSchedules",
    "sagemaker:DescribeMonitoringSchedule", "sagemaker:DescribeDataQualityJobDefinition",
    "sagemaker:ListMonitoringExecutions", "s3:ListBucket", "s3:GetObject",
    "cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms",
    "cloudwatch:DescribeAlarmHistory", "cloudwatch:GetDashboard", "events:ListRuleNamesByTarget",
    "events:ListTargetsByRule",
)


@dataclass(frozen=True)
class StepPermission:
    """Actions one step calls on one resource; ``monitoring`` limits it to one kind of schedule."""

    step: str
    actions: tuple[str, ...]
    resource: str  # a template over the names in _resource_names
    monitoring: str = ""  # "" for both, "model-monitor" or "self"


STEP_PERMISSIONS = (
    StepPermission("01-16", CHAPTER_ACTIONS, "*"),
    # 13b: the predictions data set and the edited constraints are written next to the reports
    StepPermission("13b", ("s3:PutObject",), "arn:{partition}:s3:::{bucket}/{model}/monitoring/baseline-predictions/*"),
    # 13b: the SDK's suggest_baseline starts a processing job that runs as the schedule's role
    StepPermission("13b", ("sagemaker:CreateProcessingJob",),
                   "arn:{partition}:sagemaker:{region}:{account}:processing-job/baseline-predictions-*", "model-monitor"),
    StepPermission("13b", ("iam:PassRole",), "{monitor_role}", "model-monitor"),
    StepPermission("13b", ("sagemaker:UpdateMonitoringSchedule",),
                   "arn:{partition}:sagemaker:{region}:{account}:monitoring-schedule/{schedule}", "model-monitor"),
    # 13b self-run: the job role may read the new baseline, then the schedule's target names it
    StepPermission("13b", ("scheduler:GetSchedule", "scheduler:UpdateSchedule"),
                   "arn:{partition}:scheduler:{region}:{account}:schedule/default/{schedule}", "self"),
    StepPermission("13b", ("iam:PassRole",), "{scheduler_role}", "self"),
    StepPermission("13b", ("iam:ListRolePolicies", "iam:GetRolePolicy", "iam:PutRolePolicy"), "{job_role}", "self"),
    # 14: the published drift value (PutMetricData has no resource-level permission) and better_alarm
    StepPermission("14", ("cloudwatch:PutMetricData",), "*"),
    StepPermission("14", ("cloudwatch:PutMetricAlarm",), "arn:{partition}:cloudwatch:{region}:{account}:alarm:{alarm}"),
    StepPermission("15", ("codepipeline:PutApprovalResult",),
                   "arn:{partition}:codepipeline:{region}:{account}:{pipeline}/{approval_stage}/{approval_action}"),
    StepPermission("16", ("cloudwatch:PutDashboard",), "arn:{partition}:cloudwatch::{account}:dashboard/{dashboard}"),
)


def permissions_needed(sess: WorkshopSession) -> list[tuple[StepPermission, str]]:
    """Each step's permissions for this session's kind of schedule, with its resource filled in."""
    wanted = [p for p in STEP_PERMISSIONS if p.monitoring in ("", sess.monitoring)]
    names = _resource_names(sess, {p.resource for p in wanted})
    return [(p, p.resource.format(**names)) for p in wanted]


def _resource_names(sess: WorkshopSession, templates: set[str]) -> dict[str, str]:
    partition = sess.identity.split(":")[1] if sess.identity.startswith("arn:") else "aws"
    any_role = f"arn:{partition}:iam::{sess.account_id}:role/*"
    names = {"partition": partition, "region": sess.region, "account": sess.account_id,
             "bucket": sess.workshop_bucket, "model": sess.names.model_name, "schedule": sess.names.schedule_name,
             "alarm": sess.names.alarm_name, "pipeline": sess.names.pipeline_name,
             "dashboard": sess.names.dashboard_name, "approval_stage": "*", "approval_action": "*",
             "monitor_role": any_role, "scheduler_role": any_role, "job_role": any_role}
    if "{monitor_role}" in templates:
        names["monitor_role"] = _monitor_role(sess) or any_role
    if "{scheduler_role}" in templates or "{job_role}" in templates:
        scheduler_role, job_role = _selfrun_roles(sess)
        names.update(scheduler_role=scheduler_role or any_role, job_role=job_role or any_role)
    names.update(_approval_names(sess))
    return names


def _monitor_role(sess: WorkshopSession) -> str | None:
    """The role the schedule's jobs run as (inline definition, else its job definition)."""
    try:
        sagemaker = sess.client("sagemaker")
        config = sagemaker.describe_monitoring_schedule(
            MonitoringScheduleName=sess.names.schedule_name).get("MonitoringScheduleConfig", {})
        inline = config.get("MonitoringJobDefinition", {}).get("RoleArn")
        if inline or not config.get("MonitoringJobDefinitionName"):
            return inline
        return sagemaker.describe_data_quality_job_definition(
            JobDefinitionName=config["MonitoringJobDefinitionName"]).get("RoleArn")
    except Exception:  # noqa: BLE001 - not readable here: the pre-flight's read rows say why
        return None


def _selfrun_roles(sess: WorkshopSession) -> tuple[str | None, str | None]:
    """The self-run schedule's own role and the role its processing job runs as."""
    try:
        target = sess.client("scheduler").get_schedule(Name=sess.names.schedule_name).get("Target", {})
        job = json.loads(target.get("Input") or "{}")
        return target.get("RoleArn"), job.get("RoleArn")
    except Exception:  # noqa: BLE001 - no schedule or no scheduler:GetSchedule: that row says so
        return None, None


def _approval_names(sess: WorkshopSession) -> dict[str, str]:
    """The stage holding the approval action (read from the pipeline's state when allowed)."""
    from .approval import APPROVAL_ACTION

    try:
        state = sess.client("codepipeline").get_pipeline_state(name=sess.names.pipeline_name)
    except Exception:  # noqa: BLE001 - the GetPipelineState row says why
        return {"approval_action": APPROVAL_ACTION}
    stage = next((s.get("stageName", "*") for s in state.get("stageStates", [])
                  if any(a.get("actionName") == APPROVAL_ACTION for a in s.get("actionStates", []))), "*")
    return {"approval_stage": stage, "approval_action": APPROVAL_ACTION}

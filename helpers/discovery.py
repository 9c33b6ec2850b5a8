"""Find the workshop's resources on a real account instead of assuming their names.

The two variants of the original lay an account out differently (design.md, "Names on a real
account"): the Studio one names the pipeline ``mlops-nyctaxi-<projectId>`` and writes under
``mlops-nyctaxi/...``; the earlier one writes under bare ``nyctaxi/...`` with another variant
name. So on AWS: the pipeline from the account's pipelines, the capture destination and variant
from ``describe_endpoint``, the report location from ``describe_monitoring_schedule``, the retrain
rule from the rules that target the pipeline. A name the learner gives in the parameters cell
always wins; what is not found keeps assets/workshop.json's value and says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .aws import WorkshopAwsError, explain
from .config import WorkshopNames

__all__ = ["Discovery", "Finding", "discover"]


@dataclass(frozen=True)
class Finding:
    """One resource looked for: what, the value used, how it was found, or what to do."""

    what: str
    value: str
    how: str
    found: bool = True
    todo: str = ""


@dataclass
class Discovery:
    names: WorkshopNames
    findings: list[Finding] = field(default_factory=list)
    execution_id: str | None = None
    endpoint: str | None = None
    capture_kms_key: str | None = None

    def note(self, what: str, value: str, how: str, found: bool = True, todo: str = "") -> None:
        self.findings.append(Finding(what, value, how, found, todo))

    def use(self, **names: str) -> None:
        self.names = replace(self.names, **names)


def _pipeline(clients: Callable[[str], Any], d: Discovery, given: set[str]) -> None:
    n = d.names
    if "pipeline_name" in given:
        return d.note("pipeline", n.pipeline_name, "the parameters cell")
    pages = clients("codepipeline").get_paginator("list_pipelines").paginate()
    found = sorted(p["name"] for page in pages for p in page.get("pipelines", []) if n.model_name in p.get("name", ""))
    ours = [p for p in found if p == n.pipeline_name or p.startswith(f"{n.pipeline_name}-")]
    if len(ours) == 1:
        d.use(pipeline_name=ours[0])
        return d.note("pipeline", ours[0], "codepipeline:ListPipelines")
    todo = (f"several pipelines match ({', '.join(ours)}): name one, names={{'pipeline_name': ...}}" if ours
            else f"no pipeline named like {n.pipeline_name}* in this account and region: deploy the workshop, "
                 "check the region, or name it, names={'pipeline_name': ...}")
    d.note("pipeline", n.pipeline_name, "codepipeline:ListPipelines", False, todo)


def _production(clients: Callable[[str], Any], d: Discovery) -> None:
    n = d.names
    state = clients("codepipeline").get_pipeline_state(name=n.pipeline_name)
    stage = next((s for s in state.get("stageStates", []) if s.get("stageName") == n.deploy_stage), {})
    execution = stage.get("latestExecution", {}).get("pipelineExecutionId")
    if not execution:
        return d.note("production execution", "-", "codepipeline:GetPipelineState", False,
                      f"the {n.deploy_stage} stage has not run yet: wait for the deployment (approve it in CodePipeline)")
    d.execution_id, d.endpoint = execution, n.endpoint(execution)
    d.note("production execution", execution, f"codepipeline:GetPipelineState ({n.deploy_stage})")


def _endpoint(clients: Callable[[str], Any], d: Discovery, given: set[str]) -> None:
    answer = clients("sagemaker").describe_endpoint(EndpointName=d.endpoint)
    d.note("endpoint", f"{d.endpoint} ({answer.get('EndpointStatus', '?')})", "sagemaker:DescribeEndpoint")
    capture = answer.get("DataCaptureConfig", {})
    destination = capture.get("DestinationS3Uri")
    if "capture_prefix" not in given and destination:
        d.use(capture_prefix=destination.rstrip("/"))
    d.capture_kms_key = capture.get("KmsKeyId")
    d.note("capture destination", d.names.capture_prefix, "DescribeEndpoint DataCaptureConfig" if destination else
           "assets/workshop.json", bool(destination), "" if destination else "the endpoint has no data capture: "
           "deploy it with DataCaptureConfig (assets/endpoint-config.template.json)")
    variants = [v.get("VariantName") for v in answer.get("ProductionVariants", []) if v.get("VariantName")]
    if "variant_name" not in given and variants:
        d.use(variant_name=variants[0])
    d.note("variant", d.names.variant_name, "DescribeEndpoint ProductionVariants" if variants else "assets/workshop.json")


def _schedule(clients: Callable[[str], Any], d: Discovery, given: set[str]) -> None:
    sm = clients("sagemaker")
    if "schedule_name" not in given:
        pages = sm.get_paginator("list_monitoring_schedules").paginate(EndpointName=d.endpoint)
        on_endpoint = [s["MonitoringScheduleName"] for p in pages for s in p.get("MonitoringScheduleSummaries", [])]
        if on_endpoint and d.names.schedule_name not in on_endpoint:
            d.use(schedule_name=on_endpoint[0])
    raw = sm.describe_monitoring_schedule(MonitoringScheduleName=d.names.schedule_name)
    d.note("monitoring schedule", f"{d.names.schedule_name} ({raw.get('MonitoringScheduleStatus', '?')})",
           "sagemaker:DescribeMonitoringSchedule")
    config = raw.get("MonitoringScheduleConfig", {})
    outputs = config.get("MonitoringJobDefinition", {}).get("MonitoringOutputConfig", {}).get("MonitoringOutputs", [])
    if config.get("MonitoringJobDefinitionName"):  # made by SDK v2: the definition is its own resource
        job = sm.describe_data_quality_job_definition(JobDefinitionName=config["MonitoringJobDefinitionName"])
        outputs = job.get("DataQualityJobOutputConfig", {}).get("MonitoringOutputs", [])
    uri = next((o.get("S3Output", {}).get("S3Uri") for o in outputs if o.get("S3Output", {}).get("S3Uri")), None)
    if uri and "reports_prefix" not in given:
        d.use(reports_prefix=uri.rstrip("/"))
    d.note("reports location", d.names.reports_prefix, "the schedule's MonitoringOutputs" if uri else "assets/workshop.json")


def _rule(clients: Callable[[str], Any], d: Discovery, region: str, account: str, given: set[str]) -> None:
    if "retrain_rule" in given:
        return d.note("retrain rule", d.names.retrain_rule, "the parameters cell")
    arn = f"arn:aws:codepipeline:{region}:{account}:{d.names.pipeline_name}"
    pages = clients("events").get_paginator("list_rule_names_by_target").paginate(TargetArn=arn)
    rules = sorted(r for p in pages for r in p.get("RuleNames", []))
    if not rules:
        return d.note("retrain rule", d.names.retrain_rule, "events:ListRuleNamesByTarget", False,
                      "no EventBridge rule targets the pipeline: deploy assets/retrain-rule.template.json")
    d.use(retrain_rule=next((r for r in rules if "retrain" in r), rules[0]))
    d.note("retrain rule", d.names.retrain_rule, "events:ListRuleNamesByTarget")


def _attempt(d: Discovery, what: str, doing: str, step: Callable[[], None]) -> bool:
    """Run one lookup; a failure becomes a finding that says what to do, never a crash."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        step()
        return True
    except (ClientError, BotoCoreError) as err:
        d.note(what, "-", doing, False, str(explain(err, doing)))
    except WorkshopAwsError as err:
        d.note(what, "-", doing, False, str(err))
    return False


def discover(clients: Callable[[str], Any], names: WorkshopNames, region: str, account: str,
             given: set[str]) -> Discovery:
    """Resolve the workshop's names on the account; ``given`` are the names the learner set."""
    d = Discovery(names)
    _attempt(d, "pipeline", "listing pipelines (codepipeline:ListPipelines)", lambda: _pipeline(clients, d, given))
    if _attempt(d, "production execution", "reading the pipeline state (codepipeline:GetPipelineState)",
                lambda: _production(clients, d)) and d.endpoint:
        _attempt(d, "endpoint", "describing the endpoint (sagemaker:DescribeEndpoint)", lambda: _endpoint(clients, d, given))
        _attempt(d, "monitoring schedule", "describing the schedule (sagemaker:DescribeMonitoringSchedule)",
                 lambda: _schedule(clients, d, given))
    _attempt(d, "retrain rule", "listing rules that target the pipeline (events:ListRuleNamesByTarget)",
             lambda: _rule(clients, d, region, account, given))
    return d

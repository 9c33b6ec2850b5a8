"""Off Model Monitor, keeping the alarms: an existing schedule becomes a self-run schedule.

``migrate_to_selfrun`` reads a Model Monitor schedule (inline job definition, or a data-quality
job definition by name), and deploys the self-run schedule with the same name, endpoint, baseline,
reports location and metric dimensions, so the reports land in the same folders and the same
metrics feed the same alarms. Two schedules must never publish the same dimensions: while the
old one is still ``Scheduled`` the new one is created DISABLED and the answer says what to stop;
with ``stop_old=True`` the old schedule is stopped first and the new one enabled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..aws import guarded, need
from ..backends import WorkshopSession
from .selfrun import SelfRunTarget, capture_key_arn, deploy_selfrun

__all__ = ["Migration", "clone_alarm_to_namespace", "migrate_to_selfrun"]

ALARM_FIELDS = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
                "MetricName", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
                "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                "EvaluateLowSampleCountPercentile")


@dataclass(frozen=True)
class Migration:
    schedule: str
    target: SelfRunTarget
    old_status: str
    enabled: bool
    message: str
    definitions: dict


def _definition(sagemaker, schedule: dict) -> tuple[dict, str, dict, str, str]:
    """(baseline config, endpoint, output S3Output, instance type, publish switch) of a schedule."""
    config = schedule["MonitoringScheduleConfig"]
    if "MonitoringJobDefinition" in config:
        job = config["MonitoringJobDefinition"]
        baseline, inputs = job.get("BaselineConfig", {}), job["MonitoringInputs"][0]
        output, resources = job["MonitoringOutputConfig"], job["MonitoringResources"]
        environment = job.get("Environment", {})
    else:
        job = sagemaker.describe_data_quality_job_definition(JobDefinitionName=config["MonitoringJobDefinitionName"])
        baseline, inputs = job.get("DataQualityBaselineConfig", {}), job["DataQualityJobInput"]
        output, resources = job["DataQualityJobOutputConfig"], job["JobResources"]
        environment = job["DataQualityAppSpecification"].get("Environment", {})
    if "StatisticsResource" not in baseline or "ConstraintsResource" not in baseline:
        raise ValueError(f"schedule {schedule['MonitoringScheduleName']} has no baseline statistics and "
                         "constraints; the self-run job compares against a baseline, so give it one first")
    endpoint = schedule.get("EndpointName") or need(inputs.get("EndpointInput"), "EndpointInput of the job")["EndpointName"]
    return (baseline, endpoint, output["MonitoringOutputs"][0]["S3Output"],
            resources["ClusterConfig"]["InstanceType"], environment.get("publish_cloudwatch_metrics", "Enabled"))


@guarded("migrating a Model Monitor schedule to self-run (sagemaker:DescribeMonitoringSchedule, "
         "sagemaker:DescribeEndpoint, sagemaker:StopMonitoringSchedule)")
def migrate_to_selfrun(sess: WorkshopSession, schedule_name: str | None = None, *, stop_old: bool = False,
                       **parameters: str) -> Migration:
    """Deploy the self-run schedule that replaces a Model Monitor schedule (see the module)."""
    sagemaker = sess.client("sagemaker")
    name = schedule_name or sess.names.schedule_name
    old = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=name)
    baseline, endpoint, output, instance, publish = _definition(sagemaker, old)
    described = sagemaker.describe_endpoint(EndpointName=endpoint)
    capture = described.get("DataCaptureConfig", {})
    if not capture.get("EnableCapture") or "DestinationS3Uri" not in capture:
        raise ValueError(f"endpoint {endpoint} does not capture its traffic: there is nothing to monitor")
    variants = need(described.get("ProductionVariants"), f"ProductionVariants of endpoint {endpoint}")
    target = SelfRunTarget(endpoint, variants[0]["VariantName"], capture["DestinationS3Uri"].rstrip("/"),
                           need(baseline["StatisticsResource"].get("S3Uri"), "S3Uri of the baseline statistics"),
                           need(baseline["ConstraintsResource"].get("S3Uri"), "S3Uri of the baseline constraints"),
                           output["S3Uri"].rstrip("/"))
    running = old["MonitoringScheduleStatus"] in ("Pending", "Scheduled")
    if running and stop_old:
        sagemaker.stop_monitoring_schedule(MonitoringScheduleName=name)
    enabled = not running or stop_old
    prefix = re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-")[:26].strip("-") or "selfrun"
    settings = {"ScheduleName": name, "JobNamePrefix": prefix, "PublishMetrics": publish,
                "ScheduleState": "ENABLED" if enabled else "DISABLED",
                "CaptureKmsKeyArn": capture_key_arn(sess, capture.get("KmsKeyId", "")), **parameters}
    if "InstanceType" not in parameters and instance in _allowed_instances():
        settings["InstanceType"] = instance
    definitions = deploy_selfrun(sess, target, **settings)
    if enabled:
        message = (f"Self-run schedule {name} is ENABLED; Model Monitor's schedule {name} is "
                   f"{'stopped' if running else old['MonitoringScheduleStatus']}. Reports and metrics keep "
                   "their folders and dimensions.")
    else:
        message = (f"Self-run schedule {name} is created DISABLED, because Model Monitor's schedule {name} is "
                   f"still {old['MonitoringScheduleStatus']} and both would publish the same metric dimensions. "
                   f"Stop it (sagemaker.stop_monitoring_schedule(MonitoringScheduleName={name!r})), then run "
                   "migrate_to_selfrun again (or pass stop_old=True to do both).")
    return Migration(name, target, old["MonitoringScheduleStatus"], enabled, message, definitions)


def _allowed_instances() -> list[str]:
    import json

    from ..config import ASSETS
    from .selfrun import SELFRUN_TEMPLATE

    return json.loads((ASSETS / SELFRUN_TEMPLATE).read_text())["Parameters"]["InstanceType"]["AllowedValues"]


@guarded("cloning an alarm onto another namespace (cloudwatch:DescribeAlarms, cloudwatch:PutMetricAlarm)")
def clone_alarm_to_namespace(sess: WorkshopSession, alarm_name: str, namespace: str,
                             new_name: str | None = None) -> dict:
    """The alarm's copy watching the same metric and dimensions in ``namespace``.

    For an account where CloudWatch refuses publishes into ``aws/sagemaker/...``: the self-run job
    then publishes into a namespace of its own, and this gives the workshop's alarm a twin there.
    """
    cloudwatch = sess.client("cloudwatch")
    found = cloudwatch.describe_alarms(AlarmNames=[alarm_name], AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
    if not found:
        raise LookupError(f"no metric alarm named {alarm_name}")
    request = {k: found[0][k] for k in ALARM_FIELDS if k in found[0]}
    request.update(AlarmName=new_name or f"{alarm_name}-selfrun", Namespace=namespace)
    cloudwatch.put_metric_alarm(**request)
    return request

"""Amazon SageMaker and SageMaker Runtime: jobs, endpoints and the monitoring schedule."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from botocore.response import StreamingBody

from ..api import TwinError
from ..core import Core
from ..endpoint import EndpointRuntime
from ..processing import create_job
from ..schedule import update_schedule
from .pagination import page

_SUMMARY_JOB = ("ProcessingJobName", "ProcessingJobArn", "CreationTime", "ProcessingEndTime",
                "LastModifiedTime", "ProcessingJobStatus", "FailureReason", "ExitMessage")


def _filter_times(items: list[dict], params: dict, field: str, prefix: str) -> list[dict]:
    after, before = params.get(f"{prefix}After"), params.get(f"{prefix}Before")
    if after is not None:
        items = [i for i in items if i[field] > _aware(after)]
    if before is not None:
        items = [i for i in items if i[field] < _aware(before)]
    return items


def _aware(moment: Any) -> datetime:
    from datetime import timezone

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _sorted_page(items: list[dict], params: dict, sort_fields: dict[str, str], default: str) -> tuple[list, str | None]:
    field = sort_fields[params.get("SortBy", default)]
    items = sorted(items, key=lambda i: i[field], reverse=params.get("SortOrder", "Descending") == "Descending")
    return page(items, params.get("MaxResults", 10), params.get("NextToken"))


class SageMaker:
    def __init__(self, core: Core):
        self.core = core

    def _get(self, kind: str, name: str, error: TwinError) -> dict:
        found = self.core.ws.resource(kind, name)
        if found is None:
            raise error
        return found

    def CreateProcessingJob(self, params: dict) -> dict:
        return {"ProcessingJobArn": create_job(self.core, params)["ProcessingJobArn"]}

    def UpdateMonitoringSchedule(self, params: dict) -> dict:
        schedule = update_schedule(self.core, params["MonitoringScheduleName"], params["MonitoringScheduleConfig"])
        return {"MonitoringScheduleArn": schedule["MonitoringScheduleArn"]}

    def DescribeProcessingJob(self, params: dict) -> dict:
        name = params["ProcessingJobName"]
        job = self._get("processing_job", name, TwinError("ValidationException", f"Could not find requested job with name {name}"))
        return job

    def ListProcessingJobs(self, params: dict) -> dict:
        jobs = self.core.ws.resources("processing_job")
        if params.get("NameContains"):
            jobs = [j for j in jobs if params["NameContains"] in j["ProcessingJobName"]]
        if params.get("StatusEquals"):
            jobs = [j for j in jobs if j["ProcessingJobStatus"] == params["StatusEquals"]]
        jobs = _filter_times(jobs, params, "CreationTime", "CreationTime")
        chunk, token = _sorted_page(jobs, params, {"CreationTime": "CreationTime", "Name": "ProcessingJobName",
                                                   "Status": "ProcessingJobStatus"}, "CreationTime")
        summaries = [{k: j[k] for k in _SUMMARY_JOB if k in j} for j in chunk]
        return {"ProcessingJobSummaries": summaries, **({"NextToken": token} if token else {})}

    def DescribeTrainingJob(self, params: dict) -> dict:
        name = params["TrainingJobName"]
        return self._get("training_job", name, TwinError("ValidationException", f"Requested resource not found: {name}"))

    def DescribeModel(self, params: dict) -> dict:
        name = params["ModelName"]
        return self._get("model", name, TwinError("ValidationException", f'Could not find model "{self.core.arn("sagemaker", "model/" + name)}".'))

    def DescribeEndpoint(self, params: dict) -> dict:
        name = params["EndpointName"]
        endpoint = self._get("endpoint", name, TwinError(
            "ValidationException", f'Could not find endpoint "{self.core.arn("sagemaker", "endpoint/" + name)}".'))
        return {k: v for k, v in endpoint.items() if k != "ModelDataUrl"}

    def ListEndpoints(self, params: dict) -> dict:
        endpoints = [e for e in self.core.ws.resources("endpoint")
                     if params.get("NameContains", "") in e["EndpointName"]]
        chunk, token = _sorted_page(endpoints, params, {"CreationTime": "CreationTime", "Name": "EndpointName"},
                                    "CreationTime")
        keys = ("EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus")
        return {"Endpoints": [{k: e[k] for k in keys} for e in chunk], **({"NextToken": token} if token else {})}

    def DescribeEndpointConfig(self, params: dict) -> dict:
        name = params["EndpointConfigName"]
        return self._get("endpoint_config", name, TwinError(
            "ValidationException", f'Could not find endpoint configuration "{self.core.arn("sagemaker", "endpoint-config/" + name)}".'))

    def DescribeMonitoringSchedule(self, params: dict) -> dict:
        name = params["MonitoringScheduleName"]
        return self._get("monitoring_schedule", name, TwinError(
            "ResourceNotFound", f"Monitoring Schedule '{name}' does not exist in account {self.core.ws.account_id}."))

    def ListMonitoringSchedules(self, params: dict) -> dict:
        schedules = self.core.ws.resources("monitoring_schedule")
        if params.get("EndpointName"):
            schedules = [s for s in schedules if s["EndpointName"] == params["EndpointName"]]
        if params.get("NameContains"):
            schedules = [s for s in schedules if params["NameContains"] in s["MonitoringScheduleName"]]
        chunk, token = _sorted_page(schedules, params, {"CreationTime": "CreationTime", "Name": "MonitoringScheduleName",
                                                        "Status": "MonitoringScheduleStatus"}, "CreationTime")
        keys = ("MonitoringScheduleName", "MonitoringScheduleArn", "CreationTime", "LastModifiedTime",
                "MonitoringScheduleStatus", "EndpointName", "MonitoringType")
        return {"MonitoringScheduleSummaries": [{k: s[k] for k in keys} for s in chunk],
                **({"NextToken": token} if token else {})}

    def ListTags(self, params: dict) -> dict:
        """The twin's resources carry no tags (the SageMaker SDK asks when it attaches)."""
        arn = params["ResourceArn"]
        if f":{self.core.ws.account_id}:" not in arn:
            raise TwinError("ValidationException", f"Could not find resource {arn}")
        return {"Tags": []}

    def ListMonitoringExecutions(self, params: dict) -> dict:
        executions = self.core.ws.resources("monitoring_execution")
        for key in ("MonitoringScheduleName", "EndpointName"):
            if params.get(key):
                executions = [e for e in executions if e[key] == params[key]]
        if params.get("StatusEquals"):
            executions = [e for e in executions if e["MonitoringExecutionStatus"] == params["StatusEquals"]]
        executions = _filter_times(executions, params, "ScheduledTime", "ScheduledTime")
        executions = _filter_times(executions, params, "CreationTime", "CreationTime")
        chunk, token = _sorted_page(executions, params, {"CreationTime": "CreationTime", "ScheduledTime": "ScheduledTime",
                                                         "Status": "MonitoringExecutionStatus"}, "CreationTime")
        summaries = [{k: v for k, v in e.items() if k != "ProcessingJobName"} for e in chunk]
        return {"MonitoringExecutionSummaries": summaries, **({"NextToken": token} if token else {})}


class SageMakerRuntime:
    def __init__(self, runtime: EndpointRuntime):
        self.runtime = runtime

    def InvokeEndpoint(self, params: dict) -> dict:
        body = params["Body"]
        if hasattr(body, "read"):
            body = body.read()
        output, content_type, variant = self.runtime.invoke(
            params["EndpointName"], body, params.get("ContentType"), inference_id=params.get("InferenceId"))
        data = output.encode("utf-8")
        return {"Body": StreamingBody(io.BytesIO(data), len(data)), "ContentType": content_type,
                "InvokedProductionVariant": variant}

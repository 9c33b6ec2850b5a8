"""Processing jobs that run the Model Monitor analyzer to suggest a baseline.

Two callers: the pipeline's baseline job (``mlops-nyctaxi-pbl-<execution id>``, run inside its
Train stage) and ``CreateProcessingJob`` (what the SageMaker SDK's ``suggest_baseline`` calls).
A job is read the way the container reads it: the ``Environment`` names container paths
(``dataset_source``, ``output_path``), the inputs and outputs map those paths to S3. A created
job is InProgress until the virtual clock passes its end, then Completed (or Failed with the
reason), with ``statistics.json`` and ``constraints.json`` written to its output prefix.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from ..analyzer.baseline import run_baseline
from .api import TwinError
from .core import Core

__all__ = ["ANALYZER_IMAGE", "baseline_request", "complete_due", "create_job", "next_due", "run_job"]

ANALYZER_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
_STARTS_AFTER = timedelta(minutes=3)  # provisioning the instance and pulling the image
_RUNS_FOR = timedelta(minutes=6)
_INPUT_PATH = "/opt/ml/processing/input/baseline_dataset_input"
_OUTPUT_PATH = "/opt/ml/processing/output"
_CSV_WITH_HEADER = '{"csv": {"header": true, "output_columns_position": "START"}}'


def baseline_request(core: Core, name: str, dataset_uri: str, output_uri: str) -> dict:
    """A CreateProcessingJob request for a baselining job, as the SDK and the pipeline send it."""
    return {
        "ProcessingJobName": name,
        "ProcessingInputs": [{"InputName": "baseline_dataset_input", "AppManaged": False, "S3Input": {
            "S3Uri": dataset_uri, "LocalPath": _INPUT_PATH, "S3DataType": "S3Prefix", "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "monitoring_output", "AppManaged": False, "S3Output": {
            "S3Uri": output_uri, "LocalPath": _OUTPUT_PATH, "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                  "VolumeSizeInGB": 30}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
        "AppSpecification": {"ImageUri": ANALYZER_IMAGE},
        "Environment": {"dataset_format": _CSV_WITH_HEADER, "dataset_source": _INPUT_PATH,
                        "output_path": _OUTPUT_PATH, "publish_cloudwatch_metrics": "Disabled"},
        "RoleArn": core.role_arn("sagemaker"),
    }


def create_job(core: Core, request: dict) -> dict:
    """Record a new job InProgress (CreateProcessingJob); it runs when the clock reaches its end."""
    name = request["ProcessingJobName"]
    if core.ws.resource("processing_job", name) is not None:
        raise TwinError("ResourceInUse", f"Job name must be unique within an AWS account and region, and a job "
                        f"with this name already exists ({core.arn('sagemaker', 'processing-job/' + name.lower())})")
    image = request["AppSpecification"]["ImageUri"]
    if not image.split("@")[0].split(":")[0].endswith("/sagemaker-model-monitor-analyzer"):
        raise TwinError("ValidationException", f"the local twin runs only the Model Monitor analyzer image "
                        f"(.../sagemaker-model-monitor-analyzer), not {image}")
    environment = request.get("Environment") or {}
    if "baseline_statistics" in environment or "baseline_constraints" in environment:
        raise TwinError("ValidationException", "the local twin runs baselining jobs only; monitoring jobs "
                        "run from the monitoring schedule")
    now = core.now()
    job = {**request, "ProcessingJobArn": core.arn("sagemaker", f"processing-job/{name.lower()}"),
           "ProcessingJobStatus": "InProgress", "CreationTime": now, "LastModifiedTime": now}
    job.pop("Tags", None)
    core.ws.put_resource("processing_job", name, job)
    core.ws.put_resource("processing_due", name, {"name": name, "ends": now + _STARTS_AFTER + _RUNS_FOR})
    return job


def next_due(core: Core) -> datetime | None:
    """When the earliest running job ends (the estate's clock stops there)."""
    ends = [due["ends"] for due in core.ws.resources("processing_due")]
    return min(ends) if ends else None


def complete_due(core: Core, until: datetime) -> None:
    """Run every job whose end is at or before ``until``, in time order."""
    for due in sorted(core.ws.resources("processing_due"), key=lambda d: d["ends"]):
        if due["ends"] > until:
            return
        core.set_clock(due["ends"])
        job = core.ws.resource("processing_job", due["name"])
        run_job(core, job, job["CreationTime"], due["ends"])
        core.ws.delete_resource("processing_due", due["name"])


def run_job(core: Core, job: dict, created: datetime, ended: datetime) -> dict:
    """Run the analyzer over the job's input and store the finished job (Completed or Failed)."""
    try:
        _analyse(core, job)
        outcome = {"ProcessingJobStatus": "Completed",
                   "ExitMessage": "Completed: Job completed successfully with no violations."}
    except (TwinError, FileNotFoundError, ValueError) as err:  # AnalyzerInputError is a ValueError
        reason = err.message if isinstance(err, TwinError) else str(err)
        outcome = {"ProcessingJobStatus": "Failed", "FailureReason": f"ClientError: {reason}",
                   "ExitMessage": f"Error: {reason}"}
    job = {**job, **outcome, "CreationTime": created, "ProcessingStartTime": created + _STARTS_AFTER,
           "ProcessingEndTime": ended, "LastModifiedTime": ended}
    core.ws.put_resource("processing_job", job["ProcessingJobName"], job)
    return job


def _s3_for(paths: list[dict], local: str, kind: str) -> str:
    for item in paths:
        if item.get("LocalPath", "").rstrip("/") == local.rstrip("/"):
            return item["S3Uri"]
    raise ValueError(f"no processing {kind} is mounted at {local} (the job's Environment names it)")


def _analyse(core: Core, job: dict) -> None:
    env = job.get("Environment") or {}
    source, output = env.get("dataset_source"), env.get("output_path")
    if not source or not output:
        raise ValueError("Environment needs dataset_source and output_path (container paths)")
    inputs = [i["S3Input"] for i in job.get("ProcessingInputs", []) if "S3Input" in i]
    outputs = [o["S3Output"] for o in job.get("ProcessingOutputConfig", {}).get("Outputs", []) if "S3Output" in o]
    dataset_uri, output_uri = _s3_for(inputs, source, "input"), _s3_for(outputs, output, "output")
    csv = json.loads(env.get("dataset_format", _CSV_WITH_HEADER)).get("csv")
    if csv is None:
        raise ValueError(f"dataset_format {env.get('dataset_format')} is not CSV; the twin's baselines read CSV")
    prefix = core.key_of(dataset_uri)
    files = [core.ws.object_path(core.bucket, o.key) for o in core.ws.list_objects(core.bucket, prefix)]
    if not files:
        raise FileNotFoundError(f"no objects under {dataset_uri}")
    if len(files) != 1:
        raise ValueError(f"{dataset_uri} holds {len(files)} objects; the twin's baselining job reads one CSV file")
    result = run_baseline(files[0], header=bool(csv.get("header", False)), container=core.container)
    out = core.key_of(output_uri.rstrip("/"))
    core.put_bytes(f"{out}/statistics.json", result.statistics.to_json().encode())
    core.put_bytes(f"{out}/constraints.json", result.constraints.to_json().encode())

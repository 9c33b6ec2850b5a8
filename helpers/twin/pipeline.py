"""The pipeline ``mlops-nyctaxi``: Source, Build (train, baseline), DeployDev, DeployPrd.

An execution is started (by the CLI, ``start_pipeline_execution`` or the retrain rule) and its
stages finish at virtual times; the work of a stage is done when the clock passes its end, so
learners see an execution InProgress and then Succeeded, as in the console. Each execution
trains a real XGBoost model on fresher synthetic trips, baselines the training set with the
analyzer (the processing job ``mlops-nyctaxi-pbl-<execution id>``), and deploys the endpoint
``mlops-nyctaxi-prd-<execution id>`` with data capture, the schedule and the drift alarm.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from ..analyzer.baseline import run_baseline
from ..datasets import nyc_taxi_trips, split_trips
from ..infra import resource_properties
from .core import Core
from .model import HYPERPARAMETERS, train_artifact
from .schedule import deploy_monitoring
from .services.cloudwatch import CloudWatch

__all__ = ["STAGES", "complete_due", "start_execution"]

# (stage, [(action, provider)], minutes after the execution starts when the stage ends)
STAGES = [
    ("Source", [("GitSource", "CodeCommit"), ("DataSource", "S3")], 1),
    ("Build", [("BuildModel", "CodeBuild")], 24),
    ("DeployDev", [("DeployDevModel", "CloudFormation")], 32),
    ("DeployPrd", [("DeployPrdModel", "CloudFormation")], 44),
]
TRIPS_PER_EXECUTION = 860_000  # 70 % of it trains: a baseline of about 600k rows, as the real run
ANALYZER_IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3"


def start_execution(core: Core, trigger_type: str = "StartPipelineExecution", detail: str = "") -> str:
    """Record a new execution InProgress; older executions in progress are superseded."""
    now = core.ws.now()
    execution_id = str(uuid.uuid4())
    for old in core.ws.resources("pipeline_execution"):
        if old["status"] == "InProgress":
            old.update(status="Superseded", lastUpdateTime=now)
            core.ws.put_resource("pipeline_execution", old["pipelineExecutionId"], old)
    stages = {}
    for i, (stage, actions, minutes) in enumerate(STAGES):
        stages[stage] = {"status": "InProgress" if i == 0 else "NotStarted",
                         "ends": now + timedelta(minutes=minutes),
                         "started": now if i == 0 else None,
                         "actions": [a for a, _ in actions]}
    core.ws.put_resource("pipeline_execution", execution_id, {
        "pipelineName": core.names.pipeline_name, "pipelineVersion": 1,
        "pipelineExecutionId": execution_id, "status": "InProgress",
        "startTime": now, "lastUpdateTime": now, "executionMode": "SUPERSEDED",
        "trigger": {"triggerType": trigger_type, "triggerDetail": detail or core.role_arn("pipeline")},
        "dataSeed": core.ws.next_number("data_seed"), "stages": stages})
    return execution_id


def complete_due(core: Core, cloudwatch: CloudWatch, until: datetime) -> None:
    """Finish every stage whose end is at or before ``until``, in time order."""
    while True:
        due = []
        for execution in core.ws.resources("pipeline_execution"):
            if execution["status"] != "InProgress":
                continue
            for stage, *_ in STAGES:
                state = execution["stages"][stage]
                if state["status"] in ("InProgress", "NotStarted") and state["ends"] <= until:
                    due.append((state["ends"], execution["pipelineExecutionId"], stage))
                    break
        if not due:
            return
        ends, execution_id, stage = min(due)
        core.set_clock(ends)
        _finish_stage(core, cloudwatch, execution_id, stage)


def _finish_stage(core: Core, cloudwatch: CloudWatch, execution_id: str, stage: str) -> None:
    execution = core.ws.resource("pipeline_execution", execution_id)
    if stage == "Build":
        _build(core, execution)
    elif stage == "DeployPrd":
        _deploy(core, cloudwatch, execution)
    now = core.ws.now()
    names = [s for s, *_ in STAGES]
    execution["stages"][stage].update(status="Succeeded", finished=now)
    position = names.index(stage)
    if position + 1 < len(names):
        execution["stages"][names[position + 1]].update(status="InProgress", started=now)
    else:
        execution["status"] = "Succeeded"
    execution["lastUpdateTime"] = now
    core.ws.put_resource("pipeline_execution", execution_id, execution)


def _build(core: Core, execution: dict) -> None:
    """Fresher data, a real training job, and the baseline processing job."""
    execution_id = execution["pipelineExecutionId"]
    start = execution["stages"]["Build"]["started"]
    train, validation, test = split_trips(nyc_taxi_trips(TRIPS_PER_EXECUTION, seed=2018 + execution["dataSeed"]),
                                          seed=execution["dataSeed"])
    prefix = f"{core.names.model_name}/{execution_id}"
    put = core.put_csv
    put(f"{prefix}/input/training/train.csv", train, header=False)
    put(f"{prefix}/input/validation/validation.csv", validation, header=False)
    put(f"{prefix}/input/baseline/baseline.csv", train, header=True)
    put(f"{prefix}/input/test/test.csv", test, header=True)
    artifact, metrics = train_artifact(train, validation, seed=execution["dataSeed"])
    model_key = f"{prefix}/output/model.tar.gz"
    core.ws.put_object(core.bucket, model_key, artifact)
    job = f"mlops-{core.names.model_name}-{execution_id}"
    core.ws.put_resource("training_job", job, _training_job(core, job, prefix, model_key, start, metrics))
    _baseline_job(core, execution_id, f"{prefix}/input/baseline/baseline.csv", start + timedelta(minutes=12))


def _training_job(core: Core, job: str, prefix: str, model_key: str, start: datetime, metrics: dict) -> dict:
    uri = f"s3://{core.bucket}/{prefix}"
    return {
        "TrainingJobName": job, "TrainingJobArn": core.arn("sagemaker", f"training-job/{job}"),
        "TrainingJobStatus": "Completed", "SecondaryStatus": "Completed",
        "HyperParameters": {k: str(v) for k, v in HYPERPARAMETERS.items()},
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": c, "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"{uri}/input/{c}", "S3DataDistributionType": "FullyReplicated"}},
            "ContentType": "text/csv"} for c in ("training", "validation")],
        "OutputDataConfig": {"S3OutputPath": f"{uri}/output"},
        "ModelArtifacts": {"S3ModelArtifacts": f"s3://{core.bucket}/{model_key}"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600}, "RoleArn": core.role_arn("sagemaker"),
        "FinalMetricDataList": [{"MetricName": k, "Value": v, "Timestamp": start + timedelta(minutes=10)}
                                for k, v in metrics.items()],
        "CreationTime": start, "TrainingStartTime": start + timedelta(minutes=2),
        "TrainingEndTime": start + timedelta(minutes=10), "LastModifiedTime": start + timedelta(minutes=11),
    }


def _baseline_job(core: Core, execution_id: str, dataset_key: str, start: datetime) -> None:
    """The real analyzer over the training set, written where the baseline job writes."""
    job = core.names.baseline_job(execution_id)
    output = f"{core.names.model_name}/monitoring/baseline/{job}"
    local = core.ws.object_path(core.bucket, dataset_key)
    result = run_baseline(local, header=True, container=core.container)
    core.ws.put_object(core.bucket, f"{output}/statistics.json", result.statistics.to_json().encode())
    core.ws.put_object(core.bucket, f"{output}/constraints.json", result.constraints.to_json().encode())
    dataset_uri = f"s3://{core.bucket}/{dataset_key}"
    core.ws.put_resource("processing_job", job, {
        "ProcessingInputs": [{"InputName": "baseline_dataset_input", "AppManaged": False, "S3Input": {
            "S3Uri": dataset_uri, "LocalPath": "/opt/ml/processing/input/baseline_dataset_input",
            "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "monitoring_output", "AppManaged": False,
            "S3Output": {"S3Uri": f"s3://{core.bucket}/{output}", "LocalPath": "/opt/ml/processing/output",
                         "S3UploadMode": "EndOfJob"}}]},
        "ProcessingJobName": job,
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                  "VolumeSizeInGB": 30}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
        "AppSpecification": {"ImageUri": ANALYZER_IMAGE},
        "Environment": {"dataset_format": '{"csv": {"header": true, "output_columns_position": "START"}}',
                        "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
                        "output_path": "/opt/ml/processing/output", "publish_cloudwatch_metrics": "Disabled"},
        "RoleArn": core.role_arn("sagemaker"),
        "ProcessingJobArn": core.arn("sagemaker", f"processing-job/{job}"),
        "ProcessingJobStatus": "Completed", "ExitMessage": "Completed: Job completed successfully with no violations.",
        "ProcessingEndTime": start + timedelta(minutes=9), "ProcessingStartTime": start + timedelta(minutes=3),
        "LastModifiedTime": start + timedelta(minutes=10), "CreationTime": start,
    })


def _deploy(core: Core, cloudwatch: CloudWatch, execution: dict) -> None:
    """Model, endpoint config (from the asset), endpoint, schedule and alarm for this execution."""
    execution_id = execution["pipelineExecutionId"]
    now = core.ws.now()
    started = execution["stages"]["DeployPrd"]["started"]
    endpoint = core.names.endpoint(execution_id)
    model_name = f"{core.names.model_name}-{execution_id}"
    artifact = f"s3://{core.bucket}/{core.names.model_name}/{execution_id}/output/model.tar.gz"
    core.ws.put_resource("model", model_name, {
        "ModelName": model_name, "ModelArn": core.arn("sagemaker", f"model/{model_name}"),
        "PrimaryContainer": {"Image": XGBOOST_IMAGE, "Mode": "SingleModel", "ModelDataUrl": artifact,
                             "Environment": {}},
        "ExecutionRoleArn": core.role_arn("sagemaker"), "CreationTime": started})
    config = resource_properties("endpoint-config.template.json", {
        "EndpointConfigName": endpoint, "ModelName": model_name, "VariantName": core.names.variant_name,
        "CaptureUri": f"s3://{core.bucket}/{core.names.capture_prefix}"},
        region=core.ws.region, account_id=core.ws.account_id)
    config.update(EndpointConfigArn=core.arn("sagemaker", f"endpoint-config/{endpoint}"), CreationTime=started)
    core.ws.put_resource("endpoint_config", endpoint, config)
    capture = config["DataCaptureConfig"]
    variant = config["ProductionVariants"][0]
    for old in core.ws.resources("endpoint"):  # the production stack replaces its endpoint
        core.ws.delete_resource("endpoint", old["EndpointName"])
    core.ws.put_resource("endpoint", endpoint, {
        "EndpointName": endpoint, "EndpointArn": core.arn("sagemaker", f"endpoint/{endpoint}"),
        "EndpointConfigName": endpoint,
        "ProductionVariants": [{"VariantName": variant["VariantName"], "DeployedImages": [{
            "SpecifiedImage": XGBOOST_IMAGE, "ResolvedImage": XGBOOST_IMAGE, "ResolutionTime": started}],
            "CurrentWeight": 1.0, "DesiredWeight": 1.0, "CurrentInstanceCount": 1, "DesiredInstanceCount": 1}],
        "DataCaptureConfig": {"EnableCapture": capture["EnableCapture"], "CaptureStatus": "Started",
                              "CurrentSamplingPercentage": capture["InitialSamplingPercentage"],
                              "DestinationS3Uri": capture["DestinationS3Uri"],
                              "KmsKeyId": capture.get("KmsKeyId", "")},
        "EndpointStatus": "InService", "CreationTime": started, "LastModifiedTime": now,
        "ModelDataUrl": artifact})
    deploy_monitoring(core, cloudwatch, endpoint, core.names.baseline_job(execution_id))


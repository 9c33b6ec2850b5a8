"""What the pipeline's actions do: StartWorkflow trains and baselines, DeployModelPrd deploys.

StartWorkflow (stage Train) trains a real XGBoost model on fresher synthetic trips and runs the
baseline processing job ``mlops-nyctaxi-pbl-<execution id>`` over the training set;
DeployModelPrd (stage DeployPrd) deploys ``mlops-nyctaxi-prd-<execution id>`` with data capture,
points the schedule at the new baseline and sets up the drift alarm.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..datasets import nyc_taxi_trips, split_trips
from ..infra import resource_properties
from .core import Core
from .model import HYPERPARAMETERS, train_artifact
from .processing import baseline_request, run_job
from .schedule import deploy_monitoring
from .services.cloudwatch import CloudWatch

__all__ = ["deploy_production", "train_and_baseline"]

TRIPS_PER_EXECUTION = 860_000  # 70 % of it trains: a baseline of about 600k rows, as the real run
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3"


def train_and_baseline(core: Core, execution: dict) -> None:
    """Fresher data, a real training job, and the baseline processing job."""
    execution_id = execution["pipelineExecutionId"]
    start = execution["stages"]["Train"]["started"]
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
    """The real analyzer over the training set, as a processing job of the twin."""
    job = core.names.baseline_job(execution_id)
    output = core.uri(f"{core.names.model_name}/monitoring/baseline/{job}")
    request = baseline_request(core, job, core.uri(dataset_key), output)
    request.update(ProcessingJobArn=core.arn("sagemaker", f"processing-job/{job}"))
    run_job(core, request, start, start + timedelta(minutes=9))


def deploy_production(core: Core, cloudwatch: CloudWatch, execution: dict) -> None:
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


"""The deployed model's predictions over many rows (like a batch transform)."""

from __future__ import annotations

import pandas as pd

from ..aws import guarded, need
from ..backends import WorkshopSession
from .reports import split_s3_uri


@guarded("loading the model artifact (sagemaker:DescribeModel, s3:GetObject)")
def model_predictions(sess: WorkshopSession, endpoint: str, features: pd.DataFrame) -> pd.Series:
    """The deployed model's predictions for many rows, from its artifact (like a batch transform)."""
    from ..twin.model import Predictor

    sm = sess.client("sagemaker")
    config_name = need(sm.describe_endpoint(EndpointName=endpoint).get("EndpointConfigName"), f"EndpointConfigName of {endpoint}")
    variants = sm.describe_endpoint_config(EndpointConfigName=config_name).get("ProductionVariants", [])
    model_name = need(variants[0].get("ModelName") if variants else None, f"ModelName of {config_name}'s variant")
    container = sm.describe_model(ModelName=model_name).get("PrimaryContainer", {})
    bucket, key = split_s3_uri(need(container.get("ModelDataUrl"), f"ModelDataUrl of model {model_name}"))
    predictor = Predictor(sess.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    lines = "\n".join(",".join(repr(float(v)) for v in row) for row in features.to_numpy())
    return pd.Series([float(v) for v in predictor.predict_csv(lines).splitlines()], index=features.index)


@guarded("invoking the endpoint (sagemaker:InvokeEndpoint)")
def invoke_endpoint(sess: WorkshopSession, endpoint: str, body: str, inference_id: str | None = None) -> str:
    """Step 13: one CSV request to the endpoint; the prediction's text."""
    answer = sess.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint, ContentType="text/csv", Body=body, **({"InferenceId": inference_id} if inference_id else {}))
    return answer["Body"].read().decode("utf-8")

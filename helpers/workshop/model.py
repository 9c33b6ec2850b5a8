"""The deployed model's predictions over many rows (like a batch transform)."""

from __future__ import annotations

import pandas as pd

from ..aws import guarded
from ..backends import WorkshopSession
from .reports import split_s3_uri


@guarded("loading the model artifact (sagemaker:DescribeModel, s3:GetObject)")
def model_predictions(sess: WorkshopSession, endpoint: str, features: pd.DataFrame) -> pd.Series:
    """The deployed model's predictions for many rows, from its artifact (like a batch transform)."""
    from ..twin.model import Predictor

    config = sess.client("sagemaker").describe_endpoint_config(
        EndpointConfigName=sess.client("sagemaker").describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])
    model = sess.client("sagemaker").describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    bucket, key = split_s3_uri(model["PrimaryContainer"]["ModelDataUrl"])
    predictor = Predictor(sess.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    lines = "\n".join(",".join(repr(float(v)) for v in row) for row in features.to_numpy())
    return pd.Series([float(v) for v in predictor.predict_csv(lines).splitlines()], index=features.index)

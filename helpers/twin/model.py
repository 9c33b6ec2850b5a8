"""The model: real XGBoost, trained like the workshop's built-in XGBoost job, served from its artifact.

The artifact is a ``model.tar.gz`` holding ``xgboost-model``, as SageMaker's XGBoost container
writes it. Predictions are written back as the container writes them: one float per line.
"""

from __future__ import annotations

import io
import tarfile

import numpy as np
import pandas as pd
import xgboost as xgb

__all__ = ["HYPERPARAMETERS", "Predictor", "train_artifact"]

HYPERPARAMETERS = {"objective": "reg:squarederror", "max_depth": 5, "eta": 0.2, "gamma": 4,
                   "min_child_weight": 6, "subsample": 0.8, "num_round": 50}


def train_artifact(train: pd.DataFrame, validation: pd.DataFrame, seed: int = 0) -> tuple[bytes, dict]:
    """Train on target-first frames; the model.tar.gz bytes and the final validation RMSE."""
    params = {k: v for k, v in HYPERPARAMETERS.items() if k != "num_round"}
    params.update(tree_method="hist", nthread=2, seed=seed)
    dtrain = xgb.DMatrix(train.iloc[:, 1:].to_numpy(), label=train.iloc[:, 0].to_numpy())
    dvalid = xgb.DMatrix(validation.iloc[:, 1:].to_numpy(), label=validation.iloc[:, 0].to_numpy())
    log: dict = {}
    booster = xgb.train(params, dtrain, HYPERPARAMETERS["num_round"], evals=[(dvalid, "validation")],
                        evals_result=log, verbose_eval=False)
    raw = bytes(booster.save_raw("json"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue(), {"validation:rmse": float(log["validation"]["rmse"][-1])}


def _load_booster(raw: bytes) -> xgb.Booster:
    """JSON/UBJ (what the twin and XGBoost >= 1.3 containers write), else the pickled Booster
    the 1.0-1 container wrote; a clear error when the installed xgboost can read neither."""
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
        return booster
    except xgb.core.XGBoostError as err:
        import pickle

        try:
            loaded = pickle.loads(raw)  # noqa: S301 - the artifact of the learner's own training job
        except Exception:
            raise ValueError(f"cannot read this xgboost-model with xgboost {xgb.__version__}: {err}") from None
        if not isinstance(loaded, xgb.Booster):
            raise ValueError(f"xgboost-model holds a {type(loaded).__name__}, not an XGBoost Booster") from None
        return loaded


class Predictor:
    """An endpoint's loaded model: CSV rows in, CSV predictions out."""

    def __init__(self, artifact: bytes):
        with tarfile.open(fileobj=io.BytesIO(artifact), mode="r:gz") as tar:
            member = tar.extractfile("xgboost-model")
            if member is None:
                raise ValueError("model.tar.gz has no xgboost-model")
            raw = member.read()
        self.booster = _load_booster(raw)
        self.num_features = self.booster.num_features()

    def predict_csv(self, body: str) -> str:
        """Rows of comma-separated numbers (no header) to one prediction per line.

        Raises ValueError with the container's kind of message for input it cannot use.
        """
        rows = [line for line in body.strip().splitlines() if line.strip()]
        if not rows:
            raise ValueError("Empty request body")
        try:
            # as the container's csv_to_dmatrix: an empty field is a missing value (NaN), text is an error
            matrix = np.array([[float(x) if x != "" else np.nan for x in line.split(",")] for line in rows],
                              dtype=np.float32)
        except ValueError as err:
            raise ValueError(f"Unable to parse CSV payload: {err}") from None
        if matrix.shape[1] != self.num_features:
            raise ValueError(f"Feature size mismatch: the model expects {self.num_features} "
                             f"features, the request has {matrix.shape[1]}")
        predictions = self.booster.inplace_predict(matrix)
        return "\n".join(repr(float(p)) for p in predictions)

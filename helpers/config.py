"""The workshop's names, from assets/workshop.json: one source of truth for the twin and AWS."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path

__all__ = ["ASSETS", "WorkshopNames", "load_names"]

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@dataclass(frozen=True)
class WorkshopNames:
    """Names of the workshop's resources; notebook parameters may override any of them."""

    region: str
    model_name: str
    pipeline_name: str
    deploy_stage: str
    baseline_job_prefix: str
    endpoint_prefix: str
    variant_name: str
    schedule_name: str
    capture_prefix: str
    reports_prefix: str
    alarm_name: str
    drift_metric: str
    retrain_rule: str
    dashboard_name: str

    def baseline_job(self, execution_id: str) -> str:
        return f"{self.baseline_job_prefix}{execution_id}"

    def endpoint(self, execution_id: str) -> str:
        return f"{self.endpoint_prefix}{execution_id}"

    def with_overrides(self, **overrides: str) -> WorkshopNames:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown workshop names {unknown}; known: {sorted(known)}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def load_names(path: str | Path | None = None, **overrides: str) -> WorkshopNames:
    path = Path(path) if path else ASSETS / "workshop.json"
    data = json.loads(path.read_text())
    expected = {f.name for f in fields(WorkshopNames)}
    missing = sorted(expected - set(data))
    if missing:
        raise ValueError(f"{path}: missing names {missing}")
    return WorkshopNames(**{k: data[k] for k in expected}).with_overrides(**overrides)

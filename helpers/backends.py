"""``helpers.session()``: one object that gives the steps their clients, on the twin or on AWS.

(The module is ``backends``, so that ``helpers.session`` is always this function.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import WorkshopNames, load_names

__all__ = ["WorkshopSession", "session"]

BACKENDS = ("local", "aws")
MONITORING = ("model-monitor", "self")


@dataclass
class WorkshopSession:
    """Clients with boto3's names and shapes, the account's coordinates and the workshop's names."""

    backend: str
    region: str
    account_id: str
    names: WorkshopNames
    _factory: Any = field(repr=False)
    twin: Any = field(default=None, repr=False)  # the local twin, for its virtual clock
    boto_session: Any = field(default=None, repr=False)  # the boto3 session on AWS
    monitoring: str = "model-monitor"  # or "self": the self-run schedule (helpers.workshop.selfrun)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def default_bucket(self) -> str:
        return f"sagemaker-{self.region}-{self.account_id}"

    def client(self, name: str) -> Any:
        if name not in self._clients:
            self._clients[name] = self._factory(name)
        return self._clients[name]

    def now(self) -> datetime:
        """The twin's virtual time, or the real time on AWS."""
        return self.twin.ws.now() if self.twin is not None else datetime.now(timezone.utc)


def session(backend: str | None = None, workspace: str | Path | None = None, region: str | None = None,
            monitoring: str | None = None, **names: str) -> WorkshopSession:
    """The backend is the argument, else ``WORKSHOP_BACKEND``, else ``"local"``.

    ``names`` overrides any of the workshop's names (``schedule_name="..."``), as a notebook's
    parameters cell does. ``monitoring`` (else ``WORKSHOP_MONITORING``, else "model-monitor")
    chooses what runs the hourly checks on AWS: Model Monitor's schedule, or "self", the self-run
    schedule for accounts that Model Monitor no longer admits.
    """
    backend = backend or os.environ.get("WORKSHOP_BACKEND") or "local"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    monitoring = _monitoring(backend, monitoring or os.environ.get("WORKSHOP_MONITORING") or "model-monitor")
    if backend == "local":
        from .twin.estate import Twin

        twin = Twin.open(workspace)
        return WorkshopSession("local", twin.ws.region, twin.ws.account_id,
                               twin.names.with_overrides(**names), twin.client, twin, monitoring=monitoring)
    import boto3

    from .aws import aws_identity, retrying_config

    boto_session = boto3.session.Session(region_name=region or os.environ.get("AWS_DEFAULT_REGION")
                                         or load_names().region)
    account, region = aws_identity(boto_session)
    config = retrying_config()
    return WorkshopSession("aws", region, account, load_names(region=region, **names),
                           lambda name: boto_session.client(name, config=config), boto_session=boto_session,
                           monitoring=monitoring)


def _monitoring(backend: str, monitoring: str) -> str:
    if monitoring not in MONITORING:
        raise ValueError(f"monitoring must be one of {MONITORING}, not {monitoring!r}")
    if backend == "local" and monitoring == "self":
        raise ValueError("monitoring='self' is for AWS accounts without Model Monitor; the twin's schedule "
                         "already runs the self-run job's code (helpers.monitoring.hourly), so use "
                         "monitoring='model-monitor' on the twin")
    return monitoring

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
    region_source: str = "the twin's workspace"
    identity: str = ""  # the caller's ARN on AWS
    discovery: Any = field(default=None, repr=False)  # helpers.discovery.Discovery on AWS
    monitoring: str = "model-monitor"  # or "self": the self-run schedule (helpers.workshop.selfrun)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def default_bucket(self) -> str:
        return f"sagemaker-{self.region}-{self.account_id}"

    @property
    def workshop_bucket(self) -> str:
        """The bucket the deployment writes to: that of the endpoint's capture destination as
        discovered (the project's bucket in the Studio variant, which never creates SageMaker's
        default bucket), else the default bucket (the earlier variant's, and the twin's)."""
        prefix = self.names.capture_prefix
        return prefix[5:].split("/", 1)[0] if prefix.startswith("s3://") else self.default_bucket

    def s3_location(self, prefix: str) -> str:
        """A name's S3 location: a full ``s3://`` URI as discovered, or a prefix in the workshop's bucket."""
        return prefix.rstrip("/") if prefix.startswith("s3://") else f"s3://{self.workshop_bucket}/{prefix.strip('/')}"

    @property
    def capture_uri(self) -> str:
        return self.s3_location(self.names.capture_prefix)

    @property
    def reports_uri(self) -> str:
        return self.s3_location(self.names.reports_prefix)

    def client(self, name: str) -> Any:
        if name not in self._clients:
            self._clients[name] = self._factory(name)
        return self._clients[name]

    def now(self) -> datetime:
        """The twin's virtual time, or the real time on AWS."""
        return self.twin.ws.now() if self.twin is not None else datetime.now(timezone.utc)


def session(backend: str | None = None, workspace: str | Path | None = None, region: str | None = None,
            profile: str | None = None, discover: bool = True, monitoring: str | None = None,
            **names: str) -> WorkshopSession:
    """The backend is the argument, else ``WORKSHOP_BACKEND``, else ``"local"``.

    ``names`` overrides any of the workshop's names (``schedule_name="..."``), as a notebook's
    parameters cell does. On AWS the region follows boto3's chain (``region``, the environment,
    the ``profile``, ~/.aws/config; never a silent default) and the names are discovered on the
    account (``helpers.discovery``) unless given here. ``monitoring`` (else ``WORKSHOP_MONITORING``,
    else "model-monitor") chooses what runs the hourly checks on AWS: Model Monitor's schedule, or
    "self", the self-run schedule for accounts that Model Monitor no longer admits.
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
    sess = _aws_session(region, profile, discover, names)
    sess.monitoring = monitoring
    return sess


def _aws_session(region: str | None, profile: str | None, discover: bool, names: dict[str, str]) -> WorkshopSession:
    import boto3
    from botocore.exceptions import ProfileNotFound

    from .aws import WorkshopAwsError, aws_identity, resolve_region, retrying_config
    from .discovery import discover as discover_names

    try:
        boto_session = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound:
        raise WorkshopAwsError(f"The AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials; "
                               "pass an existing profile= or none.") from None
    choice = resolve_region(boto_session, region)
    account, identity = aws_identity(boto_session)
    config = retrying_config()
    given = {k for k, v in names.items() if v is not None}
    sess = WorkshopSession("aws", choice.region, account, load_names(region=choice.region, **names),
                           lambda name: boto_session.client(name, config=config), boto_session=boto_session,
                           region_source=choice.source, identity=identity)
    if discover:
        sess.discovery = discover_names(sess.client, sess.names, choice.region, account, given)
        sess.names = sess.discovery.names
    return sess


def _monitoring(backend: str, monitoring: str) -> str:
    if monitoring not in MONITORING:
        raise ValueError(f"monitoring must be one of {MONITORING}, not {monitoring!r}")
    if backend == "local" and monitoring == "self":
        raise ValueError("monitoring='self' is for AWS accounts without Model Monitor; the twin's schedule "
                         "already runs the self-run job's code (helpers.monitoring.hourly), so use "
                         "monitoring='model-monitor' on the twin")
    return monitoring

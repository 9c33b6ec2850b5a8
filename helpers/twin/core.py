"""The twin's core, at the bottom of its house: workspace, clock, ARNs and object I/O.

Every part of the estate (endpoint, pipeline, schedule, services) is given a ``Core`` and
imports nothing above it; ``estate.Twin`` composes the parts on top. Parts that must react to
time passing (CloudWatch's alarms) register a listener with ``on_clock``, so the clock never
has to know who listens.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from ..config import WorkshopNames
from ..formats.generation import Container, parse_container
from .store import Workspace

__all__ = ["Core"]


class Core:
    """One estate's shared ground: its workspace, names, bucket and virtual clock."""

    def __init__(self, workspace: Workspace, names: WorkshopNames):
        self.ws = workspace
        self.names = names
        self.bucket = f"sagemaker-{workspace.region}-{workspace.account_id}"
        self._clock_listeners: list[Callable[[], None]] = []

    # -- time -------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.ws.now()

    def on_clock(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every move of the clock (alarms evaluate at the new time)."""
        self._clock_listeners.append(listener)

    def set_clock(self, moment: datetime) -> None:
        """Move the virtual clock forward (never back) and tell the listeners."""
        if moment > self.ws.now():
            self.ws.advance_to(moment)
            for listener in self._clock_listeners:
                listener()

    @property
    def container(self) -> Container:
        """The Model Monitor container generation the estate's baseline and monitoring jobs run
        (recorded in the workspace when it is built; today's by default)."""
        return parse_container(self.ws.meta_or("container", Container.CURRENT.value))

    # -- names ------------------------------------------------------------------------------
    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.ws.region}:{self.ws.account_id}:{resource}"

    def role_arn(self, purpose: str) -> str:
        return f"arn:aws:iam::{self.ws.account_id}:role/mlops-{self.names.model_name}-{purpose}-role"

    # -- objects ----------------------------------------------------------------------------
    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def key_of(self, uri: str) -> str:
        prefix = f"s3://{self.bucket}/"
        if not uri.startswith(prefix):
            raise ValueError(f"{uri} is not in the twin's bucket {self.bucket}")
        return uri[len(prefix):]

    def read_bytes(self, uri: str) -> bytes:
        data = self.ws.get_object(self.bucket, self.key_of(uri))
        if data is None:
            raise FileNotFoundError(f"no object at {uri}")
        return data

    def read_text(self, uri: str) -> str:
        return self.read_bytes(uri).decode("utf-8")

    def put_bytes(self, key: str, data: bytes) -> None:
        self.ws.put_object(self.bucket, key, data)

    def put_csv(self, key: str, frame: pd.DataFrame, header: bool) -> None:
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=header)
        self.put_bytes(key, buffer.getvalue().encode())

"""The client that keeps sending traffic to production, the way the 2021 notebook sent it.

Each hour the client sends 100 rows sampled from the test split, one row per request, plus a
few hand-typed checks through the REST API (``10.65,1,2.56``). The hour's plan (rows, times)
is seeded by the hour, so an interrupted hour is sent again identically, and the clock can
stop anywhere: ``send_until`` sends what is due up to a moment, to whichever endpoint
production runs then. The client starts at the first full hour after the first deployment
(a fresh endpoint's first execution has no data, as in the workshop). It serialises rows as
the 2021 notebook did (floats: ``passenger_count`` arrives as ``1.0``) until the learner fixes
it (``serialisation = "typed"``). An hour marked quiet (``keep_quiet``) gets none of its
requests: the workshop's "you are the only client this hour" steps (13b, 13c).
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from ..payloads import SERIALISATIONS
from .core import Core
from .endpoint import CaptureBatch, EndpointRuntime, current_endpoint
from .store import iso, parse_iso

__all__ = ["NOTEBOOK_REQUESTS", "Traffic"]

NOTEBOOK_REQUESTS = 100
_SENT_UNTIL, _STARTS, _SERIALISATION = "traffic_sent_until", "traffic_starts", "traffic_serialisation"
_QUIET = "traffic_quiet_hours"


class Traffic:
    """The hourly client of the production endpoint."""

    def __init__(self, core: Core, runtime: EndpointRuntime):
        self.core = core
        self.runtime = runtime
        self._tests: dict[str, pd.DataFrame] = {}

    def start_at(self, moment: datetime) -> None:
        self.core.ws.set_meta(_STARTS, iso(moment))
        self.core.ws.set_meta(_SENT_UNTIL, iso(moment))

    @property
    def serialisation(self) -> str:
        return self.core.ws.meta_or(_SERIALISATION, "numpy-floats")

    @serialisation.setter
    def serialisation(self, name: str) -> None:
        if name not in SERIALISATIONS:
            raise ValueError(f"serialisation must be one of {sorted(SERIALISATIONS)}, not {name!r}")
        self.core.ws.set_meta(_SERIALISATION, name)

    def keep_quiet(self, hour: datetime) -> None:
        """Send nothing in the hour starting at ``hour`` (a whole hour: the schedule analyses hours)."""
        if hour != hour.replace(minute=0, second=0, microsecond=0):
            raise ValueError(f"a quiet hour starts at a full hour, not at {iso(hour)}")
        self.core.ws.set_meta(_QUIET, json.dumps(sorted({*self._quiet_hours(), iso(hour)})))

    def _quiet_hours(self) -> list[str]:
        return json.loads(self.core.ws.meta_or(_QUIET, "[]"))

    def test_frame(self, endpoint: str) -> pd.DataFrame:
        """The test split of the execution that deployed ``endpoint`` (what the notebook sent)."""
        if endpoint not in self._tests:
            names = self.core.names
            execution_id = endpoint.removeprefix(names.endpoint_prefix)
            key = f"{names.model_name}/{execution_id}/input/test/test.csv"
            self._tests[endpoint] = pd.read_csv(io.BytesIO(self.core.ws.get_object(self.core.bucket, key)))
        return self._tests[endpoint]

    def send_until(self, moment: datetime) -> int:
        """Send every planned request before ``moment`` not sent yet; the number sent."""
        sent_until = self.core.ws.meta_or(_SENT_UNTIL, "")
        if not sent_until or parse_iso(sent_until) >= moment:
            return 0
        start = parse_iso(sent_until)
        endpoint = current_endpoint(self.core)
        sent = 0
        if endpoint is not None:
            batch = CaptureBatch()
            hour = start.replace(minute=0, second=0, microsecond=0)
            quiet = set(self._quiet_hours())
            while hour < moment:
                for at, body in [] if iso(hour) in quiet else self.plan(endpoint, hour):
                    if start <= at < moment:
                        self.runtime.invoke(endpoint, body, "text/csv", at=at, batch=batch)
                        sent += 1
                hour += timedelta(hours=1)
            self.runtime.flush(endpoint, batch)
        self.core.ws.set_meta(_SENT_UNTIL, iso(moment))
        return sent

    def plan(self, endpoint: str, hour: datetime) -> list[tuple[datetime, str]]:
        """The hour's requests: (virtual time, CSV body), in time order."""
        rng = np.random.default_rng(int(hour.timestamp()))
        test = self.test_frame(endpoint)
        rows = test.iloc[:, 1:].sample(NOTEBOOK_REQUESTS, random_state=rng.integers(2**31))
        payloads = SERIALISATIONS[self.serialisation](rows)
        for _ in range(int(rng.integers(2, 6))):  # hand-typed checks through the REST API
            payloads.append(f"{rng.uniform(3, 30):.2f},{int(rng.choice([1, 1, 1, 2, 3]))},{rng.uniform(0.5, 8):.2f}")
        offsets = np.sort(rng.uniform(60.0, 3300, len(payloads)))
        order = rng.permutation(len(payloads))
        return [(hour + timedelta(seconds=float(offset)), payloads[index])
                for offset, index in zip(offsets, order, strict=True)]

"""An hour of traffic, sent the way the 2021 notebook sent it.

The notebook sampled 100 rows of the test split and sent each as one CSV request of floats
(``test_df[cols[1:]].sample(100).values``), so ``passenger_count`` arrived as ``1.0``; a few
hand-typed requests (``10.65,1,2.56``) came from the REST API check. Seeded by the hour, so an
interrupted hour is sent again identically.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from .core import Core
from .endpoint import CaptureBatch, EndpointRuntime

__all__ = ["NOTEBOOK_REQUESTS", "Traffic"]

NOTEBOOK_REQUESTS = 100


class Traffic:
    """The notebook's hourly requests to whichever endpoint it is given."""

    def __init__(self, core: Core, runtime: EndpointRuntime):
        self.core = core
        self.runtime = runtime
        self._tests: dict[str, pd.DataFrame] = {}

    def test_frame(self, endpoint: str) -> pd.DataFrame:
        """The test split of the execution that deployed ``endpoint`` (what the notebook sent)."""
        if endpoint not in self._tests:
            names = self.core.names
            execution_id = endpoint.removeprefix(names.endpoint_prefix)
            key = f"{names.model_name}/{execution_id}/input/test/test.csv"
            self._tests[endpoint] = pd.read_csv(io.BytesIO(self.core.ws.get_object(self.core.bucket, key)))
        return self._tests[endpoint]

    def send_hour(self, endpoint: str, hour: datetime, not_before: datetime | None = None) -> int:
        """Send one hour of traffic to ``endpoint`` at virtual times within ``hour`` (none before
        ``not_before``); the number of requests."""
        return _send_hour(self.runtime, self.test_frame(endpoint), endpoint, hour, not_before)


def _send_hour(runtime: EndpointRuntime, test: pd.DataFrame, endpoint: str, hour: datetime,
               not_before: datetime | None) -> int:
    rng = np.random.default_rng(int(hour.timestamp()))
    rows = test.iloc[:, 1:].sample(NOTEBOOK_REQUESTS, random_state=rng.integers(2**31)).values
    payloads = [",".join(str(x) for x in row) for row in rows]  # numpy floats: "1.0" for 1 passenger
    for _ in range(int(rng.integers(2, 6))):  # hand-typed checks through the REST API
        payloads.append(f"{rng.uniform(3, 30):.2f},{int(rng.choice([1, 1, 1, 2, 3]))},{rng.uniform(0.5, 8):.2f}")
    earliest = max(60.0, (not_before - hour).total_seconds() + 1) if not_before else 60.0
    offsets = np.sort(rng.uniform(earliest, 3300, len(payloads)))
    order = rng.permutation(len(payloads))
    batch = CaptureBatch()
    for offset, index in zip(offsets, order, strict=True):
        runtime.invoke(endpoint, payloads[index], "text/csv", at=hour + timedelta(seconds=float(offset)),
                       batch=batch)
    runtime.flush(endpoint, batch)
    return len(payloads)

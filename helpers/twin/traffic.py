"""An hour of traffic, sent the way the 2021 notebook sent it.

The notebook sampled 100 rows of the test split and sent each as one CSV request of floats
(``test_df[cols[1:]].sample(100).values``), so ``passenger_count`` arrived as ``1.0``; a few
hand-typed requests (``10.65,1,2.56``) came from the REST API check. Seeded by the hour, so an
interrupted hour is sent again identically.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from .endpoint import CaptureBatch

if TYPE_CHECKING:
    from .estate import Twin

__all__ = ["NOTEBOOK_REQUESTS", "send_hour"]

NOTEBOOK_REQUESTS = 100


def send_hour(twin: Twin, endpoint: str, hour: datetime, not_before: datetime | None = None) -> int:
    """Send one hour of traffic to ``endpoint`` at virtual times within ``hour`` (none before
    ``not_before``); the number of requests."""
    rng = np.random.default_rng(int(hour.timestamp()))
    test = twin.test_frame(endpoint)
    rows = test.iloc[:, 1:].sample(NOTEBOOK_REQUESTS, random_state=rng.integers(2**31)).values
    payloads = [",".join(str(x) for x in row) for row in rows]  # numpy floats: "1.0" for 1 passenger
    for _ in range(int(rng.integers(2, 6))):  # hand-typed checks through the REST API
        payloads.append(f"{rng.uniform(3, 30):.2f},{int(rng.choice([1, 1, 1, 2, 3]))},{rng.uniform(0.5, 8):.2f}")
    earliest = max(60.0, (not_before - hour).total_seconds() + 1) if not_before else 60.0
    offsets = np.sort(rng.uniform(earliest, 3300, len(payloads)))
    order = rng.permutation(len(payloads))
    batch = CaptureBatch()
    for offset, index in zip(offsets, order, strict=True):
        twin.runtime.invoke(endpoint, payloads[index], "text/csv", at=hour + timedelta(seconds=float(offset)),
                            batch=batch)
    twin.runtime.flush(endpoint, batch)
    return len(payloads)

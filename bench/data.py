"""Seeded benchmark data: 1M rows x 10 mixed columns, and a current window with 3 shifted columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.datasets import nyc_taxi_trips

STRING_LEVELS = {
    "vendor": ["CMT", "VTS"],
    "payment_type": ["card", "cash", "no_charge", "dispute"],
    "rate_code": ["standard", "jfk", "newark", "nassau", "negotiated", "group"],
    "zone": [f"zone-{i:03d}" for i in range(60)],
}
SHIFTED = ("trip_distance", "pickup_longitude", "payment_type")


def mixed_table(n: int, seed: int = 1, shift: bool = False) -> pd.DataFrame:
    """6 numeric and 4 string columns; 1 % missing in two of them."""
    rng = np.random.default_rng(seed)
    trips = nyc_taxi_trips(n, seed=seed)
    frame = pd.DataFrame({
        **{c: trips[c] for c in trips.columns},
        "pickup_longitude": -73.92 + rng.normal(0.0, 0.04, n),  # GPS: continuous, full precision
        "pickup_hour": rng.integers(0, 24, n),
    })
    p_pay = [0.55, 0.43, 0.01, 0.01] if not shift else [0.35, 0.63, 0.01, 0.01]
    frame["vendor"] = rng.choice(STRING_LEVELS["vendor"], n, p=[0.2, 0.8])
    frame["payment_type"] = rng.choice(STRING_LEVELS["payment_type"], n, p=p_pay)
    frame["rate_code"] = rng.choice(STRING_LEVELS["rate_code"], n, p=[0.9, 0.04, 0.02, 0.02, 0.01, 0.01])
    frame["zone"] = rng.choice(STRING_LEVELS["zone"], n)
    if shift:
        frame["trip_distance"] = np.round(frame["trip_distance"] * 1.3, 2)
        frame["pickup_longitude"] = frame["pickup_longitude"] + 0.012
    missing = rng.random(n) < 0.01
    frame.loc[missing, "duration_minutes"] = np.nan
    frame.loc[rng.random(n) < 0.01, "zone"] = None
    return frame


def cached_csv(folder: Path, name: str, n: int, **kw) -> Path:
    path = folder / f"{name}-{n}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        mixed_table(n, **kw).to_csv(tmp, index=False)
        tmp.rename(path)
    return path


def cached_capture(folder: Path, n: int, seed: int = 2, shift: bool = True, per_file: int = 10_000) -> Path:
    """``n`` capture records of the current window (3 shifted columns), CSV in and out.

    The first column is the endpoint's output, the other nine the request, as a real capture.
    """
    from datetime import datetime, timedelta, timezone

    from helpers.capture import CaptureRecord, write_capture_file

    root = folder / f"capture-{n}"
    if root.exists():
        return root
    frame = mixed_table(n, seed=seed, shift=shift)
    text = frame.astype(object).where(frame.notna(), "").astype(str)
    lines = text.iloc[:, 1:].agg(",".join, axis=1).tolist()
    outputs = text.iloc[:, 0].tolist()
    start = datetime(2021, 6, 1, 10, 0, tzinfo=timezone.utc)
    tmp = folder / f".capture-{n}.tmp"
    for first in range(0, n, per_file):
        records = [
            CaptureRecord.create(lines[i], outputs[i], event_id=f"{seed}-{i}",
                                 inference_time=start + timedelta(seconds=i * 3600 / n))
            for i in range(first, min(n, first + per_file))
        ]
        write_capture_file(records, tmp, "", "bench-endpoint", "AllTraffic")
    tmp.rename(root)
    return root

"""Synthetic NYC green-taxi trips, shaped like the real February 2018 trips (no download).

Columns, target first as the workshop's training CSV has them: ``total_amount``,
``duration_minutes``, ``passenger_count``, ``trip_distance``. The fare follows the meter
(a $2.50 flag drop plus 50 cents per fifth of a mile or per slow minute, so fares move in
50-cent steps); the total adds what the three features cannot explain: the MTA tax and
improvement surcharge, night and rush-hour extras, tips on card payments only (the screen's
20/25/30 % presets, typed amounts, or none), and bridge tolls. Seeded and deterministic: the same seed gives the same trips on every machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "TARGET", "nyc_taxi_trips", "split_trips"]

TARGET = "total_amount"
COLUMNS = [TARGET, "duration_minutes", "passenger_count", "trip_distance"]

_PASSENGERS = np.array([1, 2, 3, 4, 5, 6])
_PASSENGER_P = np.array([0.845, 0.085, 0.022, 0.009, 0.025, 0.014])
_TOLL = 5.76  # a bridge toll of the period


def nyc_taxi_trips(n: int, seed: int = 2018, *, start_hour: np.ndarray | None = None) -> pd.DataFrame:
    """``n`` trips; ``start_hour`` (0-23 per trip) shapes speed and extras, else drawn at random."""
    rng = np.random.default_rng(seed)
    hour = rng.integers(0, 24, n) if start_hour is None else np.asarray(start_hour)
    distance = np.clip(np.round(rng.lognormal(mean=0.65, sigma=0.75, size=n), 2), 0.01, 45.0)
    rush = ((hour >= 7) & (hour < 10)) | ((hour >= 16) & (hour < 20))
    night = (hour >= 20) | (hour < 6)
    speed = rng.gamma(shape=6.0, scale=2.0, size=n) * np.where(rush, 0.75, 1.0) * np.where(night, 1.25, 1.0)
    speed = np.clip(speed, 2.0, 45.0) + distance * 0.6  # longer trips reach faster roads
    seconds = np.maximum(np.round(distance / speed * 3600 + rng.exponential(60, n)), 30)
    duration = seconds / 60.0
    slow_minutes = np.maximum(duration - distance / 12.0 * 60, 0) * rng.uniform(0.2, 0.6, n)
    units = np.ceil(distance * 5 + slow_minutes)
    fare = 2.5 + 0.5 * units
    extra = np.where(night, 0.5, 0.0) + np.where(rush & (hour >= 16), 1.0, 0.0)
    card = rng.random(n) < 0.52
    # card tips: most riders press one of the screen's presets (20, 25, 30 % of the fare and
    # extras), some type a round-dollar amount, some tip nothing; cash tips are not recorded
    choice = rng.random(n)
    preset = rng.choice([0.20, 0.25, 0.30], size=n, p=[0.6, 0.25, 0.15])
    custom = np.round(fare * np.clip(rng.normal(0.18, 0.07, n), 0.02, 0.5), 2)
    tip = np.select([choice < 0.55, choice < 0.75, choice < 0.88],
                    [np.round((fare + extra) * preset, 2), rng.integers(1, 6, n).astype(float), custom], 0.0)
    tip = np.where(card, tip, 0.0)
    tolls = np.where(rng.random(n) < 0.01 + 0.004 * np.minimum(distance, 20), _TOLL, 0.0)
    total = np.round(fare + extra + 0.5 + 0.3 + tip + tolls, 2)
    passengers = rng.choice(_PASSENGERS, size=n, p=_PASSENGER_P / _PASSENGER_P.sum())
    return pd.DataFrame({
        TARGET: total,
        "duration_minutes": duration,
        "passenger_count": passengers.astype(np.int64),
        "trip_distance": distance,
    })


def split_trips(trips: pd.DataFrame, seed: int = 2018, shares=(0.7, 0.2, 0.1)) -> tuple[pd.DataFrame, ...]:
    """Train, validation and test splits, shuffled with the seed (as the workshop's pipeline)."""
    order = np.random.default_rng(seed).permutation(len(trips))
    cuts = np.cumsum([int(len(trips) * s) for s in shares[:-1]])
    return tuple(trips.iloc[idx].reset_index(drop=True) for idx in np.split(order, cuts))

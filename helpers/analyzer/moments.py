"""Spark's row-order sum and Welford update for one column's numbers, exactly.

``acc = [n, sum, avg, m2, min, max]`` (a float64 array) is updated in place, value by value in
row order, as Spark's ``CentralMomentAgg`` does, so ``std_dev`` matches the service to the
last bit. No vectorised form gives these bits, so the loop runs either in Python or, once a
run has seen enough values for it to pay for its load time (about half a second), compiled by
numba (imported only then). Both run the one function below, on IEEE doubles, without
fused multiply-adds, so they agree bit for bit (tests/test_profile.py checks it).
"""

from __future__ import annotations

import functools
import threading

import numpy as np

__all__ = ["COMPILE_AFTER", "accumulate"]

COMPILE_AFTER = 300_000  # values in this process before numba is loaded
_seen = 0
_lock = threading.Lock()


def _welford(values, acc) -> None:
    n, total, avg, m2, lo, hi = acc[0], acc[1], acc[2], acc[3], acc[4], acc[5]
    for x in values:
        total += x
        n += 1.0
        delta = x - avg
        delta_n = delta / n
        avg += delta_n
        m2 += delta * (delta - delta_n)
        if x < lo:
            lo = x
        if x > hi:
            hi = x
    acc[0], acc[1], acc[2], acc[3], acc[4], acc[5] = n, total, avg, m2, lo, hi


@functools.cache
def _compiled():
    import numba

    return numba.njit(cache=True, nogil=True)(_welford)


def accumulate(values: np.ndarray, acc: np.ndarray, compiled: bool | None = None) -> None:
    """Add ``values`` (finite doubles, in row order) to ``acc``; ``compiled`` forces a path."""
    global _seen
    if compiled is None:
        with _lock:
            _seen += len(values)
            compiled = _seen > COMPILE_AFTER
    if compiled:
        _compiled()(np.ascontiguousarray(values, dtype=np.float64), acc)
        return
    state = acc.tolist()
    _welford(values.tolist(), state)
    acc[:] = state

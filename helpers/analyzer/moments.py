"""Spark's row-order sum and Welford update for one column's numbers, exactly.

``acc = [n, sum, avg, m2, min, max]`` (a float64 array) is updated in place, value by value in
row order, as Spark's ``CentralMomentAgg`` does, so ``std_dev`` matches the service to the
last bit. No vectorised form gives these bits, so the loop must run value by value. It runs in
Python on small inputs; past ``COMPILE_AFTER`` values in a process it runs as the same loop in
C (``_WELFORD_C``), built once per machine with the system's C compiler (``native.py``)
and loaded with ctypes in about a millisecond (numba's first call costs a second or more,
more than the loop itself at a million rows). Without a compiler it stays in Python. The C
code is compiled without fused multiply-adds or fast-math, so both give the same bits
(tests/test_profile.py checks it).
"""

from __future__ import annotations

import ctypes
import functools

import numpy as np

from ..native import COMPILE_AFTER, c_function, compiled_pays

__all__ = ["COMPILE_AFTER", "accumulate"]

_WELFORD_C = r"""
void welford(const double *values, long n, double *acc) {
    double count = acc[0], total = acc[1], avg = acc[2], m2 = acc[3], lo = acc[4], hi = acc[5];
    for (long i = 0; i < n; i++) {
        double x = values[i];
        total += x;
        count += 1.0;
        double delta = x - avg;
        double delta_n = delta / count;
        avg += delta_n;
        m2 += delta * (delta - delta_n);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
    }
    acc[0] = count; acc[1] = total; acc[2] = avg; acc[3] = m2; acc[4] = lo; acc[5] = hi;
}
"""


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
    """The C loop as a ctypes function, or None when no C compiler can build it."""
    return c_function(_WELFORD_C, "welford", [ctypes.c_void_p, ctypes.c_long, ctypes.c_void_p])


def accumulate(values: np.ndarray, acc: np.ndarray, compiled: bool | None = None) -> None:
    """Add ``values`` (finite doubles, in row order) to ``acc``; ``compiled`` forces a path."""
    if compiled is None:
        compiled = compiled_pays(len(values))
    kernel = _compiled() if compiled else None
    if kernel is not None:
        values = np.ascontiguousarray(values, dtype=np.float64)
        kernel(values.ctypes.data, len(values), acc.ctypes.data)
        return
    state = acc.tolist()
    _welford(values.tolist(), state)
    acc[:] = state

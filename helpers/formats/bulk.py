"""Building a great many small objects at once (a wide table's features) without paying for
Python's cycle collector again and again."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large acyclic structure is built.

    Each full collection walks every tracked object alive, and collections come with
    allocations: building 100k features (millions of small objects) paid that walk again and
    again, a sixth of a 100k-column baseline's CPU. Nothing built here forms a cycle, so
    reference counting frees it all the same. The previous state is restored (calls nest).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

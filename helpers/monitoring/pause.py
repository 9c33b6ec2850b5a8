"""Named moments inside an hourly run where a test can stop the process (test-only).

The twin promises each scheduled hour runs exactly once whatever is killed when (issue 10). A
test proves it by killing ``twin run`` at each of these moments, not at random times that mostly
fall between runs: ``WORKSHOP_PAUSE_AT=<moment>:<n>`` makes the n-th arrival at ``<moment>`` in
this process write the moment's name to ``WORKSHOP_PAUSE_FLAG`` and wait there to be killed.
Unset (always, outside tests), ``pause_point`` only reads the environment.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["MOMENTS", "pause_point"]

# in the order an execution reaches them
MOMENTS = (
    "claimed",     # the twin's execution is InProgress, nothing analysed
    "analysed",    # the hour is analysed, nothing written
    "finishing",   # inside the finish (the twin: its transaction is open), nothing published
    "published",   # metrics published (the twin: inside the transaction), no report set yet
    "reported",    # report set in place, the finish not yet committed
    "finished",    # the twin's finish transaction committed
)

_arrivals: dict[str, int] = {}


def pause_point(moment: str) -> None:
    """Wait here to be killed when the environment asks for this arrival at ``moment``."""
    wanted = os.environ.get("WORKSHOP_PAUSE_AT")
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != moment:
        return
    _arrivals[moment] = _arrivals.get(moment, 0) + 1
    if _arrivals[moment] != int(count or 1):
        return
    flag = Path(os.environ["WORKSHOP_PAUSE_FLAG"])
    part = flag.with_name(flag.name + ".part")
    part.write_text(moment)
    os.replace(part, flag)  # atomic: a test that sees the flag reads the moment, never an empty file
    while True:  # the test kills the process here
        time.sleep(1)

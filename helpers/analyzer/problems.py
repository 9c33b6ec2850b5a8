"""What could not be used, in one line: counts by kind, then the first few in full.

Rows of a CSV and records of a capture that were skipped are listed one by one elsewhere; this
summary is what a message carries when it must stay short (an error when nothing was usable,
the head of the CLI's report), so the reasons are never dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

__all__ = ["count_by_kind", "summarise_problems"]


class Problem(Protocol):
    kind: str


def summarise_problems(problems: Sequence[Problem], first: int = 3) -> str:
    """``2 no endpointOutput, 1 not valid JSON; first: f.jsonl:1: ...; f.jsonl:2: ...``."""
    if not problems:
        return ""
    by_kind = count_by_kind(problems)
    head = "; ".join(str(p) for p in problems[:first])
    more = f"; ... and {len(problems) - first} more" if len(problems) > first else ""
    return f"{by_kind}; first: {head}{more}"


def count_by_kind(problems: Sequence[Problem]) -> str:
    """``2 no endpointOutput, 1 not valid JSON``: most frequent first."""
    return ", ".join(f"{n} {kind}" for kind, n in Counter(p.kind for p in problems).most_common())

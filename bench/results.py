"""The table every benchmark ends with: one row per figure, and an exit status for its targets."""

from __future__ import annotations


def print_results(rows: list[tuple[str, str, str, str]]) -> int:
    """Print ``(what, figure, target, verdict)`` rows as a Markdown table; 1 if any MISSED."""
    print("\n| what | figure | target | |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0 if all(r[3] != "MISSED" for r in rows) else 1

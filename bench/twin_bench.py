"""Twin benchmark: `twin up` plus `twin run --hours 3` on a fresh workspace (target < 60 s).

    .venv/bin/python bench/twin_bench.py

Each phase runs in a fresh process, as a learner runs them; the figures are wall-clock seconds,
with the reference being the target the issue sets for the 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 60.0


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpers", "twin", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        workspace = str(Path(folder) / "ws")
        up = timed("--workspace", workspace, "up")
        run = timed("--workspace", workspace, "run", "--hours", "3")
    total = up + run
    print("| phase | seconds |\n|---|---|")
    print(f"| twin up | {up:.1f} |\n| twin run --hours 3 | {run:.1f} |")
    print(f"| total | {total:.1f} (target < {TARGET:.0f} s, {total / TARGET:.0%} of it) |")
    return 0 if total < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

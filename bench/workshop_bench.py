"""Workshop benchmark: `make workshop`'s main job from nothing (target under 3 minutes).

    .venv/bin/python bench/workshop_bench.py

Runs `python -m helpers workshop --fresh` in a fresh process against a temporary workspace
and build folder, and prints the wall-clock time against the target.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 180.0


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, WORKSHOP_HOME=str(Path(folder) / "ws"))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "helpers", "workshop", "--fresh", "--build", str(Path(folder) / "build")],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
    print("| run | seconds |\n|---|---|")
    print(f"| workshop from nothing (twin up, 2 h, notebooks 00-16, HTML) | {elapsed:.0f} (target < {TARGET:.0f} s) |")
    return 0 if elapsed < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

"""Awkward shapes benchmark: a very wide CSV and a CSV with one huge cell, end to end.

    .venv/bin/python bench/shapes_bench.py [--columns N]

1. A baseline (the CLI: read, profile, suggest, write both files) of 100k columns x 3 rows,
   half numeric and half short strings, in a fresh process: wall time, CPU time (all threads)
   and peak RSS. Two references, each in its own fresh process: the same baseline of a tenth
   of the columns, scaled x10 (the ratio says whether cost grows linearly with the columns), and
   pandas reading the CSV (``read_csv`` with every column as text: what merely parsing the
   cells costs). The machine's load average is printed: on a shared machine wall time
   stretches with it, CPU time much less.
2. A baseline of a 3 MB CSV with one 10 MB cell: it must be read (a row longer than the
   reader's block restarts the block size), with time and peak RSS.
Data is seeded and cached under build/bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / "build" / "bench"

_MEASURE = """
import json, resource, sys, time
t = time.perf_counter()
{body}
elapsed = time.perf_counter() - t
use = resource.getrusage(resource.RUSAGE_SELF)
hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]
print(json.dumps({{"s": elapsed, "cpu": use.ru_utime + use.ru_stime, "mb": int(hwm) / 1024}}))
"""
OURS = "from helpers.cli import main\nassert main(['baseline', '--dataset', sys.argv[1], '--output', sys.argv[2]]) == 0"
PANDAS = "import pandas as pd\npd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)"


def wide_csv(columns: int, rows: int = 3) -> Path:
    path = WORK / f"wide-{columns}x{rows}.csv"
    if not path.exists():
        rng = random.Random(7)
        lines = [",".join(f"c{i}" for i in range(columns))]
        for _ in range(rows):
            lines.append(",".join(str(rng.randint(0, 99)) if i % 2 else f"v{rng.randint(0, 5)}"
                                  for i in range(columns)))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    return path


def huge_cell_csv(cell_mb: int = 10, rows: int = 300_000) -> Path:
    path = WORK / f"cell-{cell_mb}mb.csv"
    if not path.exists():
        body = [f"{i},y{i % 3}" for i in range(rows)]
        body.insert(rows * 5 // 6, "-1," + "x" * (cell_mb * 1_000_000))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a,b\n" + "\n".join(body) + "\n")
    return path


def measure(body: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE.format(body=body), *args], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _figures(run: dict, scale: int = 1) -> str:
    times = f"{run['s'] * scale:.1f} s wall, {run['cpu'] * scale:.1f} s CPU"
    return times + (f" (measured {run['s']:.2f} s)" if scale > 1 else f", peak RSS {run['mb']:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=100_000)
    args = parser.parse_args()
    print("Awkward shapes benchmark (data cached under build/bench/)")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    rows = []
    wide = wide_csv(args.columns)
    ours = measure(OURS, str(wide), str(WORK / "wide-out"))
    scale = 10
    small = measure(OURS, str(wide_csv(args.columns // scale)), str(WORK / "wide-tenth-out"))
    reference = measure(PANDAS, str(wide))
    rows.append((f"baseline of {args.columns:,} columns x 3 rows", _figures(ours), "< 60 s",
                 "ok" if ours["s"] < 60 else "MISSED"))
    rows.append((f"  baseline of {args.columns // scale:,} columns, x{scale} (reference)", _figures(small, scale), "", ""))
    rows.append((f"  ratio ours / a tenth of the columns x{scale}", f"{ours['s'] / (small['s'] * scale):.2f}x wall, "
                 f"{ours['cpu'] / (small['cpu'] * scale):.2f}x CPU", "linear: about 1x", ""))
    rows.append(("  pandas read_csv of the same file (reference)", _figures(reference), "", ""))
    rows.append(("  ratio ours / pandas read", f"{ours['s'] / reference['s']:.1f}x", "", ""))
    cell = huge_cell_csv()
    big = measure(OURS, str(cell), str(WORK / "cell-out"))
    rows.append(("baseline of 300k rows with one 10 MB cell", _figures(big), "read", "ok"))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("\n| what | figure | target | |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Peers on the same files, as whole processes: whylogs and Evidently against our commands.

    make bench-peers     (.venv/bin/python bench/peers_bench.py [--repeat N])

Each peer runs in its own virtual environment under $BENCH_DATA/venvs (created from PyPI on
first use, with the pins each needs), never in the project's .venv. Every figure is a whole
process (start-up, reading the CSV, the work, exit), the median of N runs, ours alternating
with the peer's. Printed: the time ratios, and which columns each tool flags as drifted on a
current window where trip_distance, pickup_longitude and payment_type were shifted.

- profile: `python -m helpers baseline` against whylogs' profile of the same CSV;
- drift: `baseline` then `monitor --dataset` (two processes, timed together) against
  whylogs' drift scores (two profiles compared) and Evidently's DataDriftPreset report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from data import SHIFTED, cached_csv  # noqa: E402

DATA = Path(os.environ.get("BENCH_DATA", "/tmp/mm-bench"))
OUT = Path(tempfile.mkdtemp(prefix="peers-bench-"))

WHYLOGS_PROFILE = """
import sys, pandas as pd, whylogs as why
why.log(pandas=pd.read_csv(sys.argv[1])).view()
"""
WHYLOGS_DRIFT = """
import json, sys, pandas as pd, whylogs as why
from whylogs.viz.drift.column_drift_algorithms import calculate_drift_scores
ref = why.log(pandas=pd.read_csv(sys.argv[1])).view()
cur = why.log(pandas=pd.read_csv(sys.argv[2])).view()
scores = calculate_drift_scores(target_view=cur, reference_view=ref, with_thresholds=True)
print(json.dumps(sorted(c for c, s in scores.items() if s and s.get("drift_category") == "DRIFT")))
"""
EVIDENTLY_DRIFT = """
import json, sys, pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
ref, cur = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
result = Report([DataDriftPreset()]).run(cur, ref).dict()
drifted = []
for metric in result["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift") or str(metric.get("metric_id", "")).startswith("ValueDrift"):
        value, threshold = metric["value"], config.get("threshold")
        method = str(config.get("method", ""))
        # p-value tests drift below the threshold, distances above it
        is_p_value = "p_value" in method or method in ("ks", "chisquare", "z", "fisher_exact")
        if threshold is not None and (value < threshold if is_p_value else value >= threshold):
            drifted.append(config.get("column") or metric["metric_id"])
print(json.dumps(sorted(drifted)))
"""
PEERS = {
    # its drift module imports IPython and scipy, which whylogs does not require
    "whylogs": ["whylogs==1.6.4", "numpy<2", "pandas<2.3", "ipython", "scipy<1.14"],
    "evidently": ["evidently==0.7.23", "pandas<3"],
}
ROWS: list[tuple[str, str]] = []


def venv(name: str) -> Path | None:
    folder = DATA / "venvs" / name
    python, stamp = folder / "bin" / "python", folder / f".installed-{'-'.join(PEERS[name])}".replace("<", "lt")
    if not stamp.exists():
        print(f"  installing {name} into {folder} (from PyPI, once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *PEERS[name]],
                              capture_output=True, text=True)
        if done.returncode:
            ROWS.append((name, f"unavailable: pip failed ({done.stderr.strip().splitlines()[-1][:120]})"))
            return None
        stamp.touch()
    return python


def run(*argv: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{argv[:3]} failed: {done.stderr.strip()[-300:]}")
    return seconds, done.stdout


def ours_baseline(csv: Path) -> float:
    return run(sys.executable, "-m", "helpers", "baseline", "--dataset", str(csv), "--output", str(OUT / "b"))[0]


def ours_drift(base_csv: Path, current_csv: Path) -> tuple[float, list[str]]:
    seconds = ours_baseline(base_csv)
    more, _ = run(sys.executable, "-m", "helpers", "monitor", "--baseline-statistics", str(OUT / "b" / "statistics.json"),
                  "--baseline-constraints", str(OUT / "b" / "constraints.json"), "--dataset", str(current_csv),
                  "--output", str(OUT / "m"))
    report = json.loads((OUT / "m" / "constraint_violations.json").read_text())
    drifted = sorted(v["feature_name"] for v in report["violations"]
                     if v["constraint_check_type"] == "baseline_drift_check")
    return seconds + more, drifted


def compare(what: str, ours: list[float], theirs: list[float], name: str) -> None:
    a, b = statistics.median(ours), statistics.median(theirs)
    ROWS.append((f"{what}: {name}", f"{b:.2f} s against ours {a:.2f} s: ours is {b / a:.1f}x faster"))
    print(f"  {ROWS[-1][0]}: {ROWS[-1][1]}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--peers", default=",".join(PEERS), help="which peers to run (comma-separated)")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"Peers benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    base_csv = cached_csv(DATA, "base", args.rows)
    current_csv = cached_csv(DATA, "current", args.rows // 5, seed=2, shift=True)
    flagged = {"ours (Model Monitor's drift check)": ours_drift(base_csv, current_csv)[1]}
    pythons = {name: venv(name) if name in args.peers.split(",") else None for name in PEERS}
    if pythons["whylogs"]:
        mine, theirs = [], []
        for _ in range(args.repeat):
            mine.append(ours_baseline(base_csv))
            theirs.append(run(str(pythons["whylogs"]), "-c", WHYLOGS_PROFILE, str(base_csv))[0])
        compare("profile", mine, theirs, "whylogs")
    for name, script in (("whylogs", WHYLOGS_DRIFT), ("evidently", EVIDENTLY_DRIFT)):
        if not pythons[name]:
            continue
        mine, theirs = [], []
        try:
            for _ in range(args.repeat):
                mine.append(ours_drift(base_csv, current_csv)[0])
                seconds, out = run(str(pythons[name]), "-c", script, str(base_csv), str(current_csv))
                theirs.append(seconds)
        except RuntimeError as err:
            ROWS.append((f"drift: {name}", f"failed: {str(err)[-160:]}"))
            continue
        try:
            flagged[name] = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            flagged[name] = ["(could not read its drift flags)"]
        compare("drift", mine, theirs, name)
    print(f"\nshifted on purpose: {sorted(SHIFTED)}")
    for tool, columns in flagged.items():
        ROWS.append((f"flagged as drifted by {tool}", ", ".join(columns) or "none"))
    print("\n| what | figure |\n|---|---|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

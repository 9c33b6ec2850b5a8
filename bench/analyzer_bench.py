"""Analyzer benchmark: prints a table of figures and ratios against references run here.

    .venv/bin/python bench/analyzer_bench.py [--quick] [--no-others]

1. Baseline of 1M rows x 10 mixed columns (6 numeric, 4 string, 1 % missing in two), median
   of repeated runs, against an exact pandas/numpy profile of the same CSV in this process.
2. A monitoring run on 200k capture records (parse, analyse, write reports).
3. A 10M-row, 4-column baseline: time and peak RSS, and the peak against the 1M-row run
   (each in a fresh process, so the peaks are their own).
4. whylogs' profile and Evidently's DataDriftPreset on the same data, each in its own venv
   with the pins it needs (whylogs wants numpy<2, Evidently pandas<3), with the ratios.
5. Accuracy: Deequ's plain distance against the exact two-sample KS statistic, and the
   drift violations on a no-shift copy of the data (expected: none).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from data import SHIFTED, cached_capture, cached_csv  # noqa: E402
from results import print_results  # noqa: E402

from helpers.analyzer.baseline import run_baseline  # noqa: E402
from helpers.analyzer.distance import exact_ks  # noqa: E402
from helpers.analyzer.monitor import run_monitor  # noqa: E402

WORK = ROOT / "build" / "bench"
ROWS: list[tuple[str, str, str, str]] = []  # (what, figure, target, verdict)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def record(what: str, figure: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    ROWS.append((what, figure, target, verdict))
    print(f"  {what}: {figure} {('(target ' + target + ') ' + verdict) if target else ''}", flush=True)


def exact_profile(path: Path) -> dict:
    """What an exact, unsketched profile costs: pandas read, moments, histograms, value counts."""
    frame = pd.read_csv(path)
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col):
            values = col.dropna().to_numpy()
            out[name] = (len(values), values.sum(), values.mean(), values.std(), values.min(),
                         values.max(), np.histogram(values, bins=10)[0], np.quantile(values, [0.25, 0.5, 0.75]))
        else:
            out[name] = (col.notna().sum(), col.value_counts(), col.nunique())
    return out


def bench_baseline(rows: int, repeat: int) -> None:
    print(f"\n1. Baseline, {rows:,} rows x 10 columns", flush=True)
    path = cached_csv(WORK, "base", rows)
    run_baseline(path)  # warm: the C loops load once per process (helpers/native.py)
    ours, _ = timed(lambda: run_baseline(path), repeat)
    ref, _ = timed(lambda: exact_profile(path), max(1, repeat // 2))
    record("baseline median", f"{ours:.3f} s", "<= 1.0 s", ours <= 1.0)
    record("exact pandas/numpy profile median", f"{ref:.3f} s, ratio ours/exact {ours / ref:.2f}")


def bench_monitor(rows: int, records: int, repeat: int) -> None:
    print(f"\n2. Monitoring run on {records:,} capture records", flush=True)
    base = run_baseline(cached_csv(WORK, "base", rows))
    capture = cached_capture(WORK, records)
    out = WORK / "monitor-report"

    def run():
        result = run_monitor(base.statistics, base.constraints, capture=capture)
        result.write(out)
        return result

    median, result = timed(run, repeat)
    record("parse + analyse + write median", f"{median:.3f} s", "<= 1.5 s", median <= 1.5)
    found = sorted(v.feature_name for v in result.violations.by_check("baseline_drift_check"))
    record("drift found on", f"{found} (shifted: {sorted(SHIFTED)})", "", found == sorted(SHIFTED))


def _rss_run(path: Path) -> dict:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the (large) forked parent
    code = ("import json,sys,time;from helpers.analyzer.baseline import run_baseline;"
            "t=time.perf_counter();r=run_baseline(sys.argv[1]);d=time.perf_counter()-t;"
            "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1];"
            "print(json.dumps({'s':d,'mb':int(hwm)/1024,'rows':r.statistics.item_count}))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def trips_csv(rows: int) -> Path:
    from helpers.datasets import nyc_taxi_trips

    path = WORK / f"trips-{rows}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as handle:
            for i, start in enumerate(range(0, rows, 1_000_000)):
                part = nyc_taxi_trips(min(1_000_000, rows - start), seed=100 + i)
                part.to_csv(handle, index=False, header=i == 0)
        tmp.rename(path)
    return path


def bench_large(rows: int) -> None:
    print(f"\n3. {rows:,}-row x 4-column baseline, in fresh processes", flush=True)
    small, large = _rss_run(trips_csv(1_000_000)), _rss_run(trips_csv(rows))
    record("1M rows", f"{small['s']:.2f} s, peak RSS {small['mb']:.0f} MB")
    record(f"{rows:,} rows time", f"{large['s']:.2f} s", "<= 12 s", large["s"] <= 12)
    record(f"{rows:,} rows peak RSS", f"{large['mb']:.0f} MB", "< 400 MB", large["mb"] < 400)
    ratio = large["mb"] / small["mb"]
    record("peak RSS ratio large/1M", f"{ratio:.2f}", "<= 1.2", ratio <= 1.2)


OTHERS = {
    "whylogs": (["whylogs==1.6.4", "numpy<2", "pandas<2.3"], """
import sys, time, pandas as pd, whylogs as why
t = time.perf_counter(); df = pd.read_csv(sys.argv[1]); why.log(pandas=df).view(); a = time.perf_counter() - t
print(a)
"""),
    "evidently": (["evidently==0.7.23", "pandas<3"], """
import sys, time, pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
t = time.perf_counter()
ref, cur = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
Report([DataDriftPreset()]).run(cur, ref)
print(time.perf_counter() - t)
"""),
}


def _venv(name: str, pins: list[str]) -> Path | None:
    folder = WORK / "venvs" / name
    python = folder / "bin" / "python"
    stamp = folder / ".installed"
    if not stamp.exists():
        print(f"  installing {name} into {folder} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], capture_output=True, text=True)
        if done.returncode:
            record(f"{name}", f"unavailable: pip failed ({done.stderr.strip().splitlines()[-1][:120]})")
            return None
        stamp.touch()
    return python


def bench_others(rows: int, current_rows: int) -> None:
    print("\n4. Other tools on the same data, each in its own venv", flush=True)
    base_csv = cached_csv(WORK, "base", rows)
    cur_csv = cached_csv(WORK, "current", current_rows, seed=2, shift=True)
    ours_profile, _ = timed(lambda: run_baseline(base_csv), 3)

    def ours_drift():
        base = run_baseline(base_csv)
        return run_monitor(base.statistics, base.constraints, dataset=cur_csv)

    ours_drift_s, _ = timed(ours_drift, 3)
    for name, (pins, script) in OTHERS.items():
        python = _venv(name, pins)
        if python is None:
            continue
        args = [str(base_csv)] + ([str(cur_csv)] if name == "evidently" else [])
        done = subprocess.run([str(python), "-c", script, *args], capture_output=True, text=True)
        if done.returncode:
            record(name, f"failed: {done.stderr.strip().splitlines()[-1][:160]}")
            continue
        theirs = float(done.stdout.strip().splitlines()[-1])
        ours = ours_profile if name == "whylogs" else ours_drift_s
        what = "profile (read + profile)" if name == "whylogs" else "drift report (read + baseline + compare)"
        record(f"{name} {what}", f"{theirs:.2f} s vs ours {ours:.2f} s: ours is {theirs / ours:.1f}x faster")


def bench_accuracy(rows: int, current_rows: int) -> None:
    print("\n5. Accuracy", flush=True)
    base_csv = cached_csv(WORK, "base", rows)
    base = run_baseline(base_csv)
    shifted_csv = cached_csv(WORK, "current", current_rows, seed=2, shift=True)
    result = run_monitor(base.statistics, base.constraints, dataset=shifted_csv)
    reference, current = pd.read_csv(base_csv), pd.read_csv(shifted_csv)
    worst = 0.0
    for name, dist in result.distances.items():
        if name not in reference or not pd.api.types.is_float_dtype(reference[name]):
            continue
        a, b = reference[name].dropna().to_numpy(), current[name].dropna().to_numpy()
        ks = exact_ks(a, b)
        distinct = len(np.unique(a)) / len(a)
        note = "continuous" if distinct > 0.9 else f"repeated values ({distinct:.0%} distinct): Deequ compares distinct values"
        record(f"{name}", f"plain {dist.simple:.4f} vs exact KS {ks:.4f} (diff {abs(dist.simple - ks):.4f}; {note})")
        if distinct > 0.9:
            worst = max(worst, abs(dist.simple - ks))
    record("max |plain distance - exact KS| on continuous columns", f"{worst:.4f}", "<= 0.01", worst <= 0.01)
    same_csv = cached_csv(WORK, "noshift", current_rows, seed=3, shift=False)
    same = run_monitor(base.statistics, base.constraints, dataset=same_csv)
    drift = same.violations.by_check("baseline_drift_check")
    record("drift violations on a no-shift copy", f"{len(drift)}", "0", len(drift) == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--no-others", action="store_true", help="skip whylogs and Evidently")
    args = parser.parse_args()
    rows, records, large = (100_000, 20_000, 1_000_000) if args.quick else (1_000_000, 200_000, 10_000_000)
    WORK.mkdir(parents=True, exist_ok=True)
    print("Analyzer benchmark (data cached under build/bench/)")
    bench_baseline(rows, 5)
    bench_monitor(rows, records, 5)
    bench_large(large)
    if not args.no_others:
        bench_others(rows, records)
    bench_accuracy(rows, records)
    return print_results(ROWS)


if __name__ == "__main__":
    sys.exit(main())

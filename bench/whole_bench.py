"""Whole commands as a user runs them: cold interpreters, alternating with a reference, ratios.

    .venv/bin/python bench/whole_bench.py [--repeat N] [--quick]

Every figure is a whole process (`python -m helpers ...`, start-up and exit included), the
median of N runs, each run of ours followed at once by the reference's, so the machine's load
hits both alike; a ratio is the median of those pairs' ratios. Beside wall time each figure
gives the process's CPU time (user + system, all threads, from ``wait4``), which a shared
machine's load disturbs far less. Peak memory is the process's own (ru_maxrss). The processes
run in a user's environment: Python writes and reuses its bytecode caches (a
PYTHONDONTWRITEBYTECODE set for this script is not passed on), and one untimed run first builds
them and the C loops (helpers/native.py), as a user's first run does once. Data is
generated once (seeded) under $BENCH_DATA (default /tmp/mm-bench), never in the repository.

1. `baseline` on 1M rows x 10 mixed columns against an exact pandas profile of the same CSV
   (read_csv with pyarrow, describe, value_counts of the string columns, isna counts):
   target ours/reference <= 1.5.
2. `monitor --capture` on 200k single-record capture lines against parsing the same files with
   pyarrow's JSON reader alone: target <= 2.0.
3. `baseline` on 10M rows x 4 numeric columns: peak < 400 MB and >= 1.3M rows/s after
   start-up (the run's time less the 3-row run's).
4. `baseline` on a 3-row CSV: < 0.7 s; beside it, the floor: a process that only imports
   numpy and pyarrow (its compute and CSV modules), which every run of ours needs.
5. `monitor --capture` on a 1 GB capture file: peak < 600 MB; with bad lines in it (one in
   every 2,000), time within 1.5x of the same file without them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from data import cached_capture, cached_csv  # noqa: E402
from results import print_results  # noqa: E402

DATA = Path(os.environ.get("BENCH_DATA", "/tmp/mm-bench"))
OUT = Path(tempfile.mkdtemp(prefix="whole-bench-"))
ROWS: list[tuple[str, str, str, str]] = []

PANDAS_PROFILE = """
import sys, pandas as pd
frame = pd.read_csv(sys.argv[1], engine="pyarrow")
numbers = frame.select_dtypes("number")
numbers.describe()
for name in frame.columns.difference(numbers.columns):
    frame[name].value_counts()
frame.isna().sum()
"""
ARROW_PARSE = """
import sys, pathlib, pyarrow.json as pajson
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.jsonl")):
    pajson.read_json(path)
"""


IMPORTS_FLOOR = "import numpy, pyarrow, pyarrow.compute, pyarrow.csv"
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


class Run(NamedTuple):
    seconds: float  # wall
    mb: float  # peak RSS
    cpu: float  # user + system seconds


def run(*argv: str) -> Run:
    """Wall seconds, peak RSS (MB) and CPU seconds of one whole process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=USER_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} failed: {err.read().decode()[-400:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def warm_up() -> None:
    """What a user's first run does once: bytecode caches written, the C loops built."""
    run(*baseline_command(tiny_csv(), "tiny"))
    run(sys.executable, "-c", "from helpers.analyzer import datatypes, hll, moments\n"
        "from helpers.capture import arrow\n"
        "assert datatypes._kernel() and hll._kernel() and moments._compiled() and arrow._kernels()")


def helpers(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "helpers", *args)


def alternate(ours: tuple[str, ...], reference: tuple[str, ...], repeat: int) -> tuple[list, list]:
    mine, theirs = [], []
    for _ in range(repeat):
        mine.append(run(*ours))
        theirs.append(run(*reference))
    return mine, theirs


def median(results: list[Run], i: int = 0) -> float:
    return statistics.median(r[i] for r in results)


def ratios(ours: list[Run], ref: list[Run]) -> tuple[float, float]:
    """Median of the pairs' wall-time ratios, and of their CPU-time ratios."""
    return (statistics.median(a.seconds / b.seconds for a, b in zip(ours, ref, strict=True)),
            statistics.median(a.cpu / b.cpu for a, b in zip(ours, ref, strict=True)))


def figure(results: list[Run]) -> str:
    return (f"{median(results):.2f} s (CPU {median(results, 2):.2f} s), "
            f"peak {median(results, 1):.0f} MB")


def record(what: str, figure: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    ROWS.append((what, figure, target, verdict))
    print(f"  {what}: {figure} {('(target ' + target + ') ' + verdict) if target else ''}", flush=True)


def baseline_command(csv: Path, name: str) -> tuple[str, ...]:
    return helpers("baseline", "--dataset", str(csv), "--output", str(OUT / name))


def monitor_command(base: Path, capture: Path, name: str) -> tuple[str, ...]:
    return helpers("monitor", "--baseline-statistics", str(base / "statistics.json"),
                   "--baseline-constraints", str(base / "constraints.json"),
                   "--capture", str(capture), "--output", str(OUT / name))


def bench_baseline(rows: int, repeat: int) -> None:
    print(f"\n1. baseline, {rows:,} rows x 10 mixed columns, against an exact pandas profile", flush=True)
    csv = cached_csv(DATA, "base", rows)
    ours, ref = alternate(baseline_command(csv, "base"), (sys.executable, "-c", PANDAS_PROFILE, str(csv)), repeat)
    ratio, cpu = ratios(ours, ref)
    record(f"baseline {rows:,} x 10 (median)", figure(ours))
    record("exact pandas profile (median)", figure(ref))
    record("ratio baseline / pandas profile", f"{ratio:.2f} (CPU {cpu:.2f})", "<= 1.5", ratio <= 1.5)


def bench_monitor(rows: int, records: int, repeat: int) -> None:
    print(f"\n2. monitor --capture, {records:,} capture lines, against pyarrow parsing them", flush=True)
    base = OUT / "base"
    if not (base / "statistics.json").exists():
        run(*baseline_command(cached_csv(DATA, "base", rows), "base"))
    capture = cached_capture(DATA, records)
    ours, ref = alternate(monitor_command(base, capture, "report"),
                          (sys.executable, "-c", ARROW_PARSE, str(capture)), repeat)
    ratio, cpu = ratios(ours, ref)
    record(f"monitor --capture {records:,} (median)", figure(ours))
    record("pyarrow JSON parse of the files (median)", figure(ref))
    record("ratio monitor / parse", f"{ratio:.2f} (CPU {cpu:.2f})", "<= 2.0", ratio <= 2.0)


def numeric_csv(rows: int) -> Path:
    """``rows`` NYC-taxi trips, 4 numeric columns (generated a million at a time)."""
    from helpers.datasets import nyc_taxi_trips

    path = DATA / f"trips-{rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as handle:
            for i, start in enumerate(range(0, rows, 1_000_000)):
                part = nyc_taxi_trips(min(1_000_000, rows - start), seed=100 + i)
                part.to_csv(handle, index=False, header=i == 0)
        tmp.rename(path)
    return path


def tiny_csv() -> Path:
    path = DATA / "tiny-3.csv"
    DATA.mkdir(parents=True, exist_ok=True)
    path.write_text("total_amount,passenger_count,vendor\n7.5,1,CMT\n12.0,2,VTS\n9.25,1,VTS\n")
    return path


def bench_startup_and_large(rows: int, repeat: int) -> None:
    print(f"\n3-4. start-up (3-row CSV) and baseline on {rows:,} rows x 4 numeric columns", flush=True)
    tiny, floor = alternate(baseline_command(tiny_csv(), "tiny"), (sys.executable, "-c", IMPORTS_FLOOR),
                            max(repeat, 5))
    startup = median(tiny)
    record("baseline on a 3-row CSV (median)", figure(tiny), "< 0.7 s", startup < 0.7)
    record("floor: importing numpy and pyarrow only (median)", figure(floor))
    record("ratio start-up / floor", "{:.2f} (CPU {:.2f})".format(*ratios(tiny, floor)))
    large = run(*baseline_command(numeric_csv(rows), "large"))
    speed = rows / max(large.seconds - startup, 1e-9)
    record(f"baseline {rows:,} x 4", f"{large.seconds:.2f} s (CPU {large.cpu:.2f} s), peak {large.mb:.0f} MB",
           "< 400 MB", large.mb < 400)
    record("rows per second after start-up", f"{speed / 1e6:.2f}M (rows per CPU second "
           f"{rows / max(large.cpu - median(tiny, 2), 1e-9) / 1e6:.2f}M)", ">= 1.3M", speed >= 1.3e6)


def big_capture(megabytes: int, bad_every: int | None) -> Path:
    """One capture file of about ``megabytes``, from the 200k-record lines, with a line cut
    short every ``bad_every`` lines (or none)."""
    name = f"capture-{megabytes}mb" + (f"-bad{bad_every}" if bad_every else "")
    path = DATA / name / "big.jsonl"
    if path.exists():
        return path.parent
    lines = [line for f in sorted(cached_capture(DATA, 200_000).rglob("*.jsonl"))
             for line in f.read_bytes().splitlines(keepends=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    written, n = 0, 0
    with open(path.with_suffix(".tmp"), "wb") as handle:
        while written < megabytes << 20:
            for line in lines:
                n += 1
                out = line[: len(line) // 2] + b"\n" if bad_every and n % bad_every == 0 else line
                handle.write(out)
                written += len(out)
    path.with_suffix(".tmp").rename(path)
    return path.parent


def bench_big_capture(megabytes: int) -> None:
    print(f"\n5. monitor --capture on one {megabytes:,} MB capture file, clean and with bad lines", flush=True)
    base = OUT / "base"
    if not (base / "statistics.json").exists():
        run(*baseline_command(cached_csv(DATA, "base", 1_000_000), "base"))
    clean, bad = big_capture(megabytes, None), big_capture(megabytes, 2000)
    ours_clean = run(*monitor_command(base, clean, "big-clean"))
    ours_bad = run(*monitor_command(base, bad, "big-bad"))
    ratio = ours_bad.seconds / ours_clean.seconds
    record(f"{megabytes} MB capture, clean", f"{ours_clean.seconds:.1f} s (CPU {ours_clean.cpu:.1f} s), "
           f"peak {ours_clean.mb:.0f} MB", "< 600 MB", ours_clean.mb < 600)
    record(f"{megabytes} MB capture, a bad line in 2,000", f"{ours_bad.seconds:.1f} s (CPU {ours_bad.cpu:.1f} s), "
           f"peak {ours_bad.mb:.0f} MB", "< 600 MB", ours_bad.mb < 600)
    record("time with bad lines / clean", f"{ratio:.2f} (CPU {ours_bad.cpu / ours_clean.cpu:.2f})", "<= 1.5",
           ratio <= 1.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--parts", default="1,2,3,5", help="which of the parts above to run (3 runs 3 and 4)")
    args = parser.parse_args()
    rows, records, large, megabytes = ((100_000, 20_000, 1_000_000, 64) if args.quick
                                       else (1_000_000, 200_000, 10_000_000, 1024))
    load = os.getloadavg()
    print(f"Whole-process benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (data in {DATA})")
    parts = set(args.parts.split(","))
    warm_up()
    if "1" in parts:
        bench_baseline(rows, args.repeat)
    if "2" in parts:
        bench_monitor(rows, records, args.repeat)
    if "3" in parts or "4" in parts:
        bench_startup_and_large(large, args.repeat)
    if "5" in parts:
        bench_big_capture(megabytes)
    load = os.getloadavg()
    print(f"\nload at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return print_results(ROWS)


if __name__ == "__main__":
    sys.exit(main())

"""Start-up: each analyzer command imports only what it uses (issue 14, point 4).

Each command runs in a fresh interpreter, which then lists ``sys.modules``: a user pays for
every import at every run, so `baseline` and `monitor` on small data must not load numba,
scipy, pandas, the SageMaker SDK or matplotlib (numba comes in only once the data is large
enough for compiled loops to pay for their load time; see helpers/analyzer/moments.py).
"""

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers.capture import CaptureRecord, write_capture_file

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("numba", "llvmlite", "scipy", "pandas", "sagemaker", "matplotlib", "seaborn", "boto3",
         "xgboost", "ipywidgets", "nbclient", "tqdm")
_RUN = ("import json, sys\n"
        "from helpers.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n")


def _modules_after(*argv: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _RUN, *argv], capture_output=True, text=True,
                          cwd=REPO, check=True)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0, done.stderr
    assert "helpers.monitoring.job" not in answer["modules"]  # the selfrun command's module
    return {name.split(".")[0] for name in answer["modules"]}


def _monitor_modules(folder: Path, given: list[str], report: str) -> set[str]:
    """The top-level modules a monitoring run against ``folder/base`` loaded."""
    return _modules_after(
        "monitor", "--baseline-statistics", str(folder / "base" / "statistics.json"),
        "--baseline-constraints", str(folder / "base" / "constraints.json"),
        *given, "--output", str(folder / report))


def _write_run(folder: Path, lines: list[str]) -> tuple[Path, Path, Path]:
    """The CSV rows as a data set, and as capture (first cell the output, the rest the input)."""
    data = folder / "train.csv"
    data.write_text("total_amount,passenger_count,vendor\n" + "\n".join(lines) + "\n")
    when = datetime(2021, 6, 1, 10, tzinfo=timezone.utc)
    records = [CaptureRecord.create(line.split(",", 1)[1], line.split(",", 1)[0], event_id=f"e{i}",
                                    inference_time=when) for i, line in enumerate(lines)]
    return folder, data, write_capture_file(records, folder / "capture", "p", "ep", "AllTraffic")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    return _write_run(tmp_path_factory.mktemp("startup"), ["7.5,1,CMT", "12.0,2,VTS", "9.25,1,VTS"])


def test_baseline_imports_nothing_it_does_not_use(small_run):
    folder, data, _ = small_run
    loaded = _modules_after("baseline", "--dataset", str(data), "--output", str(folder / "base"))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("current", ["dataset", "capture"])
def test_monitor_imports_nothing_it_does_not_use(small_run, current):
    folder, data, capture = small_run
    _modules_after("baseline", "--dataset", str(data), "--output", str(folder / "base"))
    given = ["--dataset", str(data)] if current == "dataset" else ["--capture", str(capture)]
    loaded = _monitor_modules(folder, given, f"report-{current}")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.fixture(scope="module")
def large_run(tmp_path_factory):
    """Past the C loops' threshold (native.COMPILE_AFTER), with empty cells in a number column."""
    rows = 60_000  # the two number columns are classified together: 120k cells, one C call
    lines = [f"{'' if i % 7 == 0 else 5 + i % 13 * 0.25},{1 + i % 4},{'VTS' if i % 3 else 'CMT'}"
             for i in range(rows)]
    return _write_run(tmp_path_factory.mktemp("startup-large"), lines)


def test_large_runs_import_nothing_they_do_not_use(large_run):
    """Nulls among numbers, the C loops, capture decoded in blocks: still no pandas."""
    folder, data, capture = large_run
    loaded = _modules_after("baseline", "--dataset", str(data), "--output", str(folder / "base"))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    loaded = _monitor_modules(folder, ["--capture", str(capture)], "report")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_capture_reader_starts_without_pyarrow_compute(small_run):
    """The read-ahead starts before the analyzer is imported; its first block must not wait for
    pyarrow.compute (60 ms of imports): the usual block is decoded from Arrow's buffers."""
    from helpers.capture import arrow

    if arrow._kernels() is None:  # builds the C loops when they are not built yet
        pytest.skip("no C compiler here: the reader then splits payloads with Arrow's kernels, "
                    "which are pyarrow.compute")
    folder, _, capture = small_run
    code = ("import sys\nfrom helpers.capture.stream import file_rows\n"
            f"parts = list(file_rows({str(capture)!r}))\n"
            "assert parts[0].rows == 3, parts\n"
            "print('pyarrow.compute' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "False"

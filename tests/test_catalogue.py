"""A catalogue of bad inputs and faults, as a hostile user would try them.

Each case builds its inputs in a fresh folder, runs one CLI command in process, and checks the
exit code (0 done, 2 input that cannot be used, 3 no data), the words the message must hold
(the file, line or field, and what is wrong), and that nothing was written or lost: every file
that was there before is unchanged, and only the files a successful run writes are new.
"""

from __future__ import annotations

import bz2
import errno
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.capture import CaptureRecord
from helpers.cli import main

TRAIN = "label,a,b,color\n" + "".join(f"{i % 7}.5,{i % 5},{i * 0.25},{'red' if i % 3 else 'blue'}\n"
                                      for i in range(200))
REPORTS = ("out/statistics.json", "out/constraints.json", "out/constraint_violations.json")
BASELINE_OUT = ("out/statistics.json", "out/constraints.json")
MOMENT = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


@dataclass
class Case:
    name: str
    build: Callable[[Path], list[str]]  # makes the inputs under the folder, returns the CLI arguments
    code: int
    words: tuple[str, ...]
    writes: tuple[str, ...] = ()  # files a successful run may add
    fault: Callable[[pytest.MonkeyPatch, Path], None] | None = None  # injected after ``build``
    twin: bool = False  # the built twin is copied to ws/ before ``build`` runs
    environ: Callable[[Path], dict[str, str]] | None = None  # variables set for the run


# -- building blocks ------------------------------------------------------------------------
def put(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def base(folder: Path, stats_edit=None, cons_edit=None) -> tuple[Path, Path]:
    result = run_baseline(put(folder, "train.csv", TRAIN))
    stats, cons = json.loads(result.statistics.to_json()), json.loads(result.constraints.to_json())
    if stats_edit:
        stats_edit(stats)
    if cons_edit:
        cons_edit(cons)
    return (put(folder, "base/statistics.json", json.dumps(stats)),
            put(folder, "base/constraints.json", json.dumps(cons)))


def monitor(folder: Path, current: list[str], stats_edit=None, cons_edit=None, out: str = "out") -> list[str]:
    stats, cons = base(folder, stats_edit, cons_edit)
    return ["monitor", "--baseline-statistics", str(stats), "--baseline-constraints", str(cons),
            *current, "--output", str(folder / out)]


def on_dataset(text: str | bytes, **edits) -> Callable[[Path], list[str]]:
    return lambda f: monitor(f, ["--dataset", str(put(f, "current.csv", text))], **edits)


def baseline_of(data: str | bytes, name: str = "data.csv", out: str = "out") -> Callable[[Path], list[str]]:
    return lambda f: ["baseline", "--dataset", str(put(f, name, data)), "--output", str(f / out)]


def line(data_in: str = "1,0.5,red", data_out: str = "2.5", encoding: str = "CSV", drop: str | None = None,
         **updates) -> str:
    record = json.loads(CaptureRecord.create(data_in, data_out, event_id="e", inference_time=MOMENT,
                                             encoding=encoding).to_line())
    if drop:
        del record["captureData"][drop]
    for key, value in updates.items():
        record["captureData"]["endpointInput"][key] = value
    return json.dumps(record)


def on_capture(files: dict[str, str | bytes], args: Callable[[Path], list[str]] | None = None,
               output: Callable[[Path], Path] | None = None):
    def build(folder: Path) -> list[str]:
        for name, data in files.items():
            put(folder, f"cap/{name}", data)
        argv = monitor(folder, ["--capture", *(args(folder) if args else [str(folder / "cap")])])
        return argv[:-1] + [str(output(folder))] if output else argv
    return build


def lines(*items: str) -> str:
    return "".join(item + "\n" for item in items)


def set_path(path: str, value):
    def edit(document: dict) -> None:
        *parents, last = path.split(".")
        node = document
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return edit


DELETE = object()
GOOD = lines(line(), line("2,0.75,blue", "3.5"))


def disk_full(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    from helpers.formats import reportset

    real = reportset._write_flushed

    def write(path, data):
        if path.name == "constraints.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(reportset, "_write_flushed", write)


def read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """EROFS where the staging folder is made (root ignores file modes, so the fault is injected)."""
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if ".staging-" in self.name:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)


def no_write_access(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The workspace's modes forbid writing (injected: root, who runs the tests, ignores modes)."""
    real, root = os.access, str(folder / "ws")
    monkeypatch.setattr(os, "access", lambda path, mode, *a, **k: False if (
        mode & os.W_OK and str(path).startswith(root)) else real(path, mode, *a, **k))


# -- the twin's workspace (a copy of the suite's built twin at ws/) ----------------------------
ANY = ("*",)  # a twin run that goes on changes its estate: only the exit and the words are checked
HOME_FILE = lambda f: {"WORKSHOP_HOME": str(f / "home")}  # noqa: E731
_HELD: list = []  # run locks held while a case runs


def twin_cli(folder: Path, command: str, prepare: Callable[[Path], None] | None = None) -> list[str]:
    root = folder / "ws"
    if prepare:
        prepare(root)
    return ["twin", "--workspace", str(root), command]


def home_is_a_file(command: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        put(folder, "home", "a file, not a folder")
        return ["twin", command]
    return build


def damage_db(root: Path) -> None:
    db = root / "control-plane.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    assert len(data) > 8 * 4096
    data[len(data) // 2: len(data) // 2 + 8192] = b"\xff" * 8192  # pages far from the first
    db.write_bytes(bytes(data))


def delete_s3(root: Path) -> None:
    shutil.rmtree(root / "s3")


def hold_run_lock(root: Path) -> None:
    handle = open(root / ".run.lock", "a")  # noqa: SIM115 - held until the case ends
    fcntl.flock(handle, fcntl.LOCK_EX)
    _HELD.append(handle)


def delete_baseline(root: Path) -> None:
    from helpers.twin.estate import Twin

    twin = Twin.open(root)
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    uri = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["BaselineConfig"][
        "StatisticsResource"]["S3Uri"]
    twin.ws.delete_object(twin.bucket, twin.core.key_of(uri))
    twin.ws.db.close()


def with_previous_reports(build):
    def wrapped(folder: Path) -> list[str]:
        for name in REPORTS:
            put(folder, name, f"previous {name}")
        return build(folder)
    return wrapped


SWITCH = ('"Enabled", "Disabled"',)

CASES = [
    # -- baseline data sets --------------------------------------------------------------
    Case("empty csv", baseline_of(""), 2, ("data.csv", "the file is empty")),
    Case("blank lines only", baseline_of("\n\n\n"), 2, ("data.csv", "the file is empty")),
    Case("header only", baseline_of("a,b\n"), 2, ("data.csv", "no data rows")),
    Case("every row ragged", baseline_of("a,b\n1\n2,3,4\n"), 2,
         ("no data rows", "2 wrong number of columns", "line 2: expected 2 columns, found 1")),
    Case("non-utf8 cell", baseline_of(b"a,b\n1,caf\xe9\n"), 2, ("data.csv", "column 'b'", "not UTF-8")),
    Case("non-utf8 header", baseline_of(b"a,caf\xe9\n1,2\n"), 2, ("data.csv", "line 1 is not UTF-8")),
    Case("duplicate header", baseline_of("a,a\n1,2\n"), 2, ("line 1", "header names column 'a' twice")),
    Case("unnamed header column", baseline_of("a,,c\n1,2,3\n"), 2, ("line 1", "header column 2 has no name")),
    Case("number beyond double", baseline_of("a\n1\n1e999\n"), 2, ("row 2", "column 'a'", "beyond the range")),
    Case("missing data set", lambda f: ["baseline", "--dataset", str(f / "no.csv"), "--output", str(f / "out")],
         2, ("no.csv", "no such file")),
    Case("folder as data set", lambda f: ["baseline", "--dataset", str(f), "--output", str(f / "out")],
         2, ("is a folder", "expected a CSV file")),
    Case("gzip bytes as csv", baseline_of(gzip.compress(b"a,b\n1,2\n")), 2, ("data.csv", "not UTF-8")),
    Case("png bytes as csv", baseline_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"), 2, ("data.csv", "UTF-8")),
    # a quote left open runs to the end of the file, as in Spark's multi-line CSV reading
    Case("unterminated quote", baseline_of('a,b\n1,"oops\n2,3\n'), 0, ("wrote",), BASELINE_OUT),
    Case("cr-only line endings", baseline_of(b"a,b\r1,x\r2,y\r"), 0, ("wrote",), BASELINE_OUT),
    Case("crlf and bom", baseline_of(b"\xef\xbb\xbfa,b\r\n1,x\r\n"), 0, ("wrote",), BASELINE_OUT),
    Case("header field over 128 kb", baseline_of("a," + "h" * 200_000 + "\n1,2\n"), 0, ("wrote",), BASELINE_OUT),
    Case("10 mb cell", baseline_of("a,b\n1," + "x" * 10_000_000 + "\n2,y\n"), 0, ("wrote",), BASELINE_OUT),
    Case("some rows ragged", baseline_of("a,b\n1,2\n3\n4,5\n"), 0,
         ("1 records could not be used", "line 3: expected 2 columns, found 1"), BASELINE_OUT),
    # -- where the reports go ------------------------------------------------------------
    Case("output is a file", lambda f: baseline_of(TRAIN)(f)[:-1] + [str(put(f, "taken", "mine"))], 2,
         ("taken is a file, not a folder",)),
    Case("output below a file", lambda f: baseline_of(TRAIN)(f)[:-1] + [str(put(f, "taken", "mine") / "out")], 2,
         ("which is a file",)),
    Case("output is the input", lambda f: baseline_of(TRAIN)(f)[:-1] + [str(f / "data.csv")], 2,
         ("would overwrite the input", "data.csv")),
    Case("monitor output over the baseline", lambda f: monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))], out="base"),
         2, ("would overwrite the input", "statistics.json")),
    Case("disk full while writing a baseline", baseline_of(TRAIN), 2,
         ("No space left on device", "nothing was changed"), fault=disk_full),
    Case("disk full keeps the previous reports", with_previous_reports(on_dataset(TRAIN)), 2,
         ("No space left on device", "nothing was changed"), fault=disk_full),
    Case("read-only output", baseline_of(TRAIN), 2, ("Read-only file system",), fault=read_only),
    # -- baseline configuration ----------------------------------------------------------
    Case("evaluate_constraints lower case", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.evaluate_constraints", "enabled")), 2,
        ("constraints.json", "monitoring_config.evaluate_constraints", *SWITCH, "'enabled'")),
    Case("evaluate_constraints Maybe", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.evaluate_constraints", "Maybe")), 2, ("evaluate_constraints", *SWITCH, "'Maybe'")),
    Case("emit_metrics true", on_dataset(TRAIN, cons_edit=set_path("monitoring_config.emit_metrics", True)), 2,
         ("monitoring_config.emit_metrics", "a string")),
    Case("perform_comparison off", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.distribution_constraints.perform_comparison", "off")), 2, ("perform_comparison", *SWITCH)),
    Case("NaN threshold", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.datatype_check_threshold", float("nan"))), 2,
        ("datatype_check_threshold", "finite number between 0.0 and 1.0", "nan")),
    Case("negative threshold", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.distribution_constraints.comparison_threshold", -1)), 2,
        ("comparison_threshold", "between 0.0 and 1.0", "-1")),
    Case("threshold 5.0", on_dataset(TRAIN, cons_edit=set_path("monitoring_config.domain_content_threshold", 5.0)),
         2, ("domain_content_threshold", "5.0")),
    Case("threshold as text", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.datatype_check_threshold", "high")), 2, ("datatype_check_threshold", "a number")),
    Case("completeness 1.5", on_dataset(TRAIN, cons_edit=set_path("features.1.completeness", 1.5)), 2,
         ("features[1].completeness", "1.5")),
    Case("unknown comparison method", on_dataset(TRAIN, cons_edit=set_path(
        "monitoring_config.distribution_constraints.comparison_method", "Fuzzy")), 2,
        ("comparison_method", '"Robust", "Simple"')),
    Case("unknown constraints version", on_dataset(TRAIN, cons_edit=set_path("version", 2.0)), 2,
         ("constraints.json", "version", "2.0")),
    Case("unknown statistics version", on_dataset(TRAIN, stats_edit=set_path("version", 1.0)), 2,
         ("statistics.json", "version", "1.0")),
    Case("unknown inferred_type", on_dataset(TRAIN, stats_edit=set_path("features.1.inferred_type", "Decimal")), 2,
         ("statistics.json", "features[1].inferred_type", "'Decimal'")),
    Case("numeric feature without statistics", on_dataset(TRAIN, stats_edit=set_path(
        "features.1.numerical_statistics", DELETE)), 2, ("features[1].numerical_statistics", "missing", "'a'")),
    Case("empty sketch", on_dataset(TRAIN, stats_edit=set_path(
        "features.2.numerical_statistics.distribution.kll.sketch.data", [])), 2, ("sketch.data", "empty", "'b'")),
    Case("constraints without a completeness", on_dataset(TRAIN, cons_edit=set_path("features.1.completeness", DELETE)),
         0, ("not evaluated: completeness_check not evaluated for 'a': the baseline constraints give no completeness",),
         REPORTS),
    Case("override switch misspelt", on_dataset(TRAIN, cons_edit=set_path(
        "features.1.num_constraints.monitoring_config_overrides", {"evaluate_constraints": "disabled"})), 2,
        ("monitoring_config_overrides.evaluate_constraints", "'disabled'")),
    Case("statistics not json", lambda f: _overwrite(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 2,
                                                      b"statistics: none"), 2, ("statistics.json", "not valid JSON")),
    Case("statistics empty", lambda f: _overwrite(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 2, b""),
         2, ("statistics.json", "not valid JSON")),
    Case("statistics truncated", lambda f: _truncate(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 2), 2,
         ("statistics.json", "not valid JSON")),
    Case("statistics is a list", on_dataset(TRAIN, stats_edit=lambda d: d.clear()), 2,
         ("statistics.json", "required field is missing")),
    Case("item_count as text", on_dataset(TRAIN, stats_edit=set_path("dataset.item_count", "x")), 2,
         ("dataset.item_count", "an integer")),
    Case("baselines that do not match", on_dataset(TRAIN, cons_edit=lambda d: d["features"].pop()), 2,
         ("do not match", "only in statistics ['color']")),
    Case("missing baseline file", lambda f: _swap(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 2,
                                                  str(f / "nope.json")), 2, ("nope.json", "No such file")),
    Case("baseline file is a folder", lambda f: _swap(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 2,
                                                      str(f / "base")), 2, ("base", "Is a directory")),
    Case("baseline not utf8", lambda f: _garble(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 4), 2,
         ("constraints.json", "not UTF-8")),
    # -- current data --------------------------------------------------------------------
    Case("current header only", on_dataset("label,a,b,color\n"), 3, ("Job inputs had no data", "no data rows")),
    Case("current rows all ragged", on_dataset("label,a,b,color\n1,2\n3,4\n"), 3,
         ("Job inputs had no data", "2 wrong number of columns", "line 2")),
    Case("current with fewer columns", on_dataset("label,a\n1.5,2\n"), 0,
         ("CompletedWithViolations",), REPORTS),
    Case("current data set missing", lambda f: monitor(f, ["--dataset", str(f / "gone.csv")]), 2,
         ("gone.csv", "no such file")),
    # -- capture -------------------------------------------------------------------------
    Case("capture without endpointOutput", on_capture({"a.jsonl": lines(line(drop="endpointOutput"))}), 3,
         ("Job inputs had no data", "1 no endpointOutput", "a.jsonl:1", "endpointOutput")),
    Case("capture half without endpointOutput", on_capture({"a.jsonl": lines(line(), line(drop="endpointOutput"))}),
         0, ("1 records could not be used", "a.jsonl:2", "endpointOutput"), REPORTS),
    Case("capture all garbage", on_capture({"a.jsonl": "{nope\n[1,2]\n"}), 3,
         ("1 not valid JSON", "1 not a capture record", "a.jsonl:1")),
    Case("capture empty folder", on_capture({}, lambda f: [str((f / "cap").mkdir() or f / "cap")]), 3,
         ("Job inputs had no data",)),
    Case("capture empty file", on_capture({"a.jsonl": ""}), 3, ("Job inputs had no data",)),
    Case("capture path missing", on_capture({}, lambda f: [str(f / "nowhere")]), 2,
         ("no capture file or folder", "nowhere")),
    Case("capture bzip2 only", on_capture({"a.jsonl.bz2": bz2.compress(GOOD.encode())}), 3,
         ("a.jsonl.bz2", "compressed with bzip2")),
    Case("capture gzip", on_capture({"a.jsonl.gz": gzip.compress(GOOD.encode())}), 0, ("Completed",), REPORTS),
    Case("capture damaged gzip", on_capture({"a.jsonl.gz": gzip.compress(GOOD.encode())[:30]}), 3,
         ("a.jsonl.gz", "gzip stream is damaged")),
    Case("capture NaN in json payload", on_capture({"a.jsonl": lines(line("[NaN, 1, 2]", encoding="JSON"))}), 3,
         ("a.jsonl:1", "NaN")),
    Case("capture non-utf8 line", on_capture({"a.jsonl": GOOD.encode() + b"\xff\xfe\n"}), 0,
         ("a.jsonl:3", "not UTF-8"), REPORTS),
    Case("capture bad base64", on_capture({"a.jsonl": lines(line("@@@", encoding="BASE64"))}), 3,
         ("a.jsonl:1", "BASE64 payload cannot be decoded")),
    Case("capture unknown encoding", on_capture({"a.jsonl": lines(line(encoding="XML"))}), 3,
         ("a.jsonl:1", "expected CSV, JSON or BASE64")),
    Case("capture data not a string", on_capture({"a.jsonl": lines(line(data=5))}), 3,
         ("a.jsonl:1", "captureData.endpointInput.data", "a string")),
    Case("capture cr-only file", on_capture({"a.jsonl": GOOD.replace("\n", "\r")}), 3,
         ("a.jsonl:1", "not valid JSON")),
    Case("capture given twice", on_capture({"a.jsonl": GOOD}, lambda f: [str(f / "cap"), str(f / "cap/a.jsonl")]),
         0, ("Completed",), REPORTS),
    Case("capture NaN payload of two", on_capture({"a.jsonl": lines(line("[NaN, 1]", encoding="JSON"))}), 3,
         ("a.jsonl:1", "NaN")),
    # -- where the reports go, for a monitoring run ---------------------------------------
    Case("monitor output is a file", lambda f: _swap(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 8,
                                                      str(put(f, "taken", "mine"))), 2, ("taken is a file, not a folder",)),
    Case("monitor output below a file", lambda f: _swap(monitor(f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 8,
                                                         str(put(f, "taken", "mine") / "out")), 2, ("which is a file",)),
    Case("monitor output is the capture file", on_capture({"a.jsonl": GOOD}, lambda f: [str(f / "cap/a.jsonl")],
                                                                  output=lambda f: f / "cap/a.jsonl"), 2,
         ("would overwrite the input", "a.jsonl")),
    Case("monitor output is the current data set", lambda f: _swap(monitor(
        f, ["--dataset", str(put(f, "c.csv", TRAIN))]), 8, str(f / "c.csv")), 2, ("would overwrite the input", "c.csv")),
    Case("monitor read-only output", on_dataset(TRAIN), 2, ("Read-only file system",), fault=read_only),
    # -- the twin's workspace --------------------------------------------------------------
    Case("twin status, control plane damaged past its first pages", lambda f: twin_cli(f, "status", damage_db), 2,
         ("control-plane.sqlite is damaged", "twin reset"), twin=True),
    Case("twin run, control plane damaged past its first pages", lambda f: twin_cli(f, "run", damage_db), 2,
         ("control-plane.sqlite is damaged", "twin reset"), twin=True),
    Case("twin status, s3 folder deleted", lambda f: twin_cli(f, "status", delete_s3), 2,
         ("s3 is missing", "twin reset"), twin=True),
    Case("twin run, s3 folder deleted", lambda f: twin_cli(f, "run", delete_s3), 2,
         ("s3 is missing", "twin reset"), twin=True),
    Case("twin run, read-only workspace", lambda f: twin_cli(f, "run"), 2,
         ("is read-only", "nothing is damaged"), twin=True, fault=no_write_access),
    Case("twin reset while a run holds the lock", lambda f: twin_cli(f, "reset", hold_run_lock), 2,
         ("in use by another twin command", "run lock"), twin=True),
    Case("twin run, baseline object deleted", lambda f: twin_cli(f, "run", delete_baseline), 0,
         ("Failed", "does not exist (deleted or moved)", "BaselineConfig"), twin=True, writes=ANY),
    *[Case(f"twin {command}, WORKSHOP_HOME is a file", home_is_a_file(command), 2,
           ("home is a file", "point --workspace or WORKSHOP_HOME at a folder"), environ=HOME_FILE)
      for command in ("status", "run", "up", "reset")],
    Case("twin status, WORKSHOP_HOME below a file", home_is_a_file("status"), 2, ("which is a file",),
         environ=lambda f: {"WORKSHOP_HOME": str(f / "home" / "ws")}),
    Case("twin run, zero hours", lambda f: twin_cli(f, "run") + ["--hours", "0"], 2,
         ("expected a whole number of hours, at least 1",), twin=True),
    # -- the command line itself ---------------------------------------------------------
    Case("unknown command", lambda f: ["frobnicate"], 2, ("invalid choice",)),
    Case("monitor without current data", lambda f: monitor(f, []), 2, ("one of the arguments",)),
]


def _overwrite(args: list[str], index: int, data: bytes) -> list[str]:
    Path(args[index]).write_bytes(data)
    return args


def _truncate(args: list[str], index: int) -> list[str]:
    path = Path(args[index])
    path.write_bytes(path.read_bytes()[:40])
    return args


def _swap(args: list[str], index: int, value: str) -> list[str]:
    return args[:index] + [value] + args[index + 1:]


def _garble(args: list[str], index: int) -> list[str]:
    path = Path(args[index])
    path.write_bytes(path.read_bytes().replace(b'"version"', b'"v\xe9rsion"', 1))
    return args


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue(case: Case, tmp_path, monkeypatch, capsys, request):
    if case.twin:
        shutil.copytree(request.getfixturevalue("built_twin"), tmp_path / "ws")
    argv = case.build(tmp_path)
    before = _snapshot(tmp_path)
    for name, value in (case.environ(tmp_path) if case.environ else {}).items():
        monkeypatch.setenv(name, value)
    if case.fault:
        case.fault(monkeypatch, tmp_path)
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    finally:
        while _HELD:
            _HELD.pop().close()
    monkeypatch.undo()
    out, err = capsys.readouterr()
    assert code == case.code, f"exit {code}, expected {case.code}; stderr: {err[-2000:]}"
    message = out + err
    missing = [w for w in case.words if w not in message]
    assert not missing, f"{missing} not in: {message[-2000:]}"
    assert "Traceback" not in message and "internal error" not in message
    if case.writes == ANY:
        return
    after = _snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing lost or changed
    # SQLite's side files of a connection that opened the control plane hold no data of their own
    new = {name for name in set(after) - set(before) if not name.endswith(("sqlite-wal", "sqlite-shm"))}
    assert new == (set(case.writes) if code == 0 else set()), f"unexpected files: {sorted(new)}"
    assert not [p for p in tmp_path.rglob("*staging*")], "a staging folder was left behind"


# every bad input and fault the issue that asked for this catalogue names, by case name
FROM_THE_ISSUE = (
    "evaluate_constraints lower case", "evaluate_constraints Maybe", "NaN threshold", "negative threshold",
    "threshold 5.0", "completeness 1.5", "numeric feature without statistics", "empty sketch",
    "capture without endpointOutput", "capture given twice", "capture gzip",
    "twin reset while a run holds the lock", "twin run, read-only workspace", "twin run, baseline object deleted",
    "disk full while writing a baseline", "disk full keeps the previous reports", "every row ragged",
    "capture all garbage",
    # the 17 that ended in a traceback
    "cr-only line endings", "header field over 128 kb", "capture NaN payload of two", "output is a file",
    "monitor output is a file", "output below a file", "monitor output below a file", "read-only output",
    "monitor read-only output", "output is the input", "monitor output is the current data set",
    "twin status, control plane damaged past its first pages", "twin run, control plane damaged past its first pages",
    "twin status, s3 folder deleted", "twin run, s3 folder deleted", "twin status, WORKSHOP_HOME is a file",
    "twin run, WORKSHOP_HOME is a file",
    "10 mb cell",
)


def test_the_catalogue_is_long_enough_and_holds_the_issues_cases():
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names) >= 60
    assert [name for name in FROM_THE_ISSUE if name not in names] == []


def test_a_bug_is_named_as_one_not_traced(tmp_path, monkeypatch, capsys):
    """An error no input should cause: exit 1, the error and where it was raised, no traceback
    unless asked for (HELPERS_TRACEBACK=1), so a user can report it."""
    from helpers.analyzer import baseline

    def broken(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(baseline, "run_baseline", broken)
    argv = baseline_of(TRAIN)(tmp_path)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("internal error: ZeroDivisionError: division by zero at test_catalogue.py:")
    assert "in broken. This is a bug, not a problem with your input; please report it" in err
    assert "Traceback" not in err
    monkeypatch.setenv("HELPERS_TRACEBACK", "1")
    assert main(argv) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()

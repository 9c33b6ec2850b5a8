"""The twin under faults: killed runs, a vanished baseline, resets during runs, broken workspaces."""

import multiprocessing
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers.analyzer.metrics import DATA_METRICS_NAMESPACE
from helpers.formats import Constraints, ConstraintViolations, Statistics
from helpers.formats.layout import REPORT_FILES
from helpers.monitoring.pause import MOMENTS
from helpers.twin.estate import Twin
from helpers.twin.store import Workspace

REPO = Path(__file__).resolve().parents[1]


def _live(root: str, hours: int, pause: str = "", flag: str = "") -> None:
    if pause:  # test-only: wait at this moment of an execution to be killed (helpers.monitoring.pause)
        os.environ.update(WORKSHOP_PAUSE_AT=pause, WORKSHOP_PAUSE_FLAG=flag)
    Twin.open(root).run_hours(hours)


def _run_in_child(root: Path, hours: int, pause: str = "", flag: Path | None = None):
    """A process that lives ``hours`` hours on the twin, forked from a server that has already
    imported the twin (a fresh interpreter per kill would spend the test's time on imports; a
    fork of this threaded test process could deadlock)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["helpers.twin.estate"])
    process = context.Process(target=_live, args=(str(root), hours, pause, str(flag or "")))
    process.start()
    return process


def _reports(root: Path) -> list[Path]:
    return [hour for folder in (root / "s3").rglob("mlops-nyctaxi-pms") for hour in folder.glob("*/*/*/*")]


def _in_progress(root: Path) -> list[dict]:
    ws = Workspace.open(root)
    try:
        return [e for e in ws.resources("monitoring_execution") if e["MonitoringExecutionStatus"] == "InProgress"]
    finally:
        ws.db.close()


def _kill_at(root: Path, moment: str, flag: Path) -> None:
    """Start `twin run`, wait until its execution reaches ``moment``, SIGKILL it there.

    A run first resumes an execution a kill left InProgress, then fires its new hour: the pause
    is set for the new one (its second arrival at the moment), so every kill interrupts a
    different hour and the resumed ones are seen to finish."""
    arrival = 1 + bool(_in_progress(root))
    process = _run_in_child(root, 1, f"{moment}:{arrival}", flag)
    deadline = time.monotonic() + 600
    while not flag.exists() and process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.kill()  # SIGKILL
    process.join()
    assert flag.exists() and flag.read_text() == moment, f"the run never reached {moment} (exit {process.exitcode})"


@pytest.mark.slow
def test_each_hour_runs_exactly_once_whatever_is_killed_when(twin_copy, tmp_path):
    """20 kills, each at a named moment inside an execution (helpers.monitoring.pause.MOMENTS):
    after the claim, after the analysis, inside the finish transaction before and after the
    metrics, with the report set in place but not committed, and just after the commit."""
    root = twin_copy.ws.root
    twin_copy.ws.db.close()
    plan = [MOMENTS[i % len(MOMENTS)] for i in range(20)]
    random.Random(20).shuffle(plan)
    inside = 0
    for number, moment in enumerate(plan):
        _kill_at(root, moment, tmp_path / f"paused-{number}")
        left = _in_progress(root)
        assert len(left) == (moment != "finished"), (moment, left)  # killed inside iff before the commit
        inside += bool(left)
    assert inside == sum(m != "finished" for m in plan) >= 16
    process = _run_in_child(root, 1)
    process.join()
    assert process.exitcode == 0
    twin = Twin.open(root)
    executions = twin.ws.resources("monitoring_execution")
    jobs = [j for j in twin.ws.resources("processing_job") if j["ProcessingJobName"].startswith("model-monitoring-")]
    assert len({e["ScheduledTime"] for e in executions}) == len(executions)
    assert len({j["ProcessingJobName"] for j in jobs}) == len(jobs) == len(executions)
    assert not [e for e in executions if e["MonitoringExecutionStatus"] in ("Pending", "InProgress")]
    assert not [j for j in jobs if j["ProcessingJobStatus"] == "InProgress"]
    points = twin.ws.db.execute("SELECT name, dims, ts FROM metrics WHERE namespace = ?",
                                (DATA_METRICS_NAMESPACE,)).fetchall()
    assert [p for p, n in Counter(points).items() if n > 1] == []
    completed = [e for e in executions if e["MonitoringExecutionStatus"].startswith("Completed")]
    per_series = Counter((name, dims) for name, dims, _ in points)
    assert set(per_series.values()) == {len(completed)}  # one point per feature and completed run
    for hour in _reports(root):
        assert sorted(p.name for p in hour.iterdir()) == sorted(REPORT_FILES), hour
        ConstraintViolations.from_file(hour / "constraint_violations.json")
        Statistics.from_file(hour / "statistics.json")
        Constraints.from_file(hour / "constraints.json")
    assert len(_reports(root)) == len(completed)
    assert not [p for p in (root / "s3").rglob(".*staging*")]


def test_a_vanished_baseline_fails_its_execution_and_the_schedule_goes_on(twin_copy):
    twin = twin_copy
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    uri = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["BaselineConfig"][
        "StatisticsResource"]["S3Uri"]
    key = twin.core.key_of(uri)
    saved = twin.ws.get_object(twin.bucket, key)
    twin.ws.delete_object(twin.bucket, key)
    before = len(twin.ws.resources("monitoring_execution"))
    twin.run_hours(1)
    executions = sorted(twin.ws.resources("monitoring_execution"), key=lambda e: e["ScheduledTime"])
    failed = executions[before:]
    assert [e["MonitoringExecutionStatus"] for e in failed] == ["Failed"]
    assert failed[0]["FailureReason"] == (
        f"ClientError: the baseline object {uri} does not exist (deleted or moved); restore it or update "
        "the schedule's BaselineConfig")
    twin.ws.put_object(twin.bucket, key, saved)
    twin.run_hours(1)
    latest = sorted(twin.ws.resources("monitoring_execution"), key=lambda e: e["ScheduledTime"])[-1]
    assert latest["MonitoringExecutionStatus"] in ("Completed", "CompletedWithViolations")


def test_a_refused_baseline_fails_its_execution_with_the_field(twin_copy):
    twin = twin_copy
    schedule = twin.ws.resource("monitoring_schedule", twin.names.schedule_name)
    uri = schedule["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["BaselineConfig"][
        "ConstraintsResource"]["S3Uri"]
    key = twin.core.key_of(uri)
    text = twin.ws.get_object(twin.bucket, key).decode().replace('"evaluate_constraints" : "Enabled"',
                                                                 '"evaluate_constraints" : "enabled"')
    twin.ws.put_object(twin.bucket, key, text.encode())
    twin.run_hours(1)
    latest = sorted(twin.ws.resources("monitoring_execution"), key=lambda e: e["ScheduledTime"])[-1]
    assert latest["MonitoringExecutionStatus"] == "Failed"
    assert latest["FailureReason"].startswith(f"AlgorithmError: {uri}: monitoring_config.evaluate_constraints: "
                                              'expected one of "Enabled", "Disabled"')


def _cli(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", "twin", "--workspace", str(root), *args],
                          cwd=REPO, capture_output=True, text=True, **kw)


def test_reset_refuses_while_a_run_holds_the_lock(twin_copy):
    root = twin_copy.ws.root
    import fcntl

    with open(root / ".run.lock", "a") as handle:  # what `twin run` holds while it runs
        fcntl.flock(handle, fcntl.LOCK_EX)
        done = _cli(root, "reset")
    assert done.returncode == 2
    assert "is in use by another twin command (it holds the run lock)" in done.stderr
    assert (root / "workspace.json").is_file() and (root / "s3").is_dir()
    assert _cli(root, "reset").returncode == 0 and not root.exists()


def test_a_run_that_waited_through_a_reset_does_not_recreate_the_workspace(twin_copy):
    import fcntl

    root = twin_copy.ws.root
    twin_copy.ws.db.close()
    with open(root / ".run.lock", "a") as handle:  # a run in progress holds the lock
        fcntl.flock(handle, fcntl.LOCK_EX)
        waiting = subprocess.Popen([sys.executable, "-m", "helpers", "twin", "--workspace", str(root), "run"],
                                   cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)  # the second run opens the workspace, then waits for the lock
        for path in sorted(root.iterdir()):  # what a reset deletes once the first run is done
            subprocess.run(["rm", "-rf", str(path)], check=True)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 2, err
    assert "was deleted (twin reset) while this command waited" in err or "no twin at" in err
    assert not (root / "s3").exists() and not (root / "control-plane.sqlite").exists()


def _no_write_access(monkeypatch, root: Path) -> None:
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, *a, **k: False if (
        mode & os.W_OK and str(path).startswith(str(root))) else real(path, mode, *a, **k))


def _read_only_file_system(monkeypatch, root: Path) -> None:
    import errno

    real = Path.touch

    def touch(self, *args, **kwargs):
        if str(self).startswith(str(root)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "touch", touch)


# the tests run as root, whom file modes do not stop: the two ways a workspace is read-only
# (no write permission; a read-only file system) are injected where the twin asks
@pytest.mark.parametrize("fault", [_no_write_access, _read_only_file_system], ids=["modes", "erofs"])
def test_a_read_only_workspace_is_reported_as_read_only(built_twin, monkeypatch, capsys, fault):
    from helpers.cli import main

    fault(monkeypatch, built_twin)
    for command in ("status", "run"):
        assert main(["twin", "--workspace", str(built_twin), command]) == 2
        err = capsys.readouterr().err
        assert f"error: {built_twin} is read-only" in err and "(nothing is damaged)" in err
        assert "damaged (" not in err and "twin reset" not in err


BROKEN = {
    "workspace is a file": (lambda root: (root.parent.mkdir(parents=True, exist_ok=True), root.write_text("x")),
                            ["status"], "is a file; point --workspace or WORKSHOP_HOME at a folder"),
    "workspace below a file": (lambda root: (root.parent.parent.mkdir(parents=True, exist_ok=True),
                                             root.parent.write_text("x")),
                               ["status"], "which is a file"),
    "no workspace": (lambda root: None, ["status"], "no twin at"),
    "foreign folder": (lambda root: (root.mkdir(parents=True), (root / "notes.txt").write_text("x")),
                       ["run"], "is not a twin workspace (no workspace.json)"),
    "up over a folder": (lambda root: (root.mkdir(parents=True), (root / "notes.txt").write_text("x")),
                         ["up"], "is not empty; run `python -m helpers twin reset` first"),
    "zero hours": (lambda root: None, ["run", "--hours", "0"], "expected a whole number of hours, at least 1"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_workspace_gets_exit_2_and_a_way_out(tmp_path, case):
    make, args, words = BROKEN[case]
    root = tmp_path / "ws" if case != "workspace below a file" else tmp_path / "ws" / "f" / "ws"
    make(root)
    done = _cli(root, *args)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr


def test_damage_beyond_the_first_pages_and_a_deleted_s3_folder(twin_copy, tmp_path):
    import shutil

    root = twin_copy.ws.root
    twin_copy.ws.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    twin_copy.ws.db.close()
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    db = root / "control-plane.sqlite"
    data = bytearray(db.read_bytes())
    assert len(data) > 8 * 4096
    data[len(data) // 2 : len(data) // 2 + 8192] = b"\xff" * 8192  # pages far from the first
    db.write_bytes(bytes(data))
    done = _cli(root, "status")
    assert done.returncode == 2 and "is damaged" in done.stderr and "twin reset" in done.stderr
    assert "Traceback" not in done.stderr
    shutil.rmtree(copy / "s3")
    done = _cli(copy, "run")
    assert done.returncode == 2 and "s3 is missing" in done.stderr and "twin reset" in done.stderr
    assert not (copy / "s3").exists()
    sqlite3.connect(copy / "control-plane.sqlite").close()

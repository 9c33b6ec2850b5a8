"""A report set is written all or nothing, and follows the user's umask."""

import errno
import os
import stat

import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.monitor import run_monitor
from helpers.formats import reportset
from helpers.formats.reportset import OutputError, write_report_set

NAMES = ("statistics.json", "constraints.json", "constraint_violations.json")


def _set(tag: str) -> dict[str, bytes]:
    return {name: f"{tag} {name}".encode() for name in NAMES}


def _contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _full_disk_on(name: str, monkeypatch):
    real = reportset._write_flushed

    def write(path, data):
        if path.name == name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(reportset, "_write_flushed", write)


@pytest.mark.parametrize("others", [False, True], ids=["only-reports", "with-other-files"])
def test_a_failure_while_writing_leaves_the_previous_set(tmp_path, monkeypatch, others):
    out = tmp_path / "out"
    write_report_set(out, _set("old"))
    if others:
        (out / "notes.txt").write_text("mine")
    before = _contents(out)
    _full_disk_on("constraints.json", monkeypatch)
    with pytest.raises(OutputError, match=r"cannot write the report set into .*/out \(No space left on device\); "
                                          r"nothing was changed there"):
        write_report_set(out, _set("new"))
    assert _contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left behind


def test_a_failure_while_putting_in_place_is_undone(tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_report_set(out, _set("old"))
    (out / "notes.txt").write_text("mine")
    before = _contents(out)
    real_rename, calls = os.rename, []

    def rename(src, dst):
        calls.append(dst)
        if len(calls) == 5:  # three old files moved aside, one new file in, then a failure
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OutputError):
        write_report_set(out, _set("new"))
    monkeypatch.undo()
    assert _contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_new_set_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "out"
    write_report_set(out, _set("old"))
    write_report_set(out, _set("new"))
    assert _contents(out) == {name: f"new {name}".encode() for name in NAMES}
    (out / "notes.txt").write_text("mine")
    write_report_set(out, _set("third"))
    assert _contents(out) == {**{name: f"third {name}".encode() for name in NAMES}, "notes.txt": b"mine"}


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_files_and_folders_follow_the_umask(tmp_path, mask):
    previous = os.umask(mask)
    try:
        result = run_baseline(_csv(tmp_path))
        paths = result.write(tmp_path / "new" / "out")
        folder_mode = stat.S_IMODE((tmp_path / "new" / "out").stat().st_mode)
        modes = {stat.S_IMODE(p.stat().st_mode) for p in paths}
        second = run_monitor(result.statistics, result.constraints, dataset=_csv(tmp_path)).write(tmp_path / "new" / "out")
        modes |= {stat.S_IMODE(p.stat().st_mode) for p in second}
    finally:
        os.umask(previous)
    assert modes == {0o666 & ~mask}
    assert folder_mode == 0o777 & ~mask


def _csv(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,x\n2,y\n")
    return path


def test_an_output_that_is_a_file_or_below_one(tmp_path):
    result = run_baseline(_csv(tmp_path))
    with pytest.raises(OutputError, match=r"data\.csv is a file, not a folder"):
        result.write(tmp_path / "data.csv")
    with pytest.raises(OutputError, match=r"data\.csv/out is below .*data\.csv, which is a file"):
        result.write(tmp_path / "data.csv" / "out")
    assert (tmp_path / "data.csv").read_text() == "a,b\n1,x\n2,y\n"

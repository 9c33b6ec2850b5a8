"""Capture records that cannot be used: counted and reported with file, line and reason.

These tests pin the semantics any capture reader must keep (the exact line-by-line path and
the vectorised one alike): nothing dropped in silence, nothing shifted, each file read once.
"""

import bz2
import gzip
import json
import os
from datetime import datetime, timezone

import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.monitor import NoDataError, run_monitor
from helpers.capture import CaptureError, CaptureRecord, capture_files, read_capture

BOTH_PATHS = pytest.mark.parametrize("fast", [True, False], ids=["fast", "exact"])


def _line(data_in: str, data_out: str = "7", event_id: str = "e1") -> str:
    return CaptureRecord.create(data_in, data_out, event_id=event_id,
                                inference_time=datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)).to_line()


def _without_output(data_in: str) -> str:
    record = json.loads(_line(data_in, event_id="no-output"))
    del record["captureData"]["endpointOutput"]
    return json.dumps(record, separators=(",", ":"))


def _write(path, lines, opener=open):
    path.parent.mkdir(parents=True, exist_ok=True)
    with opener(path, "wt") as handle:
        handle.write("".join(line + "\n" for line in lines))
    return path


@BOTH_PATHS
def test_a_record_without_endpoint_output_is_reported_never_shifted(tmp_path, fast):
    path = _write(tmp_path / "f.jsonl", [_line("1,2"), _without_output("3,4"), _line("5,6", "8")])
    rows = read_capture(path, ["label", "a", "b"], fast=fast)
    assert rows.records == 3
    assert rows.frame.values.tolist() == [["7", "1", "2"], ["8", "5", "6"]]
    assert rows.metadata["line"].tolist() == [1, 3]
    [problem] = rows.problems
    assert (problem.file, problem.line, problem.kind) == (str(path), 2, "no endpointOutput")
    assert str(problem) == (f"{path}:2: captureData.endpointOutput: missing (without the model's output "
                            "the inputs cannot be placed on the baseline's columns)")


def test_the_same_file_reached_twice_is_read_once(tmp_path):
    path = _write(tmp_path / "cap" / "2021" / "f.jsonl", [_line("1,2"), _line("3,4")])
    os.symlink(path, tmp_path / "link.jsonl")
    os.link(path, tmp_path / "hard.jsonl")
    rows = read_capture([tmp_path / "cap", path, tmp_path / "link.jsonl", tmp_path / "hard.jsonl"])
    assert rows.records == 2 and len(rows) == 2
    assert rows.files == [str(path)]
    assert capture_files([path, tmp_path / "cap"]) == [path]


@BOTH_PATHS
def test_gzip_capture_files_are_read_in_folders_and_by_name(tmp_path, fast):
    _write(tmp_path / "cap" / "a.jsonl", [_line("1,2")])
    _write(tmp_path / "cap" / "b.jsonl.gz", [_line("3,4"), _line("5,6")], gzip.open)
    _write(tmp_path / "named.data", [_line("7,8")], gzip.open)  # gzip recognised by content
    rows = read_capture([tmp_path / "cap", tmp_path / "named.data"], fast=fast)
    assert rows.problems == [] and rows.records == 4
    assert rows.frame.values.tolist() == [["7", "1", "2"], ["7", "3", "4"], ["7", "5", "6"], ["7", "7", "8"]]
    assert rows.metadata["line"].tolist() == [1, 1, 2, 1]


@BOTH_PATHS
def test_other_compressions_are_refused_by_name(tmp_path, fast):
    _write(tmp_path / "a.jsonl", [_line("1,2")])
    refused = _write(tmp_path / "b.jsonl.bz2", [_line("3,4")], bz2.open)
    rows = read_capture(tmp_path, fast=fast)
    assert rows.records == 1 and len(rows) == 1
    [problem] = rows.problems
    assert (problem.file, problem.line, problem.kind) == (str(refused), None, "compressed file not readable")
    assert str(problem) == (f"{refused}: compressed with bzip2; capture files are read plain "
                            "or gzip-compressed only")
    with pytest.raises(CaptureError, match=r"b\.jsonl\.bz2: compressed with bzip2"):
        read_capture(tmp_path, strict=True)


@BOTH_PATHS
def test_a_damaged_gzip_stream_keeps_the_lines_before_it_and_says_where(tmp_path, fast):
    whole = gzip.compress("".join(_line(f"{i},{i}") + "\n" for i in range(2000)).encode())
    path = tmp_path / "f.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    rows = read_capture(path, fast=fast)
    [problem] = rows.problems
    assert problem.kind == "damaged gzip stream" and problem.line is None
    assert str(problem).startswith(f"{path}: the gzip stream is damaged after line {rows.records} (")
    assert 0 < len(rows) == rows.records < 2000


@BOTH_PATHS
def test_line_level_faults_each_have_a_reason(tmp_path, fast):
    nan_payload = json.loads(_line("1,2"))
    nan_payload["captureData"]["endpointInput"].update(data="[NaN, 1]", encoding="JSON")
    long_cell = "x" * 200_000
    lines = [_line("1,2"), "{not json", '{"eventVersion": "0"}', json.dumps(nan_payload),
             _line(f"{long_cell},2")]
    path = tmp_path / "f.jsonl"
    latin1 = _line("3,4").encode().replace(b"3,4", b"\xff,4")
    path.write_bytes(("\n".join(lines) + "\n").encode() + latin1 + b"\n")
    rows = read_capture(path, fast=fast)
    assert rows.records == 6
    assert rows.frame.values.tolist() == [["7", "1", "2"], ["7", long_cell, "2"]]
    assert [(p.line, p.kind) for p in rows.problems] == [
        (2, "not valid JSON"), (3, "not a capture record"),
        (4, "NaN or Infinity in a JSON payload"), (6, "not UTF-8 text")]
    assert rows.problems[2].reason == "endpointInput.data: JSON payload holds NaN, which JSON does not allow"
    bad_byte = latin1.index(0xFF) + 1
    assert rows.problems[3].reason == f"byte {bad_byte} is not UTF-8 text"


def test_when_nothing_is_usable_the_reasons_are_in_the_message(tmp_path):
    base = run_baseline(_write(tmp_path / "base.csv", ["label,a,b", "1,2,3", "4,5,6"]))
    _write(tmp_path / "cap" / "f.jsonl", [_without_output("1,2"), "{bad", _without_output("3,4")])
    bz2.open(tmp_path / "cap" / "g.jsonl.bz2", "wt").close()
    with pytest.raises(NoDataError) as caught:
        run_monitor(base.statistics, base.constraints, capture=tmp_path / "cap")
    f, g = tmp_path / "cap" / "f.jsonl", tmp_path / "cap" / "g.jsonl.bz2"
    assert str(caught.value) == (
        "Job inputs had no data (3 capture records, none usable, 1 files not read: "
        "2 no endpointOutput, 1 compressed file not readable, 1 not valid JSON; first: "
        f"{g}: compressed with bzip2; capture files are read plain or gzip-compressed only; "
        f"{f}:1: captureData.endpointOutput: missing (without the model's output the inputs cannot be "
        f"placed on the baseline's columns); {f}:2: not valid JSON at column 2 (Expecting property name "
        "enclosed in double quotes); ... and 1 more)")


def test_when_every_csv_row_is_rejected_the_reasons_are_in_the_message(tmp_path):
    base = run_baseline(_write(tmp_path / "base.csv", ["a,b", "1,2"]))
    current = _write(tmp_path / "cur.csv", ["a,b", "1", "2,3,4"])
    with pytest.raises(NoDataError) as caught:
        run_monitor(base.statistics, base.constraints, dataset=current)
    assert str(caught.value) == (
        f"Job inputs had no data ({current} has no data rows; 2 rows could not be used: "
        f"2 wrong number of columns; first: {current}: line 2: expected 2 columns, found 1: '1'; "
        f"{current}: line 3: expected 2 columns, found 3: '2,3,4')")
    with pytest.raises(ValueError, match=r"no data rows \(a baseline needs at least one\); 2 rows could "
                                         r"not be used: 2 wrong number of columns; first: "):
        run_baseline(current)

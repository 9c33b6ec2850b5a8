"""The block-by-block capture reader gives exactly what a line-by-line read gives.

Blocks are made tiny here, so every kind of line (bad JSON, a record without endpointOutput, a
JSON payload, another width, quoted CSV, blank lines, CRLF endings, spaces around a record, a
line shaped like a record that is not JSON) lands in blocks the
vectorised decoder cannot take whole: the rows, their order, their metadata and the problems
must still equal the exact reader's, and a monitoring run streamed from the files must write
the same reports as one given the decoded rows.
"""

import gzip
import json
import random
from datetime import datetime, timezone

import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.monitor import run_monitor
from helpers.capture import CaptureRecord, read_capture, readahead, stream
from helpers.capture.readahead import ReadAhead

WHEN = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def _record(i: int, rng: random.Random) -> str:
    kind = rng.random()
    line = CaptureRecord.create(f"{i % 7},{rng.choice(['a', 'b', ''])},{i * 0.5}", f"{i % 3}",
                                event_id=f"e{i}", inference_time=WHEN).to_line()
    if kind < 0.03:
        return line[: len(line) // 2]  # cut short: not JSON
    if kind < 0.05:
        record = json.loads(line)
        del record["captureData"]["endpointOutput"]
        return json.dumps(record)
    if kind < 0.07:
        return CaptureRecord.create(json.dumps([i, "b", 1.5]), "1", event_id=f"j{i}", inference_time=WHEN,
                                    input_content_type="application/json", encoding="JSON").to_line()
    if kind < 0.09:
        return CaptureRecord.create(f'{i},"q,uoted",1,2', "0", event_id=f"q{i}", inference_time=WHEN).to_line()
    if kind < 0.10:
        return ""  # a blank line
    if kind < 0.11:
        return "[1, 2]"  # JSON, not a record
    if kind < 0.12:  # a payload without a field the record format requires
        record = json.loads(line)
        del record["captureData"][rng.choice(["endpointInput", "endpointOutput"])][rng.choice(["mode", "observedContentType"])]
        return json.dumps(record)
    if i % 89 == 0:
        return "{shaped, but not JSON}"  # first and last byte as a record's: only Arrow finds it out
    if i % 97 == 0:
        return "  " + line + "\t"  # a record with spaces around it
    return line


@pytest.fixture
def awkward_capture(tmp_path):
    rng = random.Random(14)
    lines = [_record(i, rng) for i in range(3000)]
    path = tmp_path / "cap" / "f.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(lines[:1500]) + "\n" + "\r\n".join(lines[1500:]) + "\n")
    return path


@pytest.mark.parametrize("block_bytes", [1 << 10, 1 << 13, 1 << 16])
def test_blocks_read_exactly_as_line_by_line(awkward_capture, monkeypatch, block_bytes):
    monkeypatch.setattr(stream, "BLOCK_BYTES", block_bytes)
    names = ["label", "a", "b", "c"]
    blocks, exact = read_capture(awkward_capture, names), read_capture(awkward_capture, names, fast=False)
    assert blocks.records == exact.records
    assert [str(p) for p in blocks.problems] == [str(p) for p in exact.problems]
    assert len(blocks.problems) > 50
    assert blocks.table.equals(exact.table)
    assert blocks.meta.equals(exact.meta)


def test_a_streamed_monitoring_run_writes_the_same_reports(awkward_capture, tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 12)
    data = tmp_path / "train.csv"
    data.write_text("label,a,b,c\n" + "".join(f"{i % 3},{i % 7},ab"[:-1] + f",{i}\n" for i in range(200)))
    base = run_baseline(data)
    names = ["label", "a", "b", "c"]
    streamed = run_monitor(base.statistics, base.constraints, capture=awkward_capture.parent)
    whole = run_monitor(base.statistics, base.constraints, capture=read_capture(awkward_capture.parent, names))
    assert streamed.statistics.to_json() == whole.statistics.to_json()
    assert streamed.violations.to_json() == whole.violations.to_json()
    assert streamed.constraints.to_json() == whole.constraints.to_json()
    assert [str(p) for p in streamed.problems] == [str(p) for p in whole.problems]


def _parts(reader) -> list[tuple]:
    return [(p.records, [str(x) for x in p.problems], [c.to_pylist() for c in p.cells], p.meta.to_pylist())
            for p in reader]


def test_the_read_ahead_gives_the_parts_in_the_order_file_rows_gives_them(awkward_capture, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 12)
    second = awkward_capture.parent / "g.jsonl"
    second.write_bytes(awkward_capture.read_bytes()[:20_000])  # cut inside a line: its last line is bad
    ahead = ReadAhead(awkward_capture.parent)
    assert ahead.found.paths == [awkward_capture, second]
    expected = _parts(part for path in ahead.found.paths for part in stream.file_rows(path))
    assert len(expected) > readahead.DEPTH * 2  # the queue filled and drained more than once
    assert _parts(ahead) == expected


@pytest.mark.parametrize("readers", [1, 2, 3])
def test_files_read_at_once_come_out_in_file_order(awkward_capture, monkeypatch, readers):
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 13)
    data = awkward_capture.read_bytes()
    for i, cut in enumerate([9_000, 30_000, 45_000, len(data)]):  # files of 2 to 10 blocks
        (awkward_capture.parent / f"g{i}.jsonl").write_bytes(data[:cut])
    ahead = ReadAhead(awkward_capture.parent, readers=readers)
    assert len(ahead._threads) == readers and len(ahead.found.paths) == 5
    expected = _parts(part for path in ahead.found.paths for part in stream.file_rows(path))
    assert _parts(ahead) == expected


@pytest.mark.parametrize("block_bytes", [1 << 17, (1 << 17) + 4321, 200_000])
def test_a_plain_file_is_cut_into_the_blocks_of_a_piece_by_piece_read(awkward_capture, tmp_path, monkeypatch,
                                                                       block_bytes):
    """A plain file is read a block per call, a gzip stream 64 KB at a time: the same blocks."""
    big = tmp_path / "big.jsonl"
    big.write_bytes(awkward_capture.read_bytes() * 3)  # about 1.2 MB: several blocks, each over 64 KB
    packed = tmp_path / "big.jsonl.gz"
    packed.write_bytes(gzip.compress(big.read_bytes()))
    plain, pieces = list(stream.file_rows(big, block_bytes=block_bytes)), list(stream.file_rows(packed, block_bytes=block_bytes))
    assert len(plain) > 5
    assert [p.meta.column("line").to_pylist() for p in plain] == [p.meta.column("line").to_pylist() for p in pieces]
    assert [p.records for p in plain] == [p.records for p in pieces]


def test_an_error_while_reading_ahead_is_raised_where_the_parts_are_read(awkward_capture, monkeypatch):
    def failing(path, **options):
        yield from stream.file_rows(path, **options)
        raise PermissionError(f"{path}: went away")

    monkeypatch.setattr(readahead, "file_rows", failing)
    reader = iter(ReadAhead(awkward_capture))
    assert next(reader).records == next(stream.file_rows(awkward_capture)).records
    with pytest.raises(PermissionError, match="went away"):
        next(reader)


def test_a_read_ahead_left_early_stops_its_thread(awkward_capture, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 10)
    ahead = ReadAhead(awkward_capture)
    reader = iter(ahead)
    next(reader)
    reader.close()  # what leaving a for loop early does
    for thread in ahead._threads:
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_the_c_pass_over_a_blocks_lines_agrees_with_the_fallback(monkeypatch):
    """line_shape counts newlines and judges every line's first and last byte in one C pass;
    without the C loops it counts with bytes.count: both answers agree on every small block
    of the bytes that matter (braces, newlines, CR, space, other)."""
    from helpers.capture import arrow

    if arrow._kernels() is None:
        pytest.skip("no C compiler here: only the bytes.count answer exists")
    rng = random.Random(5)
    alphabet = [b"{", b"}", b"\n", b"\r", b" ", b"a"]
    blocks = [b"", b"\n", b"{}", b"{}\n", b"{\n", b"{}\n{}", b"{}\n\n{}\n", b"{a}\r\n{b}\n", b"{}\x00\n{}"]
    blocks += [b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(20_000)]
    compiled = [arrow.line_shape(b) for b in blocks]
    monkeypatch.setattr(arrow, "_pays", lambda count: False)
    assert [arrow.line_shape(b) for b in blocks] == compiled
    assert compiled[:4] == [(0, False), (1, False), (0, True), (1, True)]

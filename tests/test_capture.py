import base64
import json
from datetime import datetime, timezone

import pytest

from helpers.capture import CaptureError, CaptureRecord, read_capture, write_capture_file


def test_real_capture_rows(real):
    rows = read_capture(real / "aim362_2020_endpoint_monitoring/captured_data_example.jsonl")
    assert rows.records == 9 and rows.problems == []
    assert rows.frame.shape == (9, 85)  # 1 output column + 84 input columns
    first = rows.frame.iloc[0]
    assert list(first[:4]) == ["4", "80", "1056736", "3"]  # output first, then the input
    meta = rows.metadata.iloc[0]
    assert meta["eventId"] == "1e4cf25e-310d-4d6e-b9fa-5aea6b9a1f82"
    assert meta["inferenceTime"] == "2020-02-04T20:33:57Z" and meta["inferenceId"] is None
    assert list(rows.to_frame().columns[-3:]) == ["eventId", "inferenceTime", "inferenceId"]


def test_sdk_capture_fixtures(real):
    json_rows = read_capture(real / "sdk_tests_data_monitor/captured-data.jsonl")
    assert json_rows.frame.iloc[0].tolist() == ["3.5", "4.0", "5.5", "1.0", "2.0", "5.0"]
    csv_rows = read_capture(real / "sdk_tests_data_monitor/capture.jsonl", columns=["label"])
    assert csv_rows.records == 44 and csv_rows.frame.shape == (44, 8)
    assert csv_rows.frame.columns[:2].tolist() == ["label", "_c1"]
    assert csv_rows.frame.iloc[0].tolist() == ["0.302709460258", "9", "45", "45", "42", "7", "5", "0"]


def test_real_record_rewrites_identically(real):
    lines = (real / "aim362_2020_endpoint_monitoring/captured_data_example.jsonl").read_text().splitlines()
    for line in lines:
        assert CaptureRecord.decode(json.loads(line)).to_line() == line


def _record(data_in, data_out="7", encoding="CSV", ctype="text/csv"):
    return CaptureRecord.create(data_in, data_out, event_id="e1", encoding=encoding,
                                input_content_type=ctype, output_content_type=ctype,
                                inference_time=datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc))


def test_write_layout_and_key_order(tmp_path):
    recs = [_record("1,2"), _record("3,4")]
    path = write_capture_file(recs, tmp_path, "nyctaxi/datacapture", "ep", "AllTraffic", file_id="u")
    assert path.relative_to(tmp_path).as_posix() == "nyctaxi/datacapture/ep/AllTraffic/2021/03/04/05/06-07-000-u.jsonl"
    text = path.read_text()
    assert text.endswith("\n") and text.count("\n") == 2
    assert text.splitlines()[0] == (
        '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2",'
        '"encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT",'
        '"data":"7","encoding":"CSV"}},"eventMetadata":{"eventId":"e1","inferenceTime":"2021-03-04T05:06:07Z"},'
        '"eventVersion":"0"}')
    assert read_capture(tmp_path).frame.values.tolist() == [["7", "1", "2"], ["7", "3", "4"]]


def test_base64_and_json_payloads(tmp_path):
    b64 = base64.b64encode(b"1.5,2").decode()
    js = base64.b64encode(b'{"instances": [[1, 2.5], [3, 4]]}').decode()
    recs = [_record(b64, base64.b64encode(b"9").decode(), "BASE64"),
            _record(js, base64.b64encode(b"[[8], [9]]").decode(), "BASE64", "application/json")]
    write_capture_file(recs, tmp_path, "p", "ep", "v", file_id="u")
    rows = read_capture(tmp_path)
    assert rows.problems == []
    assert rows.frame.values.tolist() == [["9", "1.5", "2"], ["8", "1", "2.5"], ["9", "3", "4"]]


def test_bad_lines_are_counted_and_listed(tmp_path):
    good = _record("1,2").to_line()
    bad_b64 = _record("@@@", encoding="BASE64").to_line()
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join([good, "{not json", '{"eventVersion": "0"}', bad_b64, good]) + "\n")
    rows = read_capture(path)
    assert rows.records == 5 and len(rows.frame) == 2
    assert [(p.line, p.reason.split(" (")[0]) for p in rows.problems] == [
        (2, "not valid JSON at column 2"),
        (3, "no captureData in the record"),
        (4, "endpointInput.data: BASE64 payload cannot be decoded"),
    ]
    assert str(rows.problems[0]).startswith(f"{path}:2: ")
    with pytest.raises(CaptureError, match=r"f\.jsonl:2: not valid JSON"):
        read_capture(path, strict=True)


def test_missing_field_in_capture_is_a_problem(tmp_path):
    rec = json.loads(_record("1").to_line())
    del rec["captureData"]["endpointInput"]["data"]
    (tmp_path / "f.jsonl").write_text(json.dumps(rec) + "\n")
    rows = read_capture(tmp_path)
    assert rows.problems[0].reason == "captureData.endpointInput.data: required field is missing (a string expected)"


def test_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no capture file or folder"):
        read_capture(tmp_path / "nope")


def test_fast_and_exact_paths_agree(tmp_path):
    recs = [_record(f"{i},{'' if i % 3 == 0 else i * 0.5},x{i % 4}", str(i % 2)) for i in range(500)]
    write_capture_file(recs[:250], tmp_path, "p", "ep", "v", file_id="a")
    write_capture_file(recs[250:], tmp_path, "p", "ep", "v", file_id="b")
    fast = read_capture(tmp_path, ["label", "a"])
    exact = read_capture(tmp_path, ["label", "a"], fast=False)
    assert fast.table.equals(exact.table) and fast.meta.equals(exact.meta)
    assert fast.frame.iloc[0].tolist() == ["0", "0", None, "x0"]
    assert fast.table.column_names == ["label", "a", "_c2", "_c3"]

"""Every expected input problem gets a clear error or a documented result, never a traceback."""

import subprocess
import sys

import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.reader import AnalyzerInputError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_empty_file(tmp_path):
    with pytest.raises(AnalyzerInputError, match=r"data\.csv: the file is empty"):
        run_baseline(write(tmp_path, ""))


def test_header_only(tmp_path):
    with pytest.raises(AnalyzerInputError, match=r"data\.csv: no data rows"):
        run_baseline(write(tmp_path, "a,b\n"))


def test_ragged_rows_are_counted_and_reported_with_their_lines(tmp_path):
    result = run_baseline(write(tmp_path, "a,b\n1,2\n3\n4,5\n6,7,8\n9,10\n"))
    assert result.statistics.item_count == 3
    assert [(p.line, p.reason.split(":")[0]) for p in result.problems] == [
        (3, "expected 2 columns, found 1"), (5, "expected 2 columns, found 3")]
    assert str(result.problems[0]).endswith("data.csv: line 3: expected 2 columns, found 1: '3'")


def test_a_column_with_every_value_missing_is_unknown(tmp_path):
    result = run_baseline(write(tmp_path, "a,b\n1,\n2,\n"))
    feature = result.statistics.feature("b")
    assert feature.inferred_type == "Unknown"
    assert (feature.common.num_present, feature.common.num_missing) == (0, 2)
    assert result.constraints.feature("b").completeness == 0.0


def test_inf_and_nan_text_are_strings(tmp_path):
    # Deequ's regexes do not know NaN or inf: such a column is String, as in the service
    result = run_baseline(write(tmp_path, "a\n1.5\nNaN\ninf\n2\n"))
    assert result.statistics.feature("a").inferred_type == "String"


def test_numbers_beyond_the_double_range(tmp_path):
    with pytest.raises(AnalyzerInputError, match=r"data\.csv: row 2, column 'a': '1e999' is beyond the range of a double"):
        run_baseline(write(tmp_path, "a\n1.5\n1e999\n"))


def test_non_utf8_bytes(tmp_path):
    with pytest.raises(AnalyzerInputError, match=r"data\.csv: column 'b' holds bytes that are not UTF-8"):
        run_baseline(write(tmp_path, b"a,b\n1,caf\xe9\n"))


def test_duplicate_header_names(tmp_path):
    with pytest.raises(AnalyzerInputError, match=r"line 1: header names column 'a' twice"):
        run_baseline(write(tmp_path, "a,a\n1,2\n"))


def test_missing_file_through_the_cli(tmp_path):
    done = subprocess.run([sys.executable, "-m", "helpers", "baseline", "--dataset", str(tmp_path / "no.csv"),
                           "--output", str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {tmp_path / 'no.csv'}: no such file"]


def test_no_data_through_the_cli(tmp_path):
    """Exit 3 every time: Arrow's reader once aborted Python's teardown in ~3 % of runs (exit 134)."""
    base = tmp_path / "base"
    run_baseline(write(tmp_path, "a\n1\n2\n")).write(base)
    write(tmp_path, "a\n", "current.csv")
    codes = []
    for _ in range(8):
        done = subprocess.run([sys.executable, "-m", "helpers", "monitor",
                               "--baseline-statistics", str(base / "statistics.json"),
                               "--baseline-constraints", str(base / "constraints.json"),
                               "--dataset", str(tmp_path / "current.csv"), "--output", str(tmp_path / "out")],
                              capture_output=True, text=True, check=False)
        assert done.stderr.startswith("error: Job inputs had no data"), done.stderr
        codes.append(done.returncode)
    assert codes == [3] * 8


def test_corrupt_baseline_file_through_the_cli(tmp_path):
    base = tmp_path / "base"
    run_baseline(write(tmp_path, "a\n1\n2\n")).write(base)
    (base / "statistics.json").write_text('{"version": 0.0, "dataset": {"item_count": "x"}, "features": []}')
    done = subprocess.run([sys.executable, "-m", "helpers", "monitor",
                           "--baseline-statistics", str(base / "statistics.json"),
                           "--baseline-constraints", str(base / "constraints.json"),
                           "--dataset", str(tmp_path / "data.csv"), "--output", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "dataset.item_count: expected an integer, got string 'x'" in done.stderr


def test_byte_order_mark_is_not_part_of_a_name_or_a_value(tmp_path):
    with_header = run_baseline(write(tmp_path, b"\xef\xbb\xbfname,score\r\n\"Smith, J\",+1.5\r\n"))
    assert [f.name for f in with_header.statistics.features] == ["name", "score"]
    without = run_baseline(write(tmp_path, b"\xef\xbb\xbf1,x\n2,y\n", "nohdr.csv"), header=False)
    assert without.statistics.feature("_c0").inferred_type == "Integral"


def test_cr_only_line_endings_are_csv(tmp_path):
    result = run_baseline(write(tmp_path, b"a,b\r1,x\r2,y\r3,\r"))
    assert result.statistics.item_count == 3
    assert [(f.name, f.inferred_type, f.common.num_present) for f in result.statistics.features] == [
        ("a", "Integral", 3), ("b", "String", 2)]


def test_a_header_field_over_128_kb_is_read(tmp_path):
    long_name = "h" * 200_000
    result = run_baseline(write(tmp_path, f"a,{long_name}\n1,2\n"))
    assert [f.name for f in result.statistics.features] == ["a", long_name]


def test_a_10_mb_cell_is_read_and_each_row_counted_once(tmp_path):
    cell = "x" * 10_000_000
    rows = [f"{i},y{i % 3}" for i in range(300_000)]  # about 3 MB: the long row comes after whole blocks
    result = run_baseline(write(tmp_path, "a,b\n" + "\n".join(rows[:250_000] + [f"-1,{cell}"] + rows[250_000:]) + "\n"))
    assert result.statistics.item_count == 300_001
    a = result.statistics.feature("a").numerical_statistics
    assert (a.common.num_present, a.sum, a.min) == (300_001, float(sum(range(300_000)) - 1), -1.0)
    assert result.statistics.feature("b").string_statistics.distinct_count == 4.0


def test_a_folder_given_as_the_data_set(tmp_path):
    with pytest.raises(AnalyzerInputError, match=r": is a folder \(expected a CSV file\)"):
        run_baseline(tmp_path)

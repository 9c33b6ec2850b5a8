"""Container generations end to end: what each writes, the switch, and the CSV header rules.

Each test names the generation it checks. Expected values are worked out from the data built
here (counts, shares) or from the spec's field lists (model-monitor-compat.md section 3b).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.monitor import run_monitor
from helpers.formats import Container, parse_container

FRAME = pd.DataFrame({
    "x": [1.5, 2.5, None, 4.5] * 25,  # 75 of 100 present
    "n": [1, 2, 3, 4] * 25,
    "s": ["a", None, "b", "c"] * 25,  # 75 of 100 present
})
NUMERIC_KEYS_2021 = ["common", "mean", "sum", "std_dev", "min", "max", "distribution"]
NUMERIC_KEYS_CURRENT = ["common", "mean", "sum", "std_dev", "min", "max",
                        "approximate_num_distinct_values", "completeness", "distribution"]


def _features(result) -> dict:
    return {f["name"]: f for f in json.loads(result.statistics.to_json())["features"]}


def test_current_generation_writes_completeness_and_distinct_values():
    # generation: current (the default)
    features = _features(run_baseline(FRAME))
    x, n, s = features["x"]["numerical_statistics"], features["n"]["numerical_statistics"], features["s"]
    assert list(x) == NUMERIC_KEYS_CURRENT and list(n) == NUMERIC_KEYS_CURRENT
    assert (x["completeness"], n["completeness"]) == (0.75, 1.0)
    assert list(s["string_statistics"]) == ["common", "distinct_count", "completeness", "distribution"]
    assert s["string_statistics"]["completeness"] == 0.75
    # 3 and 4 distinct values in distinct registers: 512 ln(512/509) = 3.009 -> 3, and 4.02 -> 4
    assert (x["approximate_num_distinct_values"], n["approximate_num_distinct_values"]) == (3, 4)


def test_2021_generation_writes_the_old_layout():
    # generation: 2021
    result = run_baseline(FRAME, container="2021")
    features = _features(result)
    assert list(features["x"]["numerical_statistics"]) == NUMERIC_KEYS_2021
    assert list(features["s"]["string_statistics"]) == ["common", "distinct_count", "distribution"]
    dist = json.loads(result.constraints.to_json())["monitoring_config"]["distribution_constraints"]
    assert list(dist) == ["perform_comparison", "comparison_threshold", "comparison_method"]


def test_current_constraints_carry_the_categorical_settings():
    # generation: current
    dist = json.loads(run_baseline(FRAME).constraints.to_json())["monitoring_config"]["distribution_constraints"]
    assert dist == {"perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "Robust",
                    "categorical_comparison_threshold": 0.1, "categorical_drift_method": "LInfinity"}


def test_monitoring_runs_write_the_chosen_generation():
    # generation: both, on the same baseline
    base = run_baseline(FRAME)
    current = run_monitor(base.statistics, base.constraints, dataset=FRAME)
    old = run_monitor(base.statistics, base.constraints, dataset=FRAME, container="2021")
    assert "completeness" in _features(current)["x"]["numerical_statistics"]
    assert "completeness" not in _features(old)["x"]["numerical_statistics"]
    assert len(current.violations) == len(old.violations) == 0


def test_the_switch_accepts_two_names_and_refuses_others():
    assert parse_container(None) is Container.CURRENT and parse_container("2021") is Container.V2021
    with pytest.raises(ValueError, match=r"unknown container generation '2020' \(expected one of '2021', 'current'\)"):
        parse_container("2020")


def test_cli_switch(tmp_path):
    # generation: current by default, 2021 with --container 2021
    data = tmp_path / "data.csv"
    FRAME.to_csv(data, index=False)
    for flag, key_present in (([], True), (["--container", "2021"], False)):
        out = tmp_path / ("old" if flag else "new")
        done = subprocess.run([sys.executable, "-m", "helpers", "baseline", "--dataset", str(data), *flag,
                               "--output", str(out)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert ('"approximate_num_distinct_values"' in (out / "statistics.json").read_text()) is key_present
    bad = subprocess.run([sys.executable, "-m", "helpers", "baseline", "--dataset", str(data), "--container",
                          "2019", "--output", str(tmp_path)], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "invalid choice: '2019'" in bad.stderr


def test_a_byte_order_mark_is_never_part_of_a_name_or_value(tmp_path):
    # generation: either (the reader is the same); the 2025 fixture's CSV had a BOM too
    with_header = tmp_path / "bom.csv"
    with_header.write_bytes("\ufeffage,city\n31,Oslo\n42,Rome\n".encode())
    result = run_baseline(with_header)
    assert [f.name for f in result.statistics.features] == ["age", "city"]
    assert result.statistics.feature("age").inferred_type == "Integral"
    headerless = tmp_path / "bom-headerless.csv"
    headerless.write_bytes("\ufeff31,Oslo\n42,Rome\n".encode())
    plain = run_baseline(headerless, header=False)
    assert plain.statistics.feature("_c0").inferred_type == "Integral"
    assert plain.statistics.feature("_c0").numerical_statistics.min == 31.0

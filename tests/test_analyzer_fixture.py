"""The analyzer against real container output."""

import subprocess
import sys

import numpy as np
import pandas as pd

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.checks import baseline_drift
from helpers.analyzer.monitor import run_monitor
from helpers.formats import Constraints, ConstraintViolations, Statistics

FIXTURE = "sdk_pipeline_quality_check_data_quality"


def test_cli_reproduces_the_real_baseline_byte_for_byte(real, tmp_path):
    # generation: 2021 (the fixture is a real output of that container)
    folder = real / FIXTURE
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "baseline", "--dataset", str(folder / "baseline_dataset.csv"),
         "--no-header", "--container", "2021", "--output", str(tmp_path)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "statistics.json").read_bytes() == (folder / "statistics.json").read_bytes()
    assert (tmp_path / "constraints.json").read_bytes() == (folder / "good_cases_constraints.json").read_bytes()


def test_good_and_bad_constraints_of_the_sdk_fixture(real):
    folder = real / FIXTURE
    stats = Statistics.from_file(folder / "statistics.json")
    good = run_monitor(stats, Constraints.from_file(folder / "good_cases_constraints.json"),
                       dataset=folder / "baseline_dataset.csv", header=False)
    assert len(good.violations) == 0 and good.status == "Completed"
    bad = run_monitor(stats, Constraints.from_file(folder / "bad_cases_constraints.json"),
                      dataset=folder / "baseline_dataset.csv", header=False)
    assert [(v.feature_name, v.constraint_check_type) for v in bad.violations.violations] == [
        ("_c5", "data_type_check")]
    assert bad.exit_message == "CompletedWithViolations: Job completed successfully with 1 violations."


def test_the_2020_log_descriptions_from_the_same_ratios(real):
    """9 of 1009 values: the ratio the 2020 log printed, through real monitoring runs."""
    expected = {v.constraint_check_type: v.description for v in ConstraintViolations.from_file(
        real / "aim362_2020_endpoint_monitoring/constraint_violations.from_log.json").violations}
    baseline = pd.DataFrame({"Tot Fwd Pkts": np.arange(1009), "Flow Duration": np.arange(1009)})
    base = run_baseline(baseline)
    current = pd.DataFrame({
        "Tot Fwd Pkts": ["3"] * 9 + ["3.5"] * 1000,  # 9 Integral values of 1009
        "Flow Duration": ["7"] * 9 + [None] * 1000,  # 9 present of 1009
    })
    result = run_monitor(base.statistics, base.constraints, dataset=current)
    found = {v.constraint_check_type: v.description for v in result.violations.violations}
    assert found["data_type_check"] == expected["data_type_check"]
    assert found["completeness_check"] == expected["completeness_check"]
    # the drift description from the distance the log reported
    text = baseline_drift.describe(0.9293200129316993, 0.1)
    assert text == expected["baseline_drift_check"]

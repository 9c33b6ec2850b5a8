"""The baseline files are validated before any check runs: a typo never turns a check off."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.monitor import run_monitor
from helpers.formats import Constraints, Statistics
from helpers.formats.codec import FormatError

RNG = np.random.default_rng(5)
BASE = pd.DataFrame({"target": RNG.normal(10, 2, 500).round(2), "count": RNG.integers(0, 9, 500),
                     "color": RNG.choice(["red", "blue"], 500)})
BAD = BASE.assign(count=BASE["count"] * 3 + 50, color="green")  # drift and domain violations


@pytest.fixture(scope="module")
def files():
    result = run_baseline(BASE)
    return json.loads(result.statistics.to_json()), json.loads(result.constraints.to_json())


def _run(stats: dict, cons: dict, data=BAD):
    return run_monitor(Statistics.from_string(json.dumps(stats), source="s.json"),
                       Constraints.from_string(json.dumps(cons), source="c.json"), dataset=data)


def _edit(document: dict, path: str, value):
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return document


_DELETE = object()
SWITCH = 'expected one of "Enabled", "Disabled" (exactly)'

CONSTRAINT_CASES = [
    ("monitoring_config.evaluate_constraints", "enabled", f"{SWITCH}, got 'enabled'"),
    ("monitoring_config.evaluate_constraints", "Maybe", f"{SWITCH}, got 'Maybe'"),
    ("monitoring_config.emit_metrics", "yes", f"{SWITCH}, got 'yes'"),
    ("monitoring_config.distribution_constraints.perform_comparison", "ENABLED", f"{SWITCH}, got 'ENABLED'"),
    ("monitoring_config.datatype_check_threshold", float("nan"), "expected a finite number between 0.0 and 1.0, got nan"),
    ("monitoring_config.datatype_check_threshold", -1, "expected a finite number between 0.0 and 1.0, got -1"),
    ("monitoring_config.domain_content_threshold", 5.0, "expected a finite number between 0.0 and 1.0, got 5.0"),
    ("monitoring_config.distribution_constraints.comparison_threshold", float("inf"),
     "expected a finite number between 0.0 and 1.0, got inf"),
    ("monitoring_config.distribution_constraints.comparison_method", "robust",
     """expected one of "Robust", "Simple" (exactly), got 'robust'"""),
    ("monitoring_config.distribution_constraints.categorical_drift_method", "KS",
     """expected one of "LInfinity", "ChiSquared" (exactly), got 'KS'"""),
    ("features.0.completeness", 1.5, "expected a finite number between 0.0 and 1.0, got 1.5"),
    ("features.1.inferred_type", "Integer",
     """expected one of "Integral", "Fractional", "String", "Boolean", "Unknown" (exactly), got 'Integer'"""),
    ("features.2.string_constraints.monitoring_config_overrides", {"evaluate_constraints": "off"},
     f"{SWITCH}, got 'off'"),
    ("version", 1.0, "expected 0.0 (the only version Model Monitor writes), got 1.0"),
]


@pytest.mark.parametrize(("path", "value", "problem"), CONSTRAINT_CASES, ids=[f"{c[0]}={c[1]!r}" for c in CONSTRAINT_CASES])
def test_a_bad_constraints_field_is_refused_by_name(files, path, value, problem):
    stats, cons = files
    edited = _edit(json.loads(json.dumps(cons)), path, value)
    where = path.replace("features.0", "features[0]").replace("features.1", "features[1]").replace(
        "features.2", "features[2]")
    if path.endswith("monitoring_config_overrides"):
        where += ".evaluate_constraints"
    with pytest.raises(FormatError) as caught:
        _run(stats, edited)
    assert str(caught.value) == f"c.json: {where}: {problem}"


STATISTICS_CASES = [
    ("features.1.numerical_statistics", _DELETE, "features[1].numerical_statistics",
     "missing: Integral feature 'count' needs it for baseline_drift_check"),
    ("features.1.numerical_statistics.distribution.kll.sketch.data", [[]],
     "features[1].numerical_statistics.distribution.kll.sketch.data",
     "empty, but feature 'count' has 500 values (baseline_drift_check needs them)"),
    ("features.1.numerical_statistics.distribution", _DELETE,
     "features[1].numerical_statistics.distribution.kll.sketch",
     "missing: feature 'count' needs its KLL sketch for baseline_drift_check"),
    ("features.2.string_statistics", _DELETE, "features[2].string_statistics",
     "missing: String feature 'color' needs it for baseline_drift_check"),
    ("features.0.inferred_type", "Float", "features[0].inferred_type",
     """expected one of "Integral", "Fractional", "String", "Boolean", "Unknown" (exactly), got 'Float'"""),
    ("version", "0.1", "version", "expected 0.0 (the only version Model Monitor writes), got 0.1"),
]


@pytest.mark.parametrize(("path", "value", "where", "problem"), STATISTICS_CASES, ids=[c[2] for c in STATISTICS_CASES])
def test_a_baseline_feature_without_what_its_checks_need_is_refused(files, path, value, where, problem):
    stats, cons = files
    edited = _edit(json.loads(json.dumps(stats)), path, value if value != "0.1" else 0.1)
    with pytest.raises(FormatError) as caught:
        _run(edited, cons)
    assert str(caught.value) == f"s.json: {where}: {problem}"


def test_without_drift_the_sketch_is_not_needed(files):
    stats, cons = files
    stats = _edit(json.loads(json.dumps(stats)), "features.1.numerical_statistics.distribution", _DELETE)
    cons = _edit(json.loads(json.dumps(cons)), "monitoring_config.distribution_constraints.perform_comparison",
                 "Disabled")
    result = _run(stats, cons)
    assert {v.constraint_check_type for v in result.violations.violations} == {"categorical_values_check"}


def test_a_check_that_cannot_be_computed_is_reported_not_evaluated(files):
    stats, cons = files
    stats = _edit(json.loads(json.dumps(stats)), "features.2.string_statistics.distribution", _DELETE)
    cons = _edit(json.loads(json.dumps(cons)), "features.0.completeness", _DELETE)
    result = _run(stats, cons)
    assert [str(n) for n in result.not_evaluated] == [
        "completeness_check not evaluated for 'target': the baseline constraints give no completeness",
        "baseline_drift_check not evaluated for 'color': the baseline statistics hold no value counts "
        "(string_statistics.distribution.categorical)",
    ]
    numbers_for_colors = BASE.assign(color=RNG.integers(0, 3, 500))
    result = _run(*files, data=numbers_for_colors)
    assert [str(n) for n in result.not_evaluated] == [
        "baseline_drift_check not evaluated for 'color': the current data has no text values in this "
        "column (Integral)"]


def test_the_shipped_and_real_baselines_pass(files, real):
    assert _run(*files, data=BASE).violations.violations == []
    folder = real / "sdk_pipeline_quality_check_data_quality"
    from helpers.analyzer.validation import validate_baseline

    for name in ("good_cases_constraints.json", "bad_cases_constraints.json"):
        validate_baseline(Statistics.from_file(folder / "statistics.json"), Constraints.from_file(folder / name))

"""Reading and writing the three report files, both container generations, byte for byte."""

import json

import pytest

from helpers.formats import (
    CommonStatistics,
    Constraints,
    ConstraintViolations,
    FeatureStatistics,
    FormatError,
    NumericalStatistics,
    Statistics,
    StringStatistics,
    Violation,
    jackson_dumps,
)

CURRENT = "current_format_2025_output_only"
CONTAINER_WRITTEN = [
    # generation: current (a real 2025 output)
    (Statistics, f"{CURRENT}/statistics.json"),
    (Constraints, f"{CURRENT}/constraints.json"),
    # generation: 2021 and the 2020 log
    (Statistics, "sdk_pipeline_quality_check_data_quality/statistics.json"),
    (Constraints, "sdk_pipeline_quality_check_data_quality/good_cases_constraints.json"),
    (Constraints, "sdk_pipeline_quality_check_data_quality/bad_cases_constraints.json"),
    (ConstraintViolations, "aim362_2020_endpoint_monitoring/constraint_violations.from_log.json"),
    (Constraints, "aim362_2020_endpoint_monitoring/constraints.current_data.from_log.json"),
]


@pytest.mark.parametrize(("model", "name"), CONTAINER_WRITTEN)
def test_container_files_round_trip_byte_for_byte(real, model, name):
    path = real / name
    assert model.from_file(path).to_json().encode() == path.read_bytes()


def test_statistics_fields(real):
    stats = Statistics.from_file(real / "sdk_pipeline_quality_check_data_quality/statistics.json")
    assert stats.item_count == 100
    assert [f.name for f in stats.features] == [f"_c{i}" for i in range(6)]
    c0 = stats.feature("_c0").numerical_statistics
    assert (c0.mean, c0.sum, c0.std_dev, c0.min, c0.max) == (2.31, 231.0, 0.8330066026148891, 1.0, 3.0)
    assert [b.count for b in c0.kll.buckets] == [24.0, 0, 0, 0, 0, 21.0, 0, 0, 0, 55.0]
    assert c0.kll.sketch.parameters.k == 2048.0 and len(c0.kll.sketch.data[0]) == 100
    frame = stats.to_frame()
    assert list(frame.index) == [f"_c{i}" for i in range(6)] and frame.loc["_c0", "mean"] == 2.31


def test_current_generation_fields(real):
    stats = Statistics.from_file(real / CURRENT / "statistics.json")
    age = stats.feature("age").numerical_statistics
    assert isinstance(age.approximate_num_distinct_values, int) and age.completeness == 1.0
    group = stats.feature("age_group").string_statistics
    assert group.completeness == 1.0 and group.distinct_count == 5.0
    cons = Constraints.from_file(real / CURRENT / "constraints.json")
    dist = cons.monitoring_config.distribution_constraints
    assert (dist.categorical_comparison_threshold, dist.categorical_drift_method) == (0.1, "LInfinity")
    assert {"completeness", "distinct_count"} <= set(stats.to_frame().columns)


def test_new_objects_write_the_fields_in_each_generations_order():
    common = CommonStatistics(3, 0)
    numeric = NumericalStatistics(common, mean=2.0, sum=6.0, std_dev=1.0, min=1.0, max=3.0)
    strings = StringStatistics(common, distinct_count=3.0)
    assert list(numeric.encode()) == ["common", "mean", "sum", "std_dev", "min", "max"]
    assert list(strings.encode()) == ["common", "distinct_count"]
    numeric.approximate_num_distinct_values, numeric.completeness = 3, 1.0  # current (3b)
    strings.completeness = 1.0
    assert list(numeric.encode())[5:] == ["max", "approximate_num_distinct_values", "completeness"]
    assert list(strings.encode()) == ["common", "distinct_count", "completeness"]
    text = jackson_dumps(FeatureStatistics("a", "Integral", numeric).encode())
    assert '"max" : 3.0,\n    "approximate_num_distinct_values" : 3,\n    "completeness" : 1.0' in text


def test_a_newer_containers_unknown_fields_pass_through(real):
    data = json.loads((real / CURRENT / "statistics.json").read_text())
    data["future_top_level"] = {"note": "new"}
    data["features"][0]["numerical_statistics"]["entropy"] = 1.5
    data["features"][13]["string_statistics"]["distribution"]["categorical"]["histogram_kind"] = "top"
    text = jackson_dumps(data)
    assert Statistics.from_string(text).to_json() == text
    violations = jackson_dumps({"violations": [{
        "feature_name": "Missing columns", "constraint_check_type": "missing_column_check",
        "description": "There are missing columns in current dataset. Number of columns in current "
                       "dataset: 3, Number of columns in baseline constraints: 4",
        "severity": "high"}], "run": {"generation": 3}})
    parsed = ConstraintViolations.from_string(violations)
    assert parsed.to_json() == violations and parsed.violations[0].extra == {"severity": "high"}
    cons = json.loads((real / CURRENT / "constraints.json").read_text())
    cons["monitoring_config"]["distribution_constraints"]["psi_threshold"] = 0.2
    cons["features"][0]["num_constraints"]["is_integral"] = True
    text = jackson_dumps(cons)
    assert Constraints.from_string(text).to_json() == text
    assert Violation("a", "data_type_check", "d").encode() == {
        "feature_name": "a", "constraint_check_type": "data_type_check", "description": "d"}


def test_violations_fields(real):
    found = ConstraintViolations.from_file(real / "aim362_2020_endpoint_monitoring/constraint_violations.from_log.json")
    assert {v.constraint_check_type for v in found.violations} == {
        "data_type_check", "completeness_check", "baseline_drift_check"}
    assert found.to_frame().shape == (3, 3)


def test_sdk_hand_made_fixtures_parse(real):
    folder = real / "sdk_tests_data_monitor"
    stats = Statistics.from_file(folder / "statistics.json")
    assert stats.features[0].string_statistics.buckets[0].count == 418
    cons = Constraints.from_file(folder / "constraints.json")
    assert cons.feature("message").string_constraints.monitoring_config_overrides.evaluate_constraints == "Enabled"
    # the non-standard keys survive
    assert cons.monitoring_config.distribution_constraints.extra == {"enable_comparisons": True, "min_domain_mass": 1.0}
    viol = ConstraintViolations.from_file(folder / "constraint_violations.json")
    assert len(viol) == 7 and len(viol.by_check("data_type_check")) == 5


def test_unknown_keys_survive_in_place():
    text = '{\n  "zeta" : [ 1, 2 ],\n  "version" : 0.0,\n  "features" : [ {\n    "name" : "a",\n    "x" : { },\n    "inferred_type" : "Integral"\n  } ]\n}'
    assert Constraints.from_string(text).to_json() == text


def test_set_monitoring_override_switches_feature_off():
    cons = Constraints.from_string(json.dumps({"version": 0.0, "features": [
        {"name": "a", "inferred_type": "String", "string_constraints": {
            "domains": ["x"], "monitoring_config_overrides": {"evaluate_constraints": "Disabled"}}},
        {"name": "b", "inferred_type": "Integral"}]}))
    assert not cons.feature("a").evaluated() and cons.feature("b").evaluated()


def test_invalid_json_names_file_line_and_column(tmp_path):
    path = tmp_path / "statistics.json"
    path.write_text('{\n  "version" : 0.0,\n  "dataset" : { "item_count" : 3 ,, }\n}')
    with pytest.raises(FormatError, match=r"statistics\.json: line 3 column 35: not valid JSON"):
        Statistics.from_file(path)


def _stats_with(feature_patch):
    feature = {"name": "a", "inferred_type": "Fractional", "numerical_statistics": {
        "common": {"num_present": 1, "num_missing": 0}, "mean": 1.0, "sum": 1.0,
        "std_dev": 0.0, "min": 1.0, "max": 1.0}}
    feature_patch(feature)
    return json.dumps({"version": 0.0, "dataset": {"item_count": 1}, "features": [feature] * 4})


def test_wrong_type_names_the_field_path():
    def patch(f):
        f["numerical_statistics"] = dict(f["numerical_statistics"], mean="high")
    with pytest.raises(FormatError, match=r"features\[0\]\.numerical_statistics\.mean: expected a number, got string 'high'"):
        Statistics.from_string(_stats_with(patch))


def test_missing_field_names_the_field_path():
    def patch(f):
        f["numerical_statistics"] = {k: v for k, v in f["numerical_statistics"].items() if k != "mean"}
    with pytest.raises(FormatError, match=r"features\[0\]\.numerical_statistics\.mean: required field is missing \(a number expected\)"):
        Statistics.from_string(_stats_with(patch))


def test_top_level_must_be_an_object():
    with pytest.raises(FormatError, match=r"\(top level\): expected an object, got a list"):
        ConstraintViolations.from_string("[]")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "c.json"
    path.write_bytes(b'{"version": 0.0, "features": [{"name": "\xff"}]}')
    with pytest.raises(FormatError, match=r"c\.json: byte 40: not UTF-8 text"):
        Constraints.from_file(path)


def test_write_is_atomic_and_exact(tmp_path):
    viol = ConstraintViolations()
    path = viol.write(tmp_path / "out" / "constraint_violations.json")
    assert path.read_text() == '{\n  "violations" : [ ]\n}'
    assert [p.name for p in path.parent.iterdir()] == ["constraint_violations.json"]

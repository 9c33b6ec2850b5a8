"""Monitoring checks, one behaviour each, on small data sets built here.

Generation: today's container (the default) unless a test says otherwise; the checks and
their wording are the same in both generations.
"""

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.analyzer.checks import CheckOptions
from helpers.analyzer.monitor import NoDataError, run_monitor
from helpers.analyzer.reader import AnalyzerInputError
from helpers.capture import CaptureRecord, write_capture_file
from helpers.formats import Constraints, Statistics
from helpers.formats.constraints import MonitoringConfigOverrides

RNG = np.random.default_rng(11)
BASE = pd.DataFrame({
    "target": np.round(RNG.normal(20, 5, 3000), 2),
    "count": RNG.integers(1, 5, 3000),
    "size": np.round(RNG.lognormal(1, 0.5, 3000), 3),
    "color": RNG.choice(["red", "green", "blue"], 3000, p=[0.5, 0.3, 0.2]),
})


@pytest.fixture(scope="module")
def base():
    return run_baseline(BASE)


def checks_of(result):
    return sorted((v.feature_name, v.constraint_check_type) for v in result.violations.violations)


def test_same_data_has_no_violations(base):
    result = run_monitor(base.statistics, base.constraints, dataset=BASE)
    assert checks_of(result) == [] and result.exit_message.startswith("Completed: ")
    assert all(d.robust == 0.0 and d.simple == 0.0 for d in result.distances.values())


def test_baseline_suggestions(base):
    feats = {f.name: f for f in base.constraints.features}
    assert [f.inferred_type for f in feats.values()] == ["Fractional", "Integral", "Fractional", "String"]
    assert feats["color"].string_constraints.domains == ["red", "green", "blue"]
    assert feats["size"].num_constraints.is_non_negative is True
    assert feats["target"].completeness == 1.0


def test_shifted_numeric_feature_drifts(base):
    current = BASE.assign(size=BASE["size"] * 1.5)
    result = run_monitor(base.statistics, base.constraints, dataset=current)
    assert checks_of(result) == [("size", "baseline_drift_check")]
    d = result.distances["size"]
    assert d.robust > 0.1 and result.violations.violations[0].description.startswith(
        "Baseline drift distance: ")



def test_the_workshop_reads_the_drift_a_report_states(base):
    """Step 13c prints the distance from the violation's wording: the analyzer's own wording reads
    back as the distance it computed, an unfired check as None, another wording as an error."""
    from helpers.formats import ConstraintViolations
    from helpers.formats.violations import Violation
    from helpers.workshop import drift_of

    result = run_monitor(base.statistics, base.constraints, dataset=BASE.assign(size=BASE["size"] * 1.5))
    drift = drift_of(result.violations, "size")
    assert (drift.distance, drift.threshold) == (result.distances["size"].robust, 0.1)
    assert drift_of(result.violations, "target") is None
    odd = ConstraintViolations([Violation("size", "baseline_drift_check", "Drift is large")])
    with pytest.raises(ValueError, match="does not state a distance and a threshold.*'Drift is large'"):
        drift_of(odd, "size")

def test_the_workshop_recomputes_each_drift_from_the_two_statistics_files(base):
    """Step 13b prints every numeric feature's distance from the baseline's and the report's
    statistics.json: the same numbers the run's own check computed, with its method and threshold."""
    from helpers.workshop import numeric_drift

    result = run_monitor(base.statistics, base.constraints, dataset=BASE.assign(size=BASE["size"] * 1.5))
    report = Statistics.from_string(result.statistics.to_json())  # as read back from S3
    drift = {d.feature: d for d in numeric_drift(base.statistics, report, base.constraints)}
    assert set(drift) == {"target", "count", "size"}  # color is a String feature
    for name, d in drift.items():
        assert d.distance == pytest.approx(result.distances[name].robust, abs=1e-12)
        assert d.gap == pytest.approx(result.distances[name].simple, abs=1e-12)
        assert (d.method, d.threshold) == ("Robust", 0.1)
    assert [name for name, d in drift.items() if d.drifted] == ["size"]


def test_simple_method_uses_the_plain_distance(base):
    cons = Constraints.from_string(base.constraints.to_json())
    cons.monitoring_config.distribution_constraints.comparison_method = "Simple"
    # 80 rows shifted by 0.3 standard deviations: plain distance over 0.1, corrected 0
    small = BASE.sample(80, random_state=1).assign(target=lambda d: d["target"] + 1.5)
    result = run_monitor(base.statistics, cons, dataset=small)
    robust = run_monitor(base.statistics, base.constraints, dataset=small)
    assert result.distances["target"].simple > 0.1 and result.distances["target"].robust == 0.0
    assert ("target", "baseline_drift_check") in checks_of(result)
    assert ("target", "baseline_drift_check") not in checks_of(robust)


def test_completeness_and_categorical_values(base):
    current = BASE.copy()
    current.loc[:99, "target"] = np.nan
    current.loc[:9, "color"] = "purple"
    result = run_monitor(base.statistics, base.constraints, dataset=current)
    found = {v.constraint_check_type: v for v in result.violations.violations}
    assert found["completeness_check"].description == (
        "Data completeness requirement is not met. Expected: 100.0%. Observed: Only 96.66666666666667%.")
    assert found["categorical_values_check"].feature_name == "color"
    assert "Only 99.66666666666667% of data is in the domain" in found["categorical_values_check"].description


def test_string_drift_linf(base):
    current = BASE.assign(color=RNG.choice(["red", "green", "blue"], 3000, p=[0.2, 0.3, 0.5]))
    result = run_monitor(base.statistics, base.constraints, dataset=current)
    assert ("color", "baseline_drift_check") in checks_of(result)
    assert result.distances["color"].simple == pytest.approx(0.3, abs=0.05)


def test_string_drift_chi_squared(base):
    cons = Constraints.from_string(base.constraints.to_json())
    cons.monitoring_config.distribution_constraints.categorical_drift_method = "ChiSquared"
    drifted = BASE.assign(color=RNG.choice(["red", "green", "blue"], 3000, p=[0.2, 0.3, 0.5]))
    assert ("color", "baseline_drift_check") in checks_of(run_monitor(base.statistics, cons, dataset=drifted))
    assert ("color", "baseline_drift_check") not in checks_of(run_monitor(base.statistics, cons, dataset=BASE))


def test_data_type_of_floats_sent_for_integers(base):
    result = run_monitor(base.statistics, base.constraints, dataset=BASE.astype({"count": float}))
    assert checks_of(result) == [("count", "data_type_check")]
    assert result.violations.violations[0].description == (
        "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. "
        "Observed: Only 0.0% of data is Integral.")


def test_integral_values_against_a_fractional_baseline_switch(base):
    current = BASE.assign(target=np.round(BASE["target"]).astype(int))
    strict = run_monitor(base.statistics, base.constraints, dataset=current)
    lenient = run_monitor(base.statistics, base.constraints, dataset=current,
                          check_options=CheckOptions(integral_satisfies_fractional=True))
    assert ("target", "data_type_check") in checks_of(strict)
    assert ("target", "data_type_check") not in checks_of(lenient)


def test_per_feature_override_and_global_switches(base):
    cons = Constraints.from_string(base.constraints.to_json())
    cons.feature("count").num_constraints.monitoring_config_overrides = MonitoringConfigOverrides("Disabled")
    current = BASE.astype({"count": float})
    assert checks_of(run_monitor(base.statistics, cons, dataset=current)) == []
    cons.monitoring_config.evaluate_constraints = "Disabled"
    assert checks_of(run_monitor(base.statistics, cons, dataset=BASE.assign(size=BASE["size"] * 3))) == []
    cons.monitoring_config.evaluate_constraints = "Enabled"
    cons.monitoring_config.distribution_constraints.perform_comparison = "Disabled"
    assert checks_of(run_monitor(base.statistics, cons, dataset=BASE.assign(size=BASE["size"] * 3))) == []


MISSING = ("There are missing columns in current dataset. Number of columns in current dataset: {n}, "
           "Number of columns in baseline constraints: {m}")
EXTRA = ("There are extra columns in current dataset. Number of columns in current dataset: {n}, "
         "Number of columns in baseline constraints: {m}")


def test_missing_columns_give_one_violation_in_the_real_words(base):
    current = BASE.drop(columns=["size", "count"])
    result = run_monitor(base.statistics, base.constraints, dataset=current)
    missing = result.violations.by_check("missing_column_check")
    assert [(v.feature_name, v.description) for v in missing] == [("Missing columns", MISSING.format(n=2, m=4))]
    assert checks_of(result) == [("Missing columns", "missing_column_check")]


def test_extra_columns_give_one_violation_and_present_columns_are_still_checked(base):
    current = BASE.assign(extra=1, more="x", color="purple")
    result = run_monitor(base.statistics, base.constraints, dataset=current)
    extra = result.violations.by_check("extra_column_check")
    assert [(v.feature_name, v.description) for v in extra] == [("Extra columns", EXTRA.format(n=6, m=4))]
    assert ("color", "baseline_drift_check") in checks_of(result)


def _capture(tmp_path, rows):
    moment = datetime(2021, 5, 1, 10, 5, tzinfo=timezone.utc)
    recs = [CaptureRecord.create(",".join(r[1:]), r[0], event_id=str(i), inference_time=moment)
            for i, r in enumerate(rows)]
    return write_capture_file(recs, tmp_path, "cap", "ep", "v")


def test_capture_with_fewer_and_more_columns(base, tmp_path):
    short = _capture(tmp_path / "short", [["20.5", "2", "3.1"]] * 50)
    result = run_monitor(base.statistics, base.constraints, capture=short)
    assert [v.description for v in result.violations.by_check("missing_column_check")] == [
        MISSING.format(n=3, m=4)]
    assert not any(n == "color" for n, _ in checks_of(result))
    longer = _capture(tmp_path / "long", [["20.5", "2", "3.1", "red", "9"]] * 50)
    result = run_monitor(base.statistics, base.constraints, capture=longer)
    assert [v.description for v in result.violations.by_check("extra_column_check")] == [
        EXTRA.format(n=5, m=4)]


def test_headerless_data_set_is_mapped_by_position(base, tmp_path):
    path = tmp_path / "current.csv"
    BASE.to_csv(path, header=False, index=False)
    result = run_monitor(base.statistics, base.constraints, dataset=path, header=False)
    assert checks_of(result) == []
    assert [f.name for f in result.statistics.features] == list(BASE.columns)
    BASE.iloc[:, :3].to_csv(path, header=False, index=False)
    short = run_monitor(base.statistics, base.constraints, dataset=path, header=False)
    assert checks_of(short) == [("Missing columns", "missing_column_check")]
    assert short.violations.violations[0].description == MISSING.format(n=3, m=4)
    BASE.assign(extra=7).to_csv(path, header=False, index=False)
    longer = run_monitor(base.statistics, base.constraints, dataset=path, header=False)
    assert checks_of(longer) == [("Extra columns", "extra_column_check")]
    assert [f.name for f in longer.statistics.features] == [*BASE.columns, "_c4"]


def test_shadow_variant_records_are_skipped_and_counted(base, tmp_path):
    moment = datetime(2021, 5, 1, 10, 5, tzinfo=timezone.utc)
    records = [CaptureRecord.create("2,3.1,red", "20.5", event_id=str(i), inference_time=moment)
               for i in range(40)]
    for record in records[:10]:  # a shadow variant's traffic: values that would drift
        record.event_metadata.invocation_source = "ShadowExperiment"
        record.capture_data.endpoint_input.data = "999,999.0,purple"
    path = write_capture_file(records, tmp_path, "cap", "ep", "v")
    result = run_monitor(base.statistics, base.constraints, capture=path)
    assert result.shadow_records == 10 and result.profile.item_count == 30
    assert "purple" not in (result.profile.columns["color"].value_counts or {})
    only_shadow = write_capture_file(records[:10], tmp_path / "shadow", "cap", "ep", "v")
    with pytest.raises(NoDataError, match="10 from a shadow variant"):
        run_monitor(base.statistics, base.constraints, capture=only_shadow)


def test_metrics_of_a_run(base):
    result = run_monitor(base.statistics, base.constraints, dataset=BASE.assign(size=BASE["size"] * 1.5))
    metrics = {m.name: m for m in result.metrics}
    assert metrics["feature_baseline_drift_size"].value == result.distances["size"].robust
    assert metrics["feature_non_null_target"].value == 1.0
    stats = metrics["feature_data_count"].statistic_values
    assert stats["SampleCount"] == 3000 and stats["Sum"] == float(BASE["count"].sum())
    datum = metrics["feature_non_null_target"].to_datum("ep", "sched", datetime(2021, 1, 1))
    assert datum["Dimensions"] == [{"Name": "Endpoint", "Value": "ep"},
                                   {"Name": "MonitoringSchedule", "Value": "sched"}]
    cons = Constraints.from_string(base.constraints.to_json())
    cons.monitoring_config.emit_metrics = "Disabled"
    assert run_monitor(base.statistics, cons, dataset=BASE).metrics == []


def test_empty_window_fails_like_the_service(base, tmp_path):
    (tmp_path / "empty.csv").write_text("target,count,size,color\n")
    with pytest.raises(NoDataError, match="^Job inputs had no data"):
        run_monitor(base.statistics, base.constraints, dataset=tmp_path / "empty.csv")


def test_baseline_files_that_do_not_match(base):
    cons = Constraints.from_string(base.constraints.to_json())
    cons.features = cons.features[:2]
    with pytest.raises(AnalyzerInputError, match=r"only in statistics \['size', 'color'\]"):
        run_monitor(base.statistics, cons, dataset=BASE)


def test_violations_file_is_written_even_when_empty(base, tmp_path):
    result = run_monitor(base.statistics, base.constraints, dataset=BASE)
    result.write(tmp_path)
    assert (tmp_path / "constraint_violations.json").read_text() == '{\n  "violations" : [ ]\n}'

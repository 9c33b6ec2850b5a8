"""The figure builders: nothing drawn where nothing was measured, nothing hidden without a word."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402

T = pd.Timestamp("2026-01-01T10:00:00Z")


def minutes(*offsets):
    return [T + pd.Timedelta(minutes=m) for m in offsets]


def test_break_at_gaps_puts_a_nan_one_period_after_each_gap():
    frame = plots.break_at_gaps(minutes(0, 1, 2, 10, 11, 70), [1, 2, 3, 4, 5, 6], 60)
    assert list(frame["Timestamp"]) == minutes(0, 1, 2, 3, 10, 11, 12, 70)
    assert list(np.flatnonzero(frame["Value"].isna())) == [3, 6]
    assert list(frame["Value"].dropna()) == [1, 2, 3, 4, 5, 6]  # every datapoint kept, in order


def test_break_at_gaps_leaves_adjacent_periods_joined_and_sorts():
    frame = plots.break_at_gaps(minutes(2, 0, 1), [3, 1, 2], 60)  # exactly one period apart: no gap
    assert list(frame["Timestamp"]) == minutes(0, 1, 2) and list(frame["Value"]) == [1, 2, 3]
    assert plots.break_at_gaps([], [], 60).empty
    hourly = plots.break_at_gaps(minutes(0, 60, 180), [0.1, 0.2, 0.3], 3600)  # a missing hour
    assert list(np.flatnonzero(hourly["Value"].isna())) == [2] and hourly["Timestamp"][2] == minutes(120)[0]


def test_series_on_the_zero_line_say_so_in_their_legend():
    assert plots.flat_note([0, 0.0]) == "0 throughout" and plots.flat_note([]) == ""
    assert plots.flat_note([0, 0.003], panel_top=2.0) == "at most 0.003 throughout"  # under 2 % of the panel
    assert plots.flat_note([0, 1.0], panel_top=2.0) == ""
    assert plots.series_label("DiskUtilization", [0, 0]) == "DiskUtilization (0 throughout)"
    assert plots.series_label("CPUUtilization", [0, 3.5], panel_top=3.5) == "CPUUtilization"


def test_histogram_keeps_the_tail_in_its_last_bin_and_says_so():
    rng = np.random.default_rng(0)
    baseline = np.r_[rng.uniform(5, 30, 990), np.full(10, 200.0)]  # 1 % far above the rest
    captured = rng.uniform(6, 25, 100)
    fig = plots.histogram_figure(baseline, captured, "total_amount")
    ax = fig.axes[0]
    assert "last bin: all from" in ax.get_xlabel() and "(10 baseline rows and 0 predictions above " in ax.get_xlabel()
    for container in ax.containers:  # densities of every value, the tail included, sum to 1
        assert sum(p.get_height() * p.get_width() for p in container.patches) == pytest.approx(1.0)
    matplotlib.pyplot.close(fig)


def test_histogram_without_a_tail_adds_no_note():
    values = np.arange(10.0, 20.0)
    fig = plots.histogram_figure(values, values, "total_amount")
    assert "last bin" not in fig.axes[0].get_xlabel()
    matplotlib.pyplot.close(fig)


def test_dashboard_panel_breaks_at_empty_hours_and_shows_lone_and_zero_points():
    body = json.dumps({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 24, "height": 6, "properties": {
        "title": "p", "period": 60, "metrics": [], "yAxis": {"left": {"label": "requests per minute"}}}}]})
    panels = {"p": [("Invocations ep-1 AllTraffic", pd.DataFrame({"Timestamp": minutes(0, 1, 90), "Value": [500.0, 600, 700]})),
                    ("Invocation4XXErrors ep-1 AllTraffic", pd.DataFrame({"Timestamp": minutes(30), "Value": [1.0]})),
                    ("DiskUtilization ep-1 AllTraffic", pd.DataFrame({"Timestamp": minutes(0, 1), "Value": [0.0, 0]}))]}
    fig = plots.dashboard_figure(body, panels, {})
    lines = fig.axes[0].get_lines()
    requests, refused, disk = lines[:3]
    assert np.isnan(np.asarray(requests.get_ydata(), float)).tolist() == [False, False, True, False]
    assert all(line.get_marker() not in ("", "None", None) for line in (requests, refused, disk))
    assert disk.get_label().endswith("(0 throughout)") and not requests.get_label().endswith("(0 throughout)")
    assert refused.get_label() == "Invocation4XXErrors · ep-1 · AllTraffic (at most 1 throughout)"  # 1 against 700 at the top
    assert plots.flat_series(panels) == {"p": ["Invocation4XXErrors · ep-1 · AllTraffic (at most 1 throughout)",
                                               "DiskUtilization · ep-1 · AllTraffic (0 throughout)"]}
    matplotlib.pyplot.close(fig)


def test_dashboard_panels_share_one_window_and_name_a_test_value():
    """Every metric panel spans the dashboard's window, whatever its own data covers (a drift
    panel whose first point is an hour in still starts where the others start), and a point the
    notebook names (step 14's test value) is drawn as a labelled cross on its panel only."""
    widget = {"type": "metric", "y": 0, "width": 12, "height": 6}
    body = json.dumps({"widgets": [{**widget, "x": 0, "properties": {"title": "requests", "period": 3600, "metrics": []}},
                                   {**widget, "x": 12, "properties": {"title": "drift", "period": 60, "metrics": []}}]})
    panels = {"requests": [("Invocations ep-1 AllTraffic", pd.DataFrame({"Timestamp": minutes(0, 60), "Value": [100.0, 1100]}))],
              "drift": [("feature_baseline_drift_total_amount ep-1 s", pd.DataFrame({"Timestamp": minutes(70, 130),
                                                                                    "Value": [0.05, 0.21]}))]}
    window = (T, T + pd.Timedelta(hours=3))
    fig = plots.dashboard_figure(body, panels, {}, window=window,
                                 marks={"drift": [(minutes(136)[0], 0.25, "published by hand: 0.25")]})
    requests, drift = fig.axes
    assert requests.get_xlim() == drift.get_xlim() == tuple(matplotlib.dates.date2num([w.to_pydatetime() for w in window]))
    crosses = [line for line in drift.get_lines() if line.get_label() == "published by hand: 0.25"]
    assert len(crosses) == 1 and crosses[0].get_marker() == "X" and list(crosses[0].get_ydata()) == [0.25]
    assert "published by hand: 0.25" in [t.get_text() for t in drift.get_legend().get_texts()]
    assert not any(line.get_marker() == "X" for line in requests.get_lines())
    matplotlib.pyplot.close(fig)


def test_alarm_metric_figure_draws_a_test_value_apart_from_measured_drift():
    measured = pd.DataFrame({"Timestamp": minutes(0, 60), "Average": [0.05, 0.21]})
    by_hand = pd.DataFrame({"Timestamp": minutes(66), "Average": [0.25]})
    fig = plots.alarm_metric_figure(measured, 0.2, "t", by_hand=by_hand)
    labels = {line.get_label(): line for line in fig.axes[0].get_lines()}
    hand = labels["published by hand with put_metric_data\n(a test value, not measured)"]
    assert list(hand.get_ydata()) == [0.25] and hand.get_marker() == "X"
    drawn = next(line for label, line in labels.items() if label.startswith("measured by Model Monitor"))
    assert 0.25 not in list(drawn.get_ydata())
    assert fig.axes[0].get_ylim()[1] >= 0.25  # the cross is in view
    matplotlib.pyplot.close(fig)


def test_a_dashboard_panel_with_no_data_shows_no_invented_times():
    body = json.dumps({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 24, "height": 6, "properties": {
        "title": "p", "period": 60, "metrics": []}}]})
    fig = plots.dashboard_figure(body, {"p": []}, {})
    fig.canvas.draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [] and "1970" not in ax.xaxis.get_offset_text().get_text()
    assert any(t.get_text() == "no data in this period" for t in ax.texts)
    matplotlib.pyplot.close(fig)


def test_alarm_settings_table_names_every_setting_and_what_it_means():
    alarm = {"Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 0.2,
             "ComparisonOperator": "GreaterThanThreshold"}  # DatapointsToAlarm, TreatMissingData: optional
    frame = plots.alarm_settings_frame(alarm, Period=3600, TreatMissingData="notBreaching")
    rows = frame.set_index("setting")
    assert rows.loc["Period", "now"] == "60" and rows.loc["Period", "proposed"] == "3600"
    assert rows.loc["TreatMissingData", "now"] == "(not set)" and rows.loc["Threshold", "proposed"] == "0.2"
    assert frame["what it means"].str.len().min() > 0


def test_drift_history_breaks_at_a_baseline_change_and_draws_the_alarm_threshold():
    """Drift measured against two baselines is two series: the line breaks at the change, a labelled
    marker stands there, and the alarm's threshold is a line of its own beside the constraint's."""
    from helpers.workshop.dashboard import BaselineChange

    hours = [T + pd.Timedelta(hours=h) for h in range(4)]
    history = pd.DataFrame({"Timestamp": hours, "drift": [0.12, 0.11, 0.0, 0.0], "feature": "total_amount"})
    execution = "ab3c4707-630a-496b-abce-ecdd874d0f1f"
    change = BaselineChange(hours[2], "s3://b/m/monitoring/baseline/constraints.json",
                            f"s3://b/m/monitoring/baseline-predictions/{execution}/output/constraints.json")
    fig = plots.drift_history_figure(history, threshold=0.1, title="t", changes=[change], alarm_threshold=0.2)
    ax = fig.axes[0]
    drift = next(line for line in ax.get_lines() if line.get_label().startswith("total_amount"))
    values = np.asarray(drift.get_ydata(), dtype=float)
    assert list(np.flatnonzero(np.isnan(values))) == [2]  # after 0.12 and 0.11, before the first 0.0
    assert list(values[~np.isnan(values)]) == [0.12, 0.11, 0.0, 0.0]
    labels = {line.get_label(): line for line in ax.get_lines()}
    assert list(labels["drift alarm's threshold 0.2 (total_amount)"].get_ydata()) == [0.2, 0.2]
    assert list(labels["comparison threshold 0.1"].get_ydata()) == [0.1, 0.1]
    marker = labels["new baseline from here: baseline-predictions/ab3c4707…/output"]
    assert pd.Timestamp(marker.get_xdata()[0]) == hours[2]
    assert [t.get_text() for t in ax.texts] == ["new baseline"]
    assert plots.baseline_label(f"s3://b/nyctaxi/monitoring/baseline/mlops-nyctaxi-pbl-{execution}/constraints.json") == (
        "monitoring/baseline/mlops-nyctaxi-pbl-ab3c4707…")
    assert ax.get_ylim()[1] >= 0.2  # the alarm's line is in view
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= set(labels) - {"_child0"}
    matplotlib.pyplot.close(fig)


def test_drift_history_without_changes_is_one_line_per_feature():
    history = pd.DataFrame({"Timestamp": minutes(0, 60), "drift": [0.1, 0.2], "feature": "trip_distance"})
    fig = plots.drift_history_figure(history, threshold=None, title="t")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["trip_distance"] and not fig.axes[0].texts
    matplotlib.pyplot.close(fig)


def test_the_constraints_a_monitoring_run_read_come_from_its_job():
    from helpers.workshop.dashboard import constraints_read

    monitor = {"ProcessingInputs": [{"InputName": "endpoint_input_1", "S3Input": {"S3Uri": "s3://b/capture"}},
                                    {"InputName": "constraints", "S3Input": {"S3Uri": "s3://b/c.json"}}]}
    assert constraints_read(monitor) == "s3://b/c.json"
    assert constraints_read({"Environment": {"BASELINE_CONSTRAINTS_S3_URI": "s3://b/self.json"}}) == "s3://b/self.json"
    assert constraints_read({}) is None  # every member of DescribeProcessingJob's answer but a few is optional


def test_the_alarm_threshold_looks_the_same_in_every_figure_and_apart_from_the_constraint():
    """14's drift history, 14's alarm figure and 16's dashboard (from the shipped body) draw the
    drift alarm's threshold in one style, which is not the comparison threshold's."""
    def style(line):
        return matplotlib.colors.to_hex(line.get_color()), line.get_linestyle()

    history = pd.DataFrame({"Timestamp": minutes(0, 60), "drift": [0.1, 0.2], "feature": "total_amount"})
    drift = plots.drift_history_figure(history, threshold=0.1, title="t", alarm_threshold=0.2)
    by_label = {line.get_label(): line for line in drift.axes[0].get_lines()}
    alarm = plots.alarm_metric_figure(pd.DataFrame({"Timestamp": minutes(0), "Average": [0.05]}), 0.2, "t")
    shipped = json.loads((Path(plots.__file__).parents[1] / "assets" / "dashboard-body.json").read_text())
    widget = next(w for w in shipped["widgets"] if w["properties"].get("annotations"))
    board = plots.dashboard_figure(json.dumps({"widgets": [widget]}), {widget["properties"]["title"]: []}, {})
    styles = {style(by_label["drift alarm's threshold 0.2 (total_amount)"]),
              style(next(line for line in alarm.axes[0].get_lines() if line.get_label() == "alarm threshold 0.2")),
              style(next(line for line in board.axes[0].get_lines() if line.get_label().startswith("alarm threshold")))}
    assert styles == {("#800080", ":")}
    assert style(by_label["comparison threshold 0.1"]) == ("#ff0000", "--")
    for fig in (drift, alarm, board):
        matplotlib.pyplot.close(fig)

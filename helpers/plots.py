"""Figures and tables for the notebooks: pure builders that return them, and thin ``show_*``.

Everything is drawn from the typed formats objects or from data frames the workshop steps
return, never from raw dicts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from .formats import Constraints, ConstraintViolations, FeatureStatistics, Statistics

__all__ = [
    "alarm_metric_figure", "alarm_settings_frame", "baseline_label", "split_at", "text_table", "bin_shares", "break_at_gaps", "common_edges", "dashboard_figure",
    "distribution_figure", "distributions_figure", "drift_cdfs_figure", "drift_history_figure", "ecdf",
    "flat_note", "flat_series", "histogram_figure", "marker_style", "overflow_note", "rank_map_cdf", "series_label", "show", "sketch_cdf", "violations_table",
    "violations_text",
]

BASELINE, LATEST = "#1f77b4", "#ff7f0e"
CHECKS = ["data_type_check", "completeness_check", "baseline_drift_check", "categorical_values_check"]


UNITS = {"total_amount": "US$", "duration_minutes": "minutes", "passenger_count": "passengers",
         "trip_distance": "miles"}

# The drift alarm's threshold, drawn the same in 14's and 16's figures (dotted purple), apart from
# a constraint's comparison_threshold (dashed red)
ALARM_THRESHOLD = {"color": "#800080", "linestyle": ":", "linewidth": 1.8}
# A value published by hand (step 14's test), drawn as a cross in 14's and 16's figures
TEST_VALUE = {"linestyle": "none", "marker": "X", "markersize": 9, "color": "#9467bd", "zorder": 7}


def _label(name: str) -> str:
    return f"{name} ({UNITS[name]})" if name in UNITS else name


def overflow_note(edges: np.ndarray, clipped: bool) -> str:
    """The axis note of a histogram whose last bin also holds everything above it (or nothing)."""
    return f"; last bin: all from {edges[-2]:.4g} up" if clipped else ""


def flat_note(values: Any, panel_top: float = 0.0) -> str:
    """How a series that lies on the zero line is named in a legend: "0 throughout", or "at most x
    throughout" when it is under 2 % of the panel's highest value; "" for any other series."""
    values = pd.Series(values, dtype=float).dropna().abs()
    if not len(values):
        return ""
    if (values == 0).all():
        return "0 throughout"
    return f"at most {values.max():.2g} throughout" if values.max() <= 0.02 * panel_top else ""


def series_label(label: str, values: Any, panel_top: float = 0.0) -> str:
    """A legend label that says when a series lies on the zero line (see ``flat_note``)."""
    note = flat_note(values, panel_top)
    return f"{label} ({note})" if note else label


def marker_style(index: int) -> dict:
    """The i-th series' markers: hollow, each its own shape, larger first, so series with the same
    values (several at 0) show one inside the other instead of one hiding the rest."""
    return {"marker": "osD^vP"[index % 6], "markersize": max(3.0, 8.0 - 1.2 * index), "markerfacecolor": "none",
            "markeredgewidth": 1.2, "linewidth": 1.2, "clip_on": False}


def break_at_gaps(times: Any, values: Any, period: float) -> pd.DataFrame:
    """Timestamp and Value with a NaN row wherever two consecutive points are more than
    ``period`` seconds apart, so a line is not drawn across time that holds no datapoint.

    The NaN sits one period after the point before the gap (where the next datapoint was due).
    """
    frame = pd.DataFrame({"Timestamp": pd.to_datetime(pd.Series(times)), "Value": pd.Series(values, dtype=float)})
    frame = frame.dropna(subset=["Timestamp"]).sort_values("Timestamp").reset_index(drop=True)
    step = pd.Timedelta(seconds=period)
    late = frame["Timestamp"].diff() > step
    if not late.any():
        return frame
    fillers = pd.DataFrame({"Timestamp": frame["Timestamp"].shift(1)[late] + step, "Value": np.nan})
    return pd.concat([frame, fillers]).sort_values("Timestamp", kind="stable").reset_index(drop=True)


def _sketch(feature: FeatureStatistics) -> Any:
    from .analyzer.kll import KLLState

    stats = feature.numerical_statistics
    return KLLState.from_data(stats.kll.sketch.data, stats.min, stats.max)


def sketch_cdf(feature: FeatureStatistics) -> tuple[np.ndarray, np.ndarray]:
    """The data's CDF as the sketch estimates it: every stored copy with its weight 2**level.

    This is the distribution of the values (what the histograms show); Deequ's drift distance
    uses a different curve, the rank map (``rank_map_cdf``).
    """
    items, weights = _sketch(feature).weighted_items()
    order = np.argsort(items, kind="stable")
    cum = np.cumsum(weights[order])
    return items[order], cum / cum[-1]


def rank_map_cdf(feature: FeatureStatistics) -> tuple[np.ndarray, np.ndarray, float]:
    """Deequ's CDF for the drift check: distinct items, one weight each; and its total (n or m)."""
    keys, running = _sketch(feature).rank_map()
    return keys, running / running[-1], float(running[-1])


def common_edges(baseline: FeatureStatistics, latest: FeatureStatistics, bins: int = 30) -> tuple[np.ndarray, bool]:
    """Shared bin edges for both files; and whether the top bin also holds a long baseline tail.

    Whole-number features with a small range get one bin per value.
    """
    b, l_ = baseline.numerical_statistics, latest.numerical_statistics
    lo, top = min(b.min, l_.min), max(b.max, l_.max)
    whole = all(float(x).is_integer() for x in (b.min, b.max, l_.min, l_.max))
    if whole and top - lo <= 40:
        return np.arange(lo - 0.5, top + 1.5), False
    items, cum = sketch_cdf(baseline)
    tail = float(items[min(np.searchsorted(cum, 0.995), len(items) - 1)])
    hi = max(tail, float(l_.max))
    return np.linspace(lo, hi, bins + 1), hi < top


def bin_shares(feature: FeatureStatistics, edges: np.ndarray) -> np.ndarray:
    """Share of the feature's values in each bin (the last bin also takes everything above it)."""
    items, cum = sketch_cdf(feature)
    idx = np.searchsorted(items, edges[1:-1], side="right") - 1
    inner = np.where(idx >= 0, cum[np.maximum(idx, 0)], 0.0)
    return np.diff(np.r_[0.0, inner, 1.0])


def distribution_figure(baseline: FeatureStatistics, latest: FeatureStatistics, ax: Any = None) -> Any:
    """Baseline against latest for one feature on the same bins: shares of values, or of categories."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.2))
    if baseline.numerical_statistics and latest.numerical_statistics and latest.numerical_statistics.kll:
        edges, clipped = common_edges(baseline, latest)
        for feature, colour, label in ((baseline, BASELINE, "baseline"), (latest, LATEST, "latest hour")):
            ax.stairs(bin_shares(feature, edges), edges, fill=True, alpha=0.45, color=colour,
                      label=f"{label} (n={feature.common.num_present:,})")
        ax.set_ylabel("share of values per bin")
        ax.set_xlabel(_label(baseline.name) + overflow_note(edges, clipped))
    else:
        shares = {}
        for feature, label in ((baseline, "baseline"), (latest, "latest hour")):
            stats = feature.string_statistics
            counts = {b.value: b.count for b in stats.buckets} if stats else {}
            total = sum(counts.values()) or 1
            shares[label] = {k: v / total for k, v in counts.items()}
        frame = pd.DataFrame(shares).fillna(0.0)
        frame.plot.bar(ax=ax, color=[BASELINE, LATEST], alpha=0.8)
        ax.set_ylabel("share of values")
        ax.set_xlabel(_label(baseline.name))
    ax.set_title(f"{baseline.name}: {baseline.inferred_type} in the baseline, {latest.inferred_type} now",
                 fontsize="medium")
    ax.legend(fontsize="small")
    return fig


def ecdf(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """The empirical CDF of raw values: each distinct value and the share of values at or below it."""
    distinct, counts = np.unique(np.asarray(values, dtype=float), return_counts=True)
    return distinct, np.cumsum(counts) / counts.sum()


def _gap(x1, f1, x2, f2) -> tuple[float, float, float]:
    """Where two step CDFs are furthest apart: (x, F1(x), F2(x))."""
    union = np.union1d(x1, x2)

    def at(x, f):
        idx = np.searchsorted(x, union, side="right") - 1
        return np.where(idx >= 0, f[np.maximum(idx, 0)], 0.0)

    g1, g2 = at(x1, f1), at(x2, f2)
    i = int(np.argmax(np.abs(g1 - g2)))
    return float(union[i]), float(g1[i]), float(g2[i])


def drift_cdfs_figure(baseline_values: Any, captured_values: Any, baseline: FeatureStatistics,
                      latest: FeatureStatistics) -> Any:
    """Two panels: the data's true empirical CDFs (with the two-sample KS gap), and the rank-map
    CDFs Model Monitor's drift check computes from the two sketches (with its largest gap)."""
    from scipy.stats import ks_2samp

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4), sharey=True)
    x1, f1 = ecdf(baseline_values)
    x2, f2 = ecdf(captured_values)
    ks = ks_2samp(baseline_values, captured_values)
    k1, r1, n = rank_map_cdf(baseline)
    k2, r2, m = rank_map_cdf(latest)
    hi = max(float(np.quantile(baseline_values, 0.99)), float(np.max(captured_values)))
    lo = min(float(np.min(baseline_values)), float(np.min(captured_values)))
    beyond = max(float(np.max(baseline_values)), float(np.max(captured_values)), float(k1[-1]), float(k2[-1])) > hi
    panels = ((left, x1, f1, x2, f2, f"the data: empirical CDFs\n(two-sample KS {ks.statistic:.3f}, p = {ks.pvalue:.2g})",
               f"baseline rows ({len(baseline_values):,})", f"captured predictions ({len(captured_values):,})"),
              (right, k1, r1, k2, r2, "what Model Monitor computes: Deequ's rank-map CDFs\n"
               "(one weight per distinct sketch value)", f"baseline sketch (n = {n:,.0f})",
               f"latest-hour sketch (m = {m:,.0f})"))
    for ax, a, fa, b, fb, title, la, lb in panels:
        ax.step(a, fa, where="post", color=BASELINE, label=la)
        ax.step(b, fb, where="post", color=LATEST, label=lb)
        x, g1, g2 = _gap(a, fa, b, fb)
        ax.vlines(x, min(g1, g2), max(g1, g2), color="red", linewidth=2.5, label=f"largest gap {abs(g1 - g2):.3f}")
        ax.set_xlim(lo, hi)
        ax.set_xlabel(_label(baseline.name) + (f"; axis ends at {hi:.4g}, a curve reaches 1 above it" if beyond else ""))
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="small", loc="lower right")
    left.set_ylabel("share of values at or below x")
    fig.tight_layout()
    return fig


def histogram_figure(baseline_values: Any, captured_values: Any, name: str, width: float = 1.0) -> Any:
    """Raw values on shared bins of ``width`` (densities, so different sizes compare). The bins end
    at the baseline's 99th percentile (or the largest prediction); the last bin also holds every
    value above it, as the axis says, so no value leaves the figure."""
    fig, ax = plt.subplots(figsize=(13, 3.2))
    hi = max(float(np.quantile(baseline_values, 0.99)), float(np.max(captured_values)))
    lo = min(float(np.min(baseline_values)), float(np.min(captured_values)))
    edges = np.arange(np.floor(lo), hi + width, width)
    top = max(float(np.max(baseline_values)), float(np.max(captured_values)))
    for values, colour, label in ((baseline_values, BASELINE, "baseline rows"),
                                  (captured_values, LATEST, "captured predictions")):
        values = np.asarray(values, dtype=float)
        ax.hist(np.where(values > edges[-1], edges[-2], values), bins=edges, density=True, alpha=0.45, color=colour,
                label=f"{label} ({len(values):,})")
    above = [int(np.sum(np.asarray(v, dtype=float) > edges[-1])) for v in (baseline_values, captured_values)]
    ax.set_xlabel(f"{_label(name)}, bins of {width:g}" + overflow_note(edges, top > edges[-1])
                  + (f" ({above[0]:,} baseline rows and {above[1]:,} predictions above {edges[-1]:.4g})" if top > edges[-1] else ""))
    ax.set_ylabel("density (share per unit)")
    ax.legend(fontsize="small")
    return fig


def distributions_figure(baseline: Statistics, latest: Statistics, features: list[str] | None = None) -> Any:
    """One panel per feature present in both."""
    names = features or [f.name for f in baseline.features if f.name in {g.name for g in latest.features}]
    cols = 2
    rows = (len(names) + 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.3 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        distribution_figure(baseline.feature(name), latest.feature(name), ax=ax)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def violations_frame(constraints: Constraints, violations: ConstraintViolations) -> pd.DataFrame:
    """One row per baseline feature, one column per check: the description where violated."""
    frame = pd.DataFrame("", index=[f.name for f in constraints.features], columns=CHECKS)
    for v in violations.violations:
        if v.feature_name in frame.index and v.constraint_check_type in frame.columns:
            frame.loc[v.feature_name, v.constraint_check_type] = v.description
    return frame


def violations_text(violations: ConstraintViolations) -> str:
    """Every violation with its full description (tables cut long text; this never does)."""
    if not violations.violations:
        return "no violations"
    return "\n".join(f"{v.feature_name} · {v.constraint_check_type}\n    {v.description}" for v in violations.violations)


def violations_table(constraints: Constraints, violations: ConstraintViolations) -> Any:
    """A styled table: violated cells highlighted, with the service's description in them."""
    frame = violations_frame(constraints, violations)
    shown = frame.replace("", "ok")
    return shown.style.map(lambda v: "background-color: #f8d7da; color: #58151c" if v != "ok"
                           else "background-color: #d1e7dd; color: #0a3622").set_properties(
        **{"white-space": "pre-wrap", "max-width": "28em", "font-size": "0.85em"})


def text_table(frame: pd.DataFrame, wide: tuple[str, ...] = ()) -> Any:
    """A table that fits the page and never cuts text: no index, cells wrap, ``wide`` columns
    (reasons, summaries) get the room; pandas' own table would end long text with "...". """
    style = frame.style.hide(axis="index").set_properties(
        **{"white-space": "pre-wrap", "text-align": "left", "font-size": "0.85em", "max-width": "14em"})
    if wide:
        style = style.set_properties(subset=list(wide), **{"max-width": "36em", "min-width": "18em"})
    return style.format(precision=4, na_rep="")


def baseline_label(constraints_uri: str) -> str:
    """A new baseline named by the folder that tells it apart (``baseline-predictions/...``)."""
    parts = [p for p in constraints_uri.removesuffix("/constraints.json").split("/") if p]
    # a pipeline execution id (a UUID) says little in a legend: its first 8 digits tell it apart
    return _EXECUTION_ID.sub(r"\1…", "/".join(parts[-3:]))


def split_at(history: pd.DataFrame, moments: Sequence[Any]) -> pd.DataFrame:
    """``history`` (Timestamp, drift) sorted, with a NaN row at each moment so a line drawn through
    it breaks there: values measured against different baselines are not one series."""
    frame = history[["Timestamp", "drift"]].sort_values("Timestamp")
    if not len(moments):
        return frame.reset_index(drop=True)
    gaps = pd.DataFrame({"Timestamp": pd.to_datetime(pd.Series(list(moments))), "drift": np.nan})
    # a point at the moment itself was measured against the new baseline: the break goes before it
    return pd.concat([gaps, frame]).sort_values("Timestamp", kind="stable").reset_index(drop=True)


def drift_history_figure(history: pd.DataFrame, threshold: float | None, title: str, changes: Sequence[Any] = (),
                         alarm_threshold: float | None = None) -> Any:
    """Drift per feature across executions (columns Timestamp, feature, drift) against the
    threshold of the constraints in use: the threshold line is drawn on top and always in view,
    the legend beside the plot, off the data. ``threshold`` None (a schedule that names no
    constraints) draws no line. Each of ``changes`` (``when`` and ``constraints_uri``: the
    schedule's baseline changed) breaks the lines with a labelled vertical marker; an
    ``alarm_threshold`` (the drift alarm's own) is drawn as a second line."""
    fig, ax = plt.subplots(figsize=(11, 3.8), layout="constrained")
    moments = [c.when for c in changes]
    for i, (feature, rows) in enumerate(history.groupby("feature")):
        line = split_at(rows, moments)
        ax.plot(line["Timestamp"], line["drift"], zorder=6, label=series_label(str(feature), rows["drift"]),
                **marker_style(i))
    if threshold is not None:
        ax.axhline(threshold, color="red", linestyle="--", linewidth=1.5, zorder=5, label=f"comparison threshold {threshold}")
    if alarm_threshold is not None:
        ax.axhline(alarm_threshold, **ALARM_THRESHOLD, zorder=5,
                   label=f"drift alarm's threshold {alarm_threshold} (total_amount)")
    for change in changes:
        ax.axvline(change.when, color="0.3", linestyle="-.", linewidth=1.2, zorder=4,
                   label=f"new baseline from here: {baseline_label(change.constraints_uri)}")
        ax.annotate("new baseline", (mdates.date2num(change.when), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -3), textcoords="offset points", va="top", fontsize="small", color="0.3")
    top = max([threshold or 0.0, alarm_threshold or 0.0, *history["drift"].dropna()]) or 1.0
    ax.set_ylim(-top * 0.05, top * 1.15)  # 0 sits just above the axis line, so a series at 0 shows
    ax.set_ylabel("baseline drift distance (0 to 1)")
    ax.set_xlabel("when the execution published it (UTC)")
    ax.set_title(title)
    _time_axis(ax, history["Timestamp"])
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:  # no drift yet and no threshold: nothing to name
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


ALARM_SETTINGS = {
    "Statistic": "how the datapoints of one period are combined",
    "Period": "seconds in one evaluation period",
    "EvaluationPeriods": "how many of the latest periods are evaluated",
    "DatapointsToAlarm": "how many of those must breach for ALARM (not set: all of them)",
    "Threshold": "the value each period's statistic is compared with",
    "ComparisonOperator": "how it is compared",
    "TreatMissingData": "what a period without a datapoint counts as (not set: missing)",
}


def alarm_settings_frame(alarm: dict, **proposed: Any) -> pd.DataFrame:
    """An alarm's evaluation settings from DescribeAlarms, one row each with what it means; with
    ``proposed`` settings, a column of the values they would become."""
    def text(value: Any) -> str:
        return "(not set)" if value is None else str(value)

    frame = pd.DataFrame({"setting": list(ALARM_SETTINGS), "now": [text(alarm.get(k)) for k in ALARM_SETTINGS]})
    if proposed:
        frame["proposed"] = [text(proposed.get(k, alarm.get(k))) for k in ALARM_SETTINGS]
    frame["what it means"] = list(ALARM_SETTINGS.values())
    return frame


def _time_axis(ax: Any, times: Any) -> None:
    """Readable UTC times: concise ticks, and at least an hour shown when the points are close."""
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    times = pd.to_datetime(pd.Series(times)).dropna()
    if len(times) and times.max() - times.min() < pd.Timedelta(hours=1):
        middle = times.min() + (times.max() - times.min()) / 2
        ax.set_xlim(middle - pd.Timedelta(minutes=30), middle + pd.Timedelta(minutes=30))


def alarm_metric_figure(points: pd.DataFrame, threshold: float, title: str, period: int = 60,
                        by_hand: pd.DataFrame | None = None) -> Any:
    """The alarm's metric (Average per period) against its threshold, drawn on top and in view; the
    line breaks where a period holds no datapoint (the metric arrives once an hour).

    ``by_hand`` (Timestamp, Average): datapoints no monitoring run published, such as step 14's
    test value; drawn apart, as crosses, so they are never read as measured drift.
    """
    fig, ax = plt.subplots(figsize=(11, 3.4), layout="constrained")
    line = break_at_gaps(points["Timestamp"], points["Average"], period)
    ax.plot(line["Timestamp"], line["Value"], marker="o", markersize=4, clip_on=False, zorder=6,
            label=series_label(f"measured by Model Monitor\n(Average per {period}-second period; line only between "
                               "adjacent periods)", points["Average"]))
    hand = by_hand if by_hand is not None else pd.DataFrame(columns=["Timestamp", "Average"])
    if len(hand):
        ax.plot(hand["Timestamp"], hand["Average"], **TEST_VALUE, clip_on=False,
                label="published by hand with put_metric_data\n(a test value, not measured)")
    ax.axhline(threshold, **ALARM_THRESHOLD, zorder=5, label=f"alarm threshold {threshold}")
    top = max([threshold, *points["Average"].dropna(), *hand["Average"].dropna()])
    ax.set_ylim(-top * 0.05, top * 1.15)
    ax.set_ylabel("drift distance (0 to 1)")
    ax.set_xlabel("datapoint time (UTC)")
    ax.set_title(title)
    _time_axis(ax, [*points["Timestamp"], *hand["Timestamp"]])
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def dashboard_figure(body: str, panels: dict[str, list], alarms: dict[str, str],
                     window: tuple[Any, Any] | None = None, marks: dict[str, list] | None = None) -> Any:
    """A local rendering of a CloudWatch dashboard body from what GetMetricData answered.

    ``panels`` maps a widget's title to its lines, [(label, frame of Timestamp and Value)];
    ``alarms`` maps alarm ARNs to their state. Widgets sit on CloudWatch's 24-column grid; each
    axis is labelled with the widget's ``yAxis.left.label`` and its legend sits below the plot,
    off the data. ``window`` (start, end): the dashboard's time range, the same on every panel as
    in the console. ``marks``: per panel title, (Timestamp, Value, label) points the notebook
    names on top of the body's lines (a test value), drawn as labelled crosses.
    """
    widgets = json.loads(body)["widgets"]
    rows = sorted({w["y"] for w in widgets})  # one grid row per band of widgets, as tall as its tallest
    heights = [max(w["height"] for w in widgets if w["y"] == y) for y in rows]
    unit = math.gcd(24, *(w["x"] for w in widgets), *(w["width"] for w in widgets))  # the grid's coarsest columns
    fig = plt.figure(figsize=(14, sum(heights) * 0.95), layout="constrained")
    grid = fig.add_gridspec(len(rows), 24 // unit, height_ratios=heights)
    for widget in widgets:
        row = rows.index(widget["y"])
        ax = fig.add_subplot(grid[row, widget["x"] // unit:(widget["x"] + widget["width"]) // unit])
        props = widget["properties"]
        ax.set_title(props.get("title", ""), fontsize="medium")
        if widget["type"] == "alarm":
            _alarm_widget(ax, props, alarms)
            continue
        _metric_widget(ax, props, panels.get(props.get("title", ""), []))
        for when, value, label in (marks or {}).get(props.get("title", ""), []):
            ax.plot([when], [value], **TEST_VALUE, label=label)
        if window is not None:
            ax.set_xlim(*window)
        _below_legend(ax, columns=2 if widget["width"] >= 12 else 1)  # a narrow widget's legend: one column
    return fig


def flat_series(panels: dict[str, list]) -> dict[str, list[str]]:
    """Per panel, the lines that lie on its zero line ("<short label> (<flat_note>)"): easy to miss."""
    found = {}
    for title, lines in panels.items():
        top = max((float(frame["Value"].abs().max()) for _, frame in lines if frame["Value"].notna().any()), default=0.0)
        flat = [series_label(_short(label), frame["Value"], top) for label, frame in lines if flat_note(frame["Value"], top)]
        if flat:
            found[title] = flat
    return found


def _alarm_widget(ax: Any, props: dict, alarms: dict[str, str]) -> None:
    ax.axis("off")
    for i, arn in enumerate(props["alarms"]):
        state = alarms.get(arn, "unknown")
        colour = {"ALARM": "#d62728", "OK": "#2ca02c"}.get(state, "#7f7f7f")
        ax.text(0.01, 0.6 - 0.3 * i, f"{arn.rsplit(':', 1)[-1]}: {state}", color=colour,
                fontsize="large", transform=ax.transAxes)


def _metric_widget(ax: Any, props: dict, lines: list) -> None:
    """One metric widget: markers on every datapoint (a lone one shows), lines only between
    adjacent periods, and a note in the legend of a series that lies on the zero line."""
    top = max((float(frame["Value"].abs().max()) for _, frame in lines if frame["Value"].notna().any()), default=0.0)
    for i, (label, frame) in enumerate((label, frame) for label, frame in lines if len(frame)):
        line = break_at_gaps(frame["Timestamp"], frame["Value"], props.get("period", 60))
        ax.plot(line["Timestamp"], line["Value"], label=series_label(_short(label), frame["Value"], top), **marker_style(i))
    for line in props.get("annotations", {}).get("horizontal", []):
        # the body's own colour where it gives one (CloudWatch draws annotations solid; dotted here
        # so that the alarm's threshold looks the same in every figure of the workshop)
        ax.axhline(line["value"], **{**ALARM_THRESHOLD, "color": line.get("color", ALARM_THRESHOLD["color"])},
                   label=f"{line.get('label', '')} {line['value']}".strip())
    ax.set_ylabel(props.get("yAxis", {}).get("left", {}).get("label", ""), fontsize="small")
    ax.set_xlabel("time (UTC)", fontsize="small")
    _time_axis(ax, [ts for _, frame in lines for ts in frame["Timestamp"]])
    ax.tick_params(labelsize="small")
    ax.grid(alpha=0.3)
    if not any(len(frame) for _, frame in lines):  # a panel with no data yet has nothing to draw
        ax.text(0.5, 0.5, "no data in this period", ha="center", va="center", transform=ax.transAxes,
                fontsize="small", color="#777777")
        # with no datapoint matplotlib's empty date axis is 1970: show no times rather than invented ones
        ax.xaxis.set_major_locator(mticker.NullLocator())
        ax.xaxis.set_major_formatter(mticker.NullFormatter())


def _below_legend(ax: Any, columns: int = 2) -> None:
    """The panel's legend below its time axis, off the data, in ``columns`` columns at most."""
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=min(columns, len(handles)),
                  frameon=False)


_EXECUTION_ID = re.compile(r"([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _short(label: str) -> str:
    """A SEARCH line's label ("<metric> <endpoint> <variant or schedule>") as "<metric> · endpoint
    <execution id's first block>": the part that tells the lines of one panel apart."""
    parts = label.split()
    named = [f"endpoint {m.group(1)}" if (m := _EXECUTION_ID.search(p)) else p for p in parts]
    if len(named) >= 3 and any(p.startswith("endpoint ") for p in named):
        named = named[:-1]  # the variant (or schedule) name: the same on every line
    return " · ".join(named)


def expand_metrics(rows: list[list[str]]) -> list[list[str]]:
    """CloudWatch's ``"."`` shorthand: repeat the value from the row above."""
    out: list[list[str]] = []
    for row in rows:
        row = [v for v in row if not isinstance(v, dict)]
        out.append([prev if v == "." else v for v, prev in zip(row, out[-1], strict=False)] if out else list(row))
    return out


def show(obj: Any) -> None:
    """Display a figure or a styled table in a notebook (and close figures so they show once)."""
    from IPython.display import display

    display(obj)
    if hasattr(obj, "savefig"):
        plt.close(obj)

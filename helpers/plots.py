"""Figures and tables for the notebooks: pure builders that return them, and thin ``show_*``.

Everything is drawn from the typed formats objects or from data frames the workshop steps
return, never from raw dicts.
"""

from __future__ import annotations

import json
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .formats import Constraints, ConstraintViolations, FeatureStatistics, Statistics

__all__ = [
    "alarm_metric_figure", "cdf_figure", "dashboard_figure", "distribution_figure", "distributions_figure",
    "drift_history_figure", "show", "violations_table",
]

BASELINE, LATEST = "#1f77b4", "#ff7f0e"
CHECKS = ["data_type_check", "completeness_check", "baseline_drift_check", "categorical_values_check"]


def _density(feature: FeatureStatistics) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    buckets = feature.numerical_statistics.kll.buckets
    lows = np.array([b.lower_bound for b in buckets])
    widths = np.array([b.upper_bound - b.lower_bound for b in buckets])
    counts = np.array([b.count for b in buckets])
    total = counts.sum() or 1.0
    return lows, np.where(widths > 0, widths, 1.0), counts / total


def distribution_figure(baseline: FeatureStatistics, latest: FeatureStatistics, ax: Any = None) -> Any:
    """Baseline against latest for one feature: KLL buckets as densities, or category shares."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 3.2))
    if baseline.numerical_statistics and latest.numerical_statistics and latest.numerical_statistics.kll:
        for feature, colour, label in ((baseline, BASELINE, "baseline"), (latest, LATEST, "latest")):
            lows, widths, shares = _density(feature)
            ax.bar(lows, shares / widths, width=widths, align="edge", alpha=0.5, color=colour,
                   edgecolor=colour, label=f"{label} (n={feature.common.num_present:,})")
        ax.set_ylabel("density")
    else:
        shares = {}
        for feature, label in ((baseline, "baseline"), (latest, "latest")):
            stats = feature.string_statistics
            counts = {b.value: b.count for b in stats.buckets} if stats else {}
            total = sum(counts.values()) or 1
            shares[label] = {k: v / total for k, v in counts.items()}
        frame = pd.DataFrame(shares).fillna(0.0)
        frame.plot.bar(ax=ax, color=[BASELINE, LATEST], alpha=0.8)
        ax.set_ylabel("share")
    ax.set_title(f"{baseline.name} ({baseline.inferred_type} in the baseline, {latest.inferred_type} now)")
    ax.legend(fontsize="small")
    return fig


def cdf_figure(baseline: FeatureStatistics, latest: FeatureStatistics, ax: Any = None) -> Any:
    """The two cumulative distributions the drift check compares, with the largest gap marked.

    These are Deequ's CDFs, built from each file's KLL sketch with one weight per distinct value
    (the service's quirk), so the marked gap is exactly the plain drift distance.
    """
    from .analyzer.distance import cdf_at, numerical_distance
    from .analyzer.kll import KLLState

    def sketch(feature: FeatureStatistics) -> KLLState:
        stats = feature.numerical_statistics
        return KLLState.from_data(stats.kll.sketch.data, stats.min, stats.max)

    base, late = sketch(baseline), sketch(latest)
    (k1, r1), (k2, r2) = base.rank_map(), late.rank_map()
    union = np.union1d(k1, k2)
    f1, f2 = cdf_at(k1, r1, union) / r1[-1], cdf_at(k2, r2, union) / r2[-1]
    at = int(np.argmax(np.abs(f1 - f2)))
    distance = numerical_distance(base, late)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3.5))
    ax.step(k1, r1 / r1[-1], where="post", color=BASELINE, label="baseline")
    ax.step(k2, r2 / r2[-1], where="post", color=LATEST, label="latest")
    ax.vlines(union[at], min(f1[at], f2[at]), max(f1[at], f2[at]), color="red", linewidth=2,
              label=f"largest gap {distance.simple:.3f} (Robust {distance.robust:.3f})")
    ax.set_xlim(min(k1[0], k2[0]), max(np.quantile(k1, 0.99), k2[-1]))
    ax.set_ylabel("cumulative share")
    ax.set_title(f"{baseline.name}: the distributions the drift check compares")
    ax.legend(fontsize="small", loc="lower right")
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


def violations_table(constraints: Constraints, violations: ConstraintViolations) -> Any:
    """A styled table: violated cells highlighted, with the service's description in them."""
    frame = violations_frame(constraints, violations)
    shown = frame.replace("", "ok")
    return shown.style.map(lambda v: "background-color: #f8d7da; color: #58151c" if v != "ok"
                           else "background-color: #d1e7dd; color: #0a3622").set_properties(
        **{"white-space": "pre-wrap", "max-width": "28em", "font-size": "0.85em"})


def drift_history_figure(history: pd.DataFrame, threshold: float = 0.1) -> Any:
    """Drift per feature across executions (columns Timestamp, feature, drift) with the threshold."""
    fig, ax = plt.subplots(figsize=(10, 3.5))
    for feature, rows in history.groupby("feature"):
        ax.plot(rows["Timestamp"], rows["drift"], marker="o", label=feature)
    ax.axhline(threshold, color="red", linestyle="--", label=f"comparison threshold {threshold}")
    ax.set_ylabel("baseline drift distance")
    ax.legend(fontsize="small", ncols=2)
    fig.autofmt_xdate()
    return fig


def alarm_metric_figure(points: pd.DataFrame, threshold: float, title: str) -> Any:
    """The alarm's metric (Average per period) against its threshold."""
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.plot(points["Timestamp"], points["Average"], marker="o", label="Average")
    ax.axhline(threshold, color="red", linestyle="--", label=f"alarm threshold {threshold}")
    ax.set_title(title)
    ax.legend(fontsize="small")
    fig.autofmt_xdate()
    return fig


def dashboard_figure(body: str, panels: dict[str, list], alarms: dict[str, str]) -> Any:
    """A local rendering of a CloudWatch dashboard body from what GetMetricData answered.

    ``panels`` maps a widget's title to its lines, [(label, frame of Timestamp and Value)];
    ``alarms`` maps alarm ARNs to their state. Widgets sit on CloudWatch's 24-column grid.
    """
    widgets = json.loads(body)["widgets"]
    height = max(w["y"] + w["height"] for w in widgets)
    fig = plt.figure(figsize=(14, height * 0.6))
    grid = fig.add_gridspec(height, 24, hspace=2.5, wspace=1.5)
    for widget in widgets:
        ax = fig.add_subplot(grid[widget["y"]:widget["y"] + widget["height"], widget["x"]:widget["x"] + widget["width"]])
        props = widget["properties"]
        ax.set_title(props.get("title", ""), fontsize="small")
        if widget["type"] == "alarm":
            ax.axis("off")
            for i, arn in enumerate(props["alarms"]):
                state = alarms.get(arn, "unknown")
                colour = {"ALARM": "#d62728", "OK": "#2ca02c"}.get(state, "#7f7f7f")
                ax.text(0.01, 0.6 - 0.3 * i, f"{arn.rsplit(':', 1)[-1]}: {state}", color=colour,
                        fontsize="medium", transform=ax.transAxes)
            continue
        for label, frame in panels.get(props.get("title", ""), []):
            if len(frame):
                ax.plot(frame["Timestamp"], frame["Value"], marker=".", linestyle="-", label=_short(label))
        for line in props.get("annotations", {}).get("horizontal", []):
            ax.axhline(line["value"], color="red", linestyle="--", label=line.get("label"))
        ax.tick_params(labelsize="x-small")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %H:%M"))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="xx-small", loc="upper left", framealpha=0.6)
    return fig


def _short(label: str) -> str:
    """Shorten endpoint names in legends to their execution id's first block."""
    return " ".join(part[:26] + "..." if len(part) > 29 else part for part in label.split())


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

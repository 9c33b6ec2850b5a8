"""The workshop's loop as a picture, drawn by the package (notebook 00 and docs/instructor-notes.md).

Eight stages in a ring, each labelled with the AWS service that does it, the workshop's name
for it and the notebooks that look at it. The stages are data, so a test can check the picture
says what the chapter teaches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from .config import ASSETS

__all__ = ["LOOP", "Stage", "loop_figure", "save_loop_figure"]


@dataclass(frozen=True)
class Stage:
    title: str
    service: str
    detail: str
    notebooks: str


def _properties(template: str, resource: str) -> dict:
    """A resource's properties as the template in assets/ writes them (the figure never retypes them)."""
    return json.loads((ASSETS / template).read_text())["Resources"][resource]["Properties"]


def _schedule_detail() -> str:
    config = _properties("monitoring-schedule.template.json", "MonitoringSchedule")["MonitoringScheduleConfig"]
    return f"hourly job ({config['ScheduleConfig']['ScheduleExpression']})\nagainst the baseline"


def _alarm_detail() -> str:
    alarm = _properties("drift-alarm.template.json", "DriftAlarm")
    feature = alarm["MetricName"].removeprefix("feature_baseline_drift_")
    points = alarm.get("DatapointsToAlarm", alarm["EvaluationPeriods"])
    return (f"drift of {feature} > {alarm['Threshold']:g}\n"
            f"({points} of {alarm['EvaluationPeriods']} periods of {alarm['Period']} s)")


LOOP = (
    Stage("capture", "SageMaker endpoint", "data capture: every request\nand prediction to S3", "06"),
    Stage("schedule", "Model Monitor", _schedule_detail(), "07-09"),
    Stage("reports", "S3", "statistics, constraints,\nconstraint_violations.json", "10-13"),
    Stage("metrics", "CloudWatch", "feature_baseline_drift_*\nper run", "14, 16"),
    Stage("alarm", "CloudWatch alarm", _alarm_detail(), "14-15"),
    Stage("rule", "EventBridge", "on ALARM: start the\npipeline", "15"),
    Stage("pipeline", "CodePipeline", "retrain, baseline,\ndeploy to dev", "01, 15"),
    Stage("approval", "manual approval", "a person approves;\nthen deploy to production", "15"),
)


def loop_figure(ax: Any = None) -> Any:
    """The loop capture -> schedule -> reports -> metrics -> alarm -> rule -> pipeline -> approval,
    closing back on the endpoint that approval deploys."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(12, 7.5))
    count = len(LOOP)
    angles = np.pi / 2 - 2 * np.pi * np.arange(count) / count
    xs, ys = 2.0 * np.cos(angles), 1.3 * np.sin(angles)
    for i, stage in enumerate(LOOP):
        j = (i + 1) % count
        start = (xs[i] + 0.36 * (xs[j] - xs[i]), ys[i] + 0.36 * (ys[j] - ys[i]))
        end = (xs[i] + 0.64 * (xs[j] - xs[i]), ys[i] + 0.64 * (ys[j] - ys[i]))
        ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.8,
                                                          "mutation_scale": 16})
        which = "notebooks" if any(c in stage.notebooks for c in "-,") else "notebook"
        ax.text(xs[i], ys[i], f"{i + 1}. {stage.title}\n{stage.service}\n\n{stage.detail}\n{which} {stage.notebooks}",
                ha="center", va="center", fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#eef3fb" if i < 4 else "#fbf1e8",
                      "edgecolor": "#1f77b4" if i < 4 else "#ff7f0e"})
    ax.text(0, 0.08, "the monitoring loop", ha="center", va="center", fontsize=13, weight="bold")
    ax.text(0, -0.15, "blue: observe (Model Monitor)\norange: act (alarm, retrain, approve)",
            ha="center", va="center", fontsize=9, color="#444444")
    ax.set_xlim(-2.6, 2.6)
    ax.set_ylim(-1.65, 1.65)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def save_loop_figure(path: str | Path) -> Path:
    """Write the loop picture as a PNG (the docs page embeds it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = loop_figure()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path

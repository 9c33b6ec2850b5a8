"""Interactive choices for the notebooks (ipywidgets); the plot builders work without them."""

from __future__ import annotations

from typing import Any

from .formats import Constraints, Statistics
from .plots import distribution_figure, show, violations_table

__all__ = ["execution_picker", "feature_picker"]


def feature_picker(baseline: Statistics, latest: Statistics) -> Any:
    """A dropdown of features; shows baseline against latest for the chosen one."""
    import ipywidgets as widgets

    names = [f.name for f in baseline.features if f.name in {g.name for g in latest.features}]
    out = widgets.Output()

    def draw(name: str) -> None:
        out.clear_output(wait=True)
        with out:
            show(distribution_figure(baseline.feature(name), latest.feature(name)))

    pick = widgets.Dropdown(options=names, description="feature")
    pick.observe(lambda change: draw(change["new"]), names="value")
    draw(names[0])
    return widgets.VBox([pick, out])


def execution_picker(sess: Any, constraints: Constraints, shown: Any = None) -> Any:
    """A dropdown of finished executions; shows the chosen one's violations table.

    It starts with none chosen, naming ``shown`` (the execution whose table the page already
    shows) instead: neither the notebook nor its HTML copy shows one table twice."""
    import ipywidgets as widgets

    from . import workshop

    executions = [e for e in workshop.monitoring_executions(sess) if e.status in workshop.FINISHED]
    out = widgets.Output()

    def draw(index: int | None) -> None:
        out.clear_output(wait=True)
        with out:
            if index is None:
                above = f"; the table above is the one scheduled {shown.scheduled:%Y-%m-%d %H:%M} UTC" if shown else ""
                print(f"Choose one of {len(executions)} finished executions to see its table{above}.")
                return
            execution = executions[index]
            if execution.status == "Failed":
                print(f"{execution.scheduled:%Y-%m-%d %H:%M}: Failed ({execution.failure_reason})")
                return
            uri = workshop.report_uri(sess, execution) + "/constraint_violations.json"
            show(violations_table(constraints, workshop.load_violations(sess, uri)))

    labels = [(f"{e.scheduled:%Y-%m-%d %H:%M}  {e.status}", i) for i, e in enumerate(executions)]
    pick = widgets.Dropdown(options=labels, value=None, description="execution")
    pick.observe(lambda change: draw(change["new"]), names="value")
    draw(None)
    return widgets.VBox([pick, out])

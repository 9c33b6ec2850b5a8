"""HTML pages of the executed notebooks that render with no network.

nbconvert draws an ipywidget with a script fetched from a CDN; offline, the widget's area stays
blank. So each widget output is replaced by a static fallback built from the widget state the
kernel left in the notebook: what its Output areas captured (the figure or table for the
current choice), and the choice itself in words. The interactive version stays in the notebook.
"""

from __future__ import annotations

import copy
from pathlib import Path

__all__ = ["WIDGET_VIEW", "render_html", "static_widget_outputs"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _static(model_id: str, state: dict, seen: set[str]) -> list[dict]:
    """The outputs a widget model shows now, children first-to-last; choices as a text line."""
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    name, values = model.get("model_name", ""), model.get("state", {})
    if name == "OutputModel":
        return [copy.deepcopy(o) for o in values.get("outputs", [])]
    if "children" in values:
        return [o for child in values["children"] for o in _static(str(child).removeprefix("IPY_MODEL_"), state, seen)]
    labels = values.get("_options_labels")
    if labels is not None and values.get("index") is not None:
        choice = labels[values["index"]]
        note = (f"{values.get('description') or 'choice'}: {choice} (a static copy; run the notebook "
                f"to pick another of {len(labels)})")
        return [{"output_type": "stream", "name": "stdout", "text": note + "\n"}]
    return []


def static_widget_outputs(nb) -> int:
    """Replace every widget output in ``nb`` by its static fallback; the number replaced."""
    import nbformat

    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    replaced = 0
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(out)
                continue
            replaced += 1
            found = _static(view["model_id"], state, set())
            outputs += [nbformat.from_dict(o) for o in found] or [nbformat.from_dict(
                {"output_type": "stream", "name": "stdout",
                 "text": "(an interactive widget: run the notebook to use it)\n"})]
        if "outputs" in cell:
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)  # nothing left for a CDN script to render
    return replaced


def render_html(notebook: Path, out_dir: Path) -> Path:
    """The executed notebook as one self-contained HTML page (figures inline, no widget scripts)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    static_widget_outputs(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(nb)
    target = out_dir / Path(notebook).with_suffix(".html").name
    target.write_text(body, encoding="utf-8")
    return target

"""HTML pages of the executed notebooks that render with no network.

nbconvert draws an ipywidget with a script fetched from a CDN; offline, the widget's area stays
blank. So each widget output is replaced by a static fallback built from the widget state the
kernel left in the notebook: what its Output areas captured (the figure or table for the
current choice), and the choice itself in words. The interactive version stays in the notebook.
The notebooks link to each other ("Next: ..." as ``NN_name.ipynb``); in the pages those links
point at the sibling pages, and a notebook with no page is named, not linked.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Collection
from pathlib import Path

__all__ = ["WIDGET_VIEW", "link_sibling_pages", "render_html", "static_widget_outputs"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# a relative link to a notebook in the same folder (no scheme, no folder), as the markdown writes it
_SIBLING_LINK = re.compile(r'<a href="(?P<stem>[\w.-]+)\.ipynb(?P<fragment>#[^"]*)?"(?P<rest>[^>]*)>(?P<text>.*?)</a>', re.S)


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
    if labels is not None:
        what = values.get("description") or "choice"
        if values.get("index") is None:  # nothing chosen yet: say so, and what there is to choose from
            note = f"{what}: none chosen (a static copy; run the notebook to pick one of {len(labels)})"
        else:
            note = f"{what}: {labels[values['index']]} (a static copy; run the notebook to pick another of {len(labels)})"
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


def link_sibling_pages(page: str, exported: Collection[str]) -> str:
    """Links to sibling notebooks in ``page`` point at their ``.html`` pages where ``exported``
    (the notebook stems with a page) has them; any other is left as its text and the file's name."""

    def rewrite(link: re.Match) -> str:
        stem, text = link["stem"], link["text"]
        if stem in exported:
            return f'<a href="{stem}.html{link["fragment"] or ""}"{link["rest"]}>{text}</a>'
        return f"{text} (<code>{html.escape(stem)}.ipynb</code>: not part of this executed build; open the notebook in Jupyter)"

    return _SIBLING_LINK.sub(rewrite, page)


def render_html(notebook: Path, out_dir: Path, exported: Collection[str] | None = None) -> Path:
    """The executed notebook as one self-contained HTML page (figures inline, no widget scripts).

    ``exported``: the stems of the notebooks that get a page beside this one (None: those in
    the notebook's folder); links to them are rewritten to their pages.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    static_widget_outputs(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(nb)
    siblings = {p.stem for p in Path(notebook).parent.glob("*.ipynb")} if exported is None else exported
    target = out_dir / Path(notebook).with_suffix(".html").name
    target.write_text(link_sibling_pages(body, siblings), encoding="utf-8")
    return target

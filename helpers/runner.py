"""``make workshop``: build the twin if needed, run notebooks 00 to 16 in order, render them.

Each notebook runs in its own kernel (nbclient), as a learner runs them one after another;
executed copies go to ``build/notebooks/`` and HTML renderings to ``build/html/``. On a failing
cell the run stops and names the notebook and the cell.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from .htmlexport import render_html

__all__ = ["NOTEBOOKS", "run_notebook", "run_workshop"]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


class NotebookFailed(RuntimeError):
    pass


def workshop_notebooks() -> list[Path]:
    """00 to 16, in order (99, the clean-up, is for learners to run by hand)."""
    return sorted(p for p in NOTEBOOKS.glob("[01]*.ipynb"))


def run_notebook(path: Path, out_dir: Path, parameters: dict | None = None, timeout: int = 600) -> Path:
    """Execute one notebook in a fresh kernel; write the executed copy; raise naming the cell.

    A ``workspace`` parameter reaches the kernel as WORKSHOP_HOME (which the notebooks' default
    ``workspace = None`` reads), not as an injected line: the executed notebook, read by
    learners, must not show this machine's folders. The other parameters are injected."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    parameters = dict(parameters or {})
    home = parameters.pop("workspace", None)
    if parameters:
        _inject(nb, parameters)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The kernel's own log would bury the progress bar: start-up warnings (TCP transport), and
    # at shutdown "ERROR | KeyboardInterrupt caught in kernel.", because jupyter_client's
    # shutdown_kernel first interrupts the kernel (SIGINT) and ipykernel logs that at ERROR
    # when a message (a widget's comm, say) is being handled. Cell errors still come back
    # through the notebook, and a failing cell raises NotebookFailed below.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                            resources={"metadata": {"path": str(out_dir)}})
    previous, previous_home = os.environ.get("PYTHONPATH"), os.environ.get("WORKSHOP_HOME")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), previous]))  # the kernel's `helpers`
    if home is not None:
        os.environ["WORKSHOP_HOME"] = str(home)
    try:
        client.execute()
    except CellExecutionError as err:
        nbformat.write(nb, out_dir / path.name)
        source_cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        failing = next((i for i, c in enumerate(source_cells) if c.cell_type == "code" and
                        any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        summary = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        summary = re.sub(r"\x1b\[[0-9;]*m", "", summary)  # the kernel's terminal colours
        first = source_cells[failing].source.strip().splitlines()[0][:60] if failing is not None else ""
        raise NotebookFailed(f"{path.name}: cell {failing} ({first}) failed: {summary}") from None
    finally:
        _restore("PYTHONPATH", previous)
        _restore("WORKSHOP_HOME", previous_home)
    nbformat.write(nb, out_dir / path.name)
    return out_dir / path.name


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _inject(nb, parameters: dict) -> None:
    """Papermill's convention: a cell after the one tagged ``parameters`` overrides it."""
    import nbformat

    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    source = "\n".join(["# Parameters injected by the runner (python -m helpers workshop)"]
                       + [f"{k} = {v!r}" for k, v in parameters.items()])
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)


def ensure_twin(fresh: bool) -> Path:
    from .twin.estate import Twin
    from .twin.store import Workspace, WorkspaceError, default_workspace

    root = default_workspace()
    if fresh:
        Workspace.reset(root)
    try:
        twin = Twin.open(root)
        print(f"twin: reusing {root}")
        if not _has_report(twin):
            # after a retrain the new endpoint has no traffic yet: live two hours, as the workshop did
            print("twin: the production endpoint has no monitoring report yet; running two virtual hours")
            twin.run_hours(2)
    except WorkspaceError:
        if root.exists() and any(root.iterdir()):
            raise
        started = time.perf_counter()
        twin = Twin.up(root)
        twin.run_hours(2)
        print(f"twin: built {root} in {time.perf_counter() - started:.1f} s")
    return root


def _has_report(twin) -> bool:
    endpoint = twin.current_endpoint()
    return any(e["EndpointName"] == endpoint and e["MonitoringExecutionStatus"] in ("Completed", "CompletedWithViolations")
               for e in twin.ws.resources("monitoring_execution"))


def run_workshop(build: Path, fresh: bool = False) -> int:
    from tqdm import tqdm

    build = Path(build).resolve()
    root = ensure_twin(fresh)
    os.environ["WORKSHOP_HOME"] = str(root)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    started = time.perf_counter()
    notebooks = workshop_notebooks()
    pages = {p.stem for p in notebooks}  # 99, the clean-up, has no page: its links say so
    with tqdm(notebooks, unit="notebook") as bar:
        for path in bar:
            bar.set_description(path.stem)
            try:
                executed = run_notebook(path, build / "notebooks", {"backend": "local", "workspace": str(root)})
            except NotebookFailed as err:
                print(f"\nworkshop stopped: {err}\n(the partly executed notebook is in {build / 'notebooks'})",
                      file=sys.stderr)
                return 1
            render_html(executed, build / "html", pages)
    print(f"\n{len(notebooks)} notebooks executed in {time.perf_counter() - started:.0f} s; "
          f"HTML in {build / 'html'}")
    print(summary(root))
    return 0


def summary(root: Path) -> str:
    """What the workshop left behind: production before and after the retrain, the approval,
    every change of the alarm to ALARM and its cause, the baseline the schedule ends with, and the
    newest monitoring run of each endpoint."""
    from . import workshop
    from .analyzer.monitor import not_evaluated_part
    from .backends import session

    sess = session("local", root)
    lines = _production_lines(sess) + _approval_lines(sess) + _alarm_lines(sess)
    runs = workshop.monitoring_executions(sess)
    by_endpoint: dict[str, list] = {}
    for run in runs:  # newest first
        by_endpoint.setdefault(run.raw.get("EndpointName", "?"), []).append(run)
    for endpoint, own in by_endpoint.items():
        newest = own[0]
        why = f" ({newest.failure_reason})" if newest.failure_reason else ""
        lines.append(f"monitoring runs         : {len(own)} on {endpoint}; newest {newest.scheduled:%Y-%m-%d %H:%M} "
                     f"{newest.status}{why}")
        if newest.status in ("Completed", "CompletedWithViolations") and newest.processing_job_arn:
            skipped = not_evaluated_part(workshop.processing_job(sess, newest.processing_job).exit_message)
            if skipped:  # checks the baseline could not feed are said, never left out in silence
                lines.append(f"  not evaluated         : {skipped}")
    return "\n".join(lines)


def _production_lines(sess) -> list[str]:
    from . import workshop

    current = workshop.pipeline_execution_id(sess)
    pages = sess.client("codepipeline").get_paginator("list_pipeline_executions").paginate(
        pipelineName=sess.names.pipeline_name)
    done = sorted((e for p in pages for e in p["pipelineExecutionSummaries"] if e["status"] == "Succeeded"),
                  key=lambda e: e["startTime"])
    ids = [e["pipelineExecutionId"] for e in done]
    before = ids[ids.index(current) - 1] if current in ids and ids.index(current) > 0 else None
    lines = [f"production execution    : {current} (endpoint {workshop.job_names(sess, current).endpoint})"]
    if before is not None:
        trigger = next(e for e in done if e["pipelineExecutionId"] == current).get("trigger", {}).get("triggerType", "?")
        lines = [f"production before retrain: {before} (endpoint {workshop.job_names(sess, before).endpoint})",
                 f"production after retrain : {current} (endpoint {workshop.job_names(sess, current).endpoint}, "
                 f"started by {trigger})"]
    return lines


def _approval_lines(sess) -> list[str]:
    from . import workshop

    found = workshop.pipeline_approval(sess)
    if found is None:
        return ["approval                : none has run"]
    if found.waiting:
        return [f"approval                : {found.action} of {found.execution_id} waits (token {found.token})"]
    return [f"approval                : {found.action} of {found.execution_id} {found.status} "
            f"at {found.changed:%Y-%m-%d %H:%M} by {found.decided_by}: {found.summary!r}"]


def _alarm_lines(sess) -> list[str]:
    """Every change of the drift alarm to ALARM in the run, each with what set it off, then the
    baseline the schedule ends with."""
    from . import workshop

    causes = workshop.alarm_causes(sess)
    state = workshop.alarm_state(sess).get("StateValue", "?")
    if not causes:
        lines = [f"drift alarm             : never in ALARM; now {state}"]
    else:
        lines = [f"drift alarm             : went to ALARM {len(causes)} time(s); now {state}"]
        lines += [f"  to ALARM at {c.change.when:%Y-%m-%d %H:%M:%S}: {c.explain()}" for c in causes]
    in_use = workshop.baseline_in_use(sess)
    return lines + [f"schedule's baseline     : {in_use.constraints_uri or '(none)'}", f"  that is {in_use.explain()}"]

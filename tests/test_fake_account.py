"""Every notebook with backend="aws" in a fake account laid out like each variant of the original.

The account is moto plus answers built from botocore's output model and the spec (see
``fake_account``); no socket leaves the machine and no DNS name is resolved. A notebook's code
cells run in order in one namespace in this process (so the fake account answers them), with
the parameters cell followed by the test's parameters, as papermill injects them. Each notebook
must finish, or stop with the sentence it documents for that situation.
"""

from __future__ import annotations

import re

import jupytext
import pytest
from fake_account import LAYOUTS, T0, fake_environment, lay_out
from moto import mock_aws

from helpers.runner import NOTEBOOKS

# notebook -> None (finishes) or the sentence (a regex) it stops with in this fake account
STOPS: dict[str, str | None] = {
    # the fixed traffic reaches the capture minutes later on AWS (moto writes none): the
    # markdown says to wait; the check then says what the service says of an empty hour
    "13_visualize_violations": r"NoDataError: Job inputs had no data",
    # the fix sends requests to the production endpoint and repoints the schedule: asked first
    "13b_fix_the_baseline": r"RuntimeError: On AWS the next steps send requests to your production endpoint .* "
                            r"set confirm_update = True in the parameters cell to go on\.",
    # the bad traffic goes to the production endpoint: asked first
    "13c_break_it_on_purpose": r"RuntimeError: On AWS the next step sends \d+ requests, some malformed, to your "
                               r"production endpoint .* set confirm_traffic = True in the parameters cell to go on\.",
    # publishing a value above the threshold starts a real, paid retrain: asked first (so the
    # fake account, whose alarms are never evaluated, is never waited on)
    "14_custom_metric_alarm": r"On AWS the next step starts a real, paid retrain .* set confirm_retrain = True "
                              r"in the parameters cell to go on\.",
    "15_alarm_and_retrain": r"RuntimeError: the alarm has not been in ALARM: run notebook 14 first",
}


class NotebookStopped(Exception):
    """A notebook cell raised: which notebook, which cell, and the exception."""


def run_in_process(path, parameters: dict, workdir) -> dict:
    """Execute a notebook's code cells in order; the namespace it ends with."""
    notebook = jupytext.read(path)
    namespace: dict = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    for index, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        try:
            exec(compile(cell.source, f"{path.name}, code cell {index}", "exec"), namespace)  # noqa: S102
        except Exception as err:
            raise NotebookStopped(f"{path.stem} cell {index}: {type(err).__name__}: {err}") from err
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
    return namespace


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def account(request, tmp_path_factory):
    """One fake account per variant, shared by the notebooks run in it (in order)."""
    tmp = tmp_path_factory.mktemp(f"account-{request.param}")
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.chdir(tmp)
        answers = fake_environment(monkeypatch, tmp)
        lay_out(LAYOUTS[request.param], answers, tmp)
        yield LAYOUTS[request.param], tmp


def notebooks():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*.py"))


def run_in_order(paths, parameters: dict, workdir) -> tuple[dict, dict]:
    """Run the notebooks in order: (stem -> None or the stop's text, stem -> namespace of those that finished)."""
    outcomes, namespaces = {}, {}
    for path in paths:
        try:
            namespaces[path.stem] = run_in_process(path, parameters, workdir)
            outcomes[path.stem] = None
        except NotebookStopped as stop:
            outcomes[path.stem] = str(stop)
    return outcomes, namespaces


def not_as_documented(outcomes: dict) -> dict:
    """The notebooks that stopped where STOPS says they finish, finished or stopped otherwise."""
    return {name: got for name, got in outcomes.items()
            if (STOPS.get(name) is None and got is not None)
            or (STOPS.get(name) is not None and (got is None or not re.search(STOPS[name], got)))}


@pytest.mark.slow
def test_every_notebook_finishes_or_stops_as_documented(account):
    layout, tmp = account
    outcomes, _ = run_in_order(notebooks(), {"backend": "aws"}, tmp)
    wrong = not_as_documented(outcomes)
    assert not wrong, f"{layout.variant}: {wrong}"


def test_names_are_discovered_not_assumed(account):
    from helpers import session

    layout, _ = account
    sess = session("aws")
    assert (sess.region, sess.region_source.split(" in ")[0]) == ("eu-west-1", "profile 'default'")
    n = sess.names
    assert (n.pipeline_name, n.capture_prefix, n.variant_name, n.reports_prefix, n.retrain_rule) == (
        layout.pipeline, layout.capture_uri, layout.variant_name, layout.reports_uri, layout.rule)
    assert all(f.found for f in sess.discovery.findings), sess.discovery.findings


def test_the_capture_hour_is_read_by_its_prefix(account):
    from helpers import session
    from helpers import workshop as w

    layout, tmp = account
    sess = session("aws")
    seen = []
    sess.client("s3").meta.events.register("before-parameter-build.s3.ListObjectsV2", lambda params, **_: seen.append(params["Prefix"]))
    files = w.download_capture_hour(sess, layout.endpoint, T0.replace(hour=9), tmp / "hour")
    assert len(files) == 1 and seen == [f"{layout.prefix}/datacapture/{layout.endpoint}/{layout.variant_name}/2021/06/07/09/"]

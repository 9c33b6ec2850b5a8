"""The notebooks: paired with their .py, outputs stripped, and every one runs on the twin."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers.runner import NOTEBOOKS, run_notebook, workshop_notebooks

PAIRS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _step(stem: str) -> str:
    """A notebook's step: two digits, and a letter for a sub-step that follows it (13b, 13c)."""
    match = re.match(r"^(\d{2}[a-z]?)_[a-z0-9_]+$", stem)
    assert match, f"{stem}: expected NN_name or NNx_name (a sub-step), e.g. 13b_fix_the_baseline"
    return match.group(1)


def test_every_step_has_a_notebook():
    stems = [p.stem for p in PAIRS]
    assert stems[0] == "00_setup" and stems[-1] == "99_cleanup"
    steps = [_step(s) for s in stems]
    assert sorted({s[:2] for s in steps}) == [f"{i:02d}" for i in range(17)] + ["99"]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert "13b" in steps  # the fix that reaches the schedule


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.stem)
def test_pairs_agree_and_outputs_are_stripped(path):
    import jupytext

    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs committed"
    paired = jupytext.read(path.with_suffix(".py"))
    ours = [(c.cell_type, c.source.strip()) for c in nb.cells]
    theirs = [(c.cell_type, c.source.strip()) for c in paired.cells]
    assert ours == theirs, "run `jupytext --sync notebooks/*.py`"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "backend" in tagged[0].source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {_step(path.stem)} · ")
    assert "What you should see" in markdown and "What you learned" in markdown


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                pytest.fail(f"error output: {out.get('ename')}: {out.get('evalue')}")
            parts.append(out.get("text", "") or json.dumps(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def workshop_run(built_twin, tmp_path_factory):
    """Notebooks 00 to 16 executed in order, each in its own kernel, on a copy of the twin."""
    root = tmp_path_factory.mktemp("nbtwin") / "ws"
    shutil.copytree(built_twin, root)
    out = tmp_path_factory.mktemp("executed")
    executed = {p.stem: nbformat.read(run_notebook(p, out, {"backend": "local", "workspace": str(root)}), as_version=4)
                for p in workshop_notebooks()}
    return root, executed


@pytest.fixture(scope="module")
def executed(workshop_run):
    """The executed notebooks by name, in the order they ran."""
    return workshop_run[1]


@pytest.mark.slow
def test_every_notebook_runs_without_an_error(executed):
    assert list(executed) == [p.stem for p in workshop_notebooks()] and len(executed) >= 18
    for name, nb in executed.items():
        _text(nb)  # fails on any error output
        assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code" and c.source.strip()), name


@pytest.mark.slow
def test_notebook_13_shows_the_two_violations_and_the_fix(executed):
    text = _text(executed["13_visualize_violations"])
    assert "passenger_count: data_type_check: Data type match requirement is not met. Expected data type: Integral" in text
    assert re.search(r"total_amount: baseline_drift_check: Baseline drift distance: 0\.1\d+ exceeds threshold: 0\.1", text)
    assert "re-run on 100 records: Completed: Job completed successfully with no violations." in text


@pytest.mark.slow
def test_notebook_13b_fix_reaches_the_schedule(executed):
    text = _text(executed["13b_fix_the_baseline"])
    assert re.search(r"baseline-predictions-\d+: Completed \(Completed: Job completed successfully with no violations\.\)", text)
    assert "comparison_threshold on S3 now: 0.2" in text
    assert re.search(r"execution scheduled \S+ \S+ UTC: Completed\n0 violations in ", text)
    assert "the 2021 body: " in text and re.search(r"the fixed body: [\d.]+,\d+,[\d.]+\n", text)


@pytest.mark.slow
def test_notebook_14_waits_for_the_alarm(executed):
    text = _text(executed["14_custom_metric_alarm"])
    assert "'Period': 60" in text and "'TreatMissingData': 'missing'" in text
    assert re.search(r"after: ALARM at \S+ \| Threshold Crossed: 1 datapoint \[0\.25 ", text)


@pytest.mark.slow
def test_notebook_15_retrain_waits_for_approval(executed):
    text = _text(executed["15_alarm_and_retrain"])
    assert "the alarm went to ALARM at " in text and "CloudWatchEvent" in text
    assert re.search(r"DeployDev/ApproveDeploy of \S+: InProgress, token [0-9a-f-]{36}", text)
    was, now = re.search(r"production was (\S+)\s+production is  (\S+) \(Succeeded\)", text).groups()
    assert was != now
    assert f"schedule now watches: mlops-nyctaxi-prd-{now}" in text


@pytest.mark.slow
def test_notebook_16_every_panel_has_data(executed):
    text = _text(executed["16_cloudwatch_dashboard"])
    assert "arn:aws:cloudwatch::123456789012:dashboard/mlops-nyctaxi-monitoring" in text
    assert "panels without data: none" in text
    assert "endpoints on the invocations panel: 2" in text  # before and after the retrain
    figures = [o for c in executed["16_cloudwatch_dashboard"].cells for o in c.get("outputs", [])
               if "image/png" in o.get("data", {})]
    assert figures, "the dashboard was not drawn"


@pytest.mark.slow
def test_summary_names_two_production_executions(workshop_run):
    from helpers.runner import summary

    text = summary(workshop_run[0])
    before = re.search(r"production before retrain: (\S+)", text).group(1)
    after = re.search(r"production after retrain : (\S+) .*started by CloudWatchEvent", text).group(1)
    assert before != after
    assert re.search(r"approval +: ApproveDeploy of \S+ Succeeded at ", text)
    assert re.search(r"drift alarm +: went to ALARM at ", text)
    assert len(re.findall(r"monitoring runs +: \d+ on mlops-nyctaxi-prd-", text)) == 2


def test_notebook_paths_find_the_package(tmp_path):
    """The first code cell finds `helpers` from notebooks/ and from build/notebooks/."""
    source = (NOTEBOOKS / "01_fetch_execution_id.py").read_text()
    assert 'if (p / "helpers").is_dir()), None)' in source
    assert Path(NOTEBOOKS.parent / "helpers").is_dir()


def test_a_failing_cell_is_named(tmp_path):
    from helpers.runner import NotebookFailed

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("backend = 'local'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('the twin is not built')"),
    ])
    path = tmp_path / "07_broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookFailed, match=r"^07_broken.ipynb: cell 2 \(raise ValueError\('the twin is not built'\)\) failed: ValueError: the twin is not built$"):
        run_notebook(path, tmp_path / "out", {"backend": "local"})
    assert (tmp_path / "out" / "07_broken.ipynb").exists()  # the partly executed copy is kept

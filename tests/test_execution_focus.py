"""The execution steps 10 to 13 look at, the report folder, the HTML fallback and the loop picture."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpers import workshop
from helpers.backends import session


def _sess(twin):
    return session("local", twin.ws.root)


def test_the_newest_execution_with_a_report_is_chosen_and_failed_ones_are_skipped(twin_copy, tmp_path):
    sess = _sess(twin_copy)
    hour = twin_copy.ws.now().replace(minute=0, second=0, microsecond=0)
    with twin_copy.ws.exclusive():  # an hour with no traffic (the twin's client kept away): its execution fails
        twin_copy.traffic.keep_quiet(hour + timedelta(hours=1))
        twin_copy.advance(hour + timedelta(hours=2, minutes=15))
    executions = workshop.monitoring_executions(sess)
    assert executions[0].status == "Failed" and executions[0].failure_reason == "Job inputs had no data"
    focus = workshop.execution_in_focus(sess, tmp_path)
    assert focus.execution.status in workshop.REPORTED and not focus.recorded
    assert focus.execution == next(e for e in executions if e.status in workshop.REPORTED)
    assert [e.scheduled for e in focus.skipped] == [e.scheduled for e in executions if e.scheduled > focus.execution.scheduled]
    assert "skipped" in focus.explain() and "Job inputs had no data" in focus.explain()


def test_the_execution_09_recorded_wins_while_it_belongs_to_production(twin_copy, tmp_path):
    sess = _sess(twin_copy)
    reported = [e for e in workshop.monitoring_executions(sess) if e.status in workshop.REPORTED]
    older = reported[-1]
    endpoint = workshop.production_names(sess).endpoint
    workshop.record_execution(sess, older, endpoint, tmp_path)
    focus = workshop.execution_in_focus(sess, tmp_path)
    assert focus.recorded and focus.execution.processing_job == older.processing_job
    # a record for another endpoint (before a retrain) is ignored
    workshop.record_execution(sess, older, "mlops-nyctaxi-prd-somewhere-else", tmp_path)
    assert workshop.execution_in_focus(sess, tmp_path).execution == reported[0]
    # a damaged state file is ignored too
    workshop.state_file(tmp_path).write_text("{not json")
    assert workshop.execution_in_focus(sess, tmp_path).execution == reported[0]


def test_no_report_yet_stops_with_a_sentence(twin_copy, tmp_path):
    sess = session("local", twin_copy.ws.root, schedule_name="a-schedule-that-never-ran")
    with pytest.raises(workshop.StepNotReady, match=r"has finished with a report \(it has not run yet\): run notebook 09 first"):
        workshop.execution_in_focus(sess, tmp_path)
    err = workshop.StepNotReady("run notebook 09 first")
    assert err._render_traceback_() == ["Not ready: run notebook 09 first"]  # what Jupyter shows


def test_download_reports_leaves_only_this_executions_files(twin_copy, tmp_path):
    sess = _sess(twin_copy)
    folder = tmp_path / "latest"
    folder.mkdir()
    (folder / "stale.json").write_text("{}")
    execution = workshop.execution_in_focus(sess, tmp_path).execution
    paths = workshop.download_reports(sess, workshop.report_uri(sess, execution), folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths) == [
        "constraint_violations.json", "constraints.json", "statistics.json"]


def test_the_model_reads_an_empty_field_as_missing_and_refuses_text(twin_copy):
    """As the XGBoost container's csv_to_dmatrix: '' becomes NaN; 'unknown' is a 400."""
    from botocore.exceptions import ClientError

    sess = _sess(twin_copy)
    runtime = sess.client("sagemaker-runtime")
    endpoint = workshop.production_names(sess).endpoint
    answer = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body="12.5,,3.1")
    assert float(answer["Body"].read().decode()) > 0
    with pytest.raises(ClientError, match="ModelError"):
        runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body="unknown,1,3.1")


def _picker_notebook(labels: list[str], index: int | None, description: str, shown: dict):
    """A notebook whose one cell shows a picker widget (a dropdown over an output area), as executed."""
    import nbformat

    from helpers.htmlexport import WIDGET_VIEW

    state = {"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_pick", "IPY_MODEL_out"]}},
             "pick": {"model_name": "DropdownModel", "state": {"_options_labels": labels, "index": index,
                                                                "description": description}},
             "out": {"model_name": "OutputModel", "state": {"outputs": [shown]}}}
    cell = nbformat.v4.new_code_cell("picker()", outputs=[nbformat.from_dict(
        {"output_type": "display_data", "metadata": {}, "data": {WIDGET_VIEW: {"model_id": "box"}, "text/plain": "VBox()"}})])
    return nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {
        "application/vnd.jupyter.widget-state+json": {"state": state}}})


def test_widgets_get_a_static_fallback_in_html():
    from helpers.htmlexport import static_widget_outputs

    png = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}
    nb = _picker_notebook(["a", "b"], 1, "feature", png)
    assert static_widget_outputs(nb) == 1
    outs = nb.cells[0].outputs
    assert outs[0]["text"].startswith("feature: b (a static copy; run the notebook to pick another of 2)")
    assert outs[1]["data"]["image/png"] == "iVBORw0KGgo="
    assert "widgets" not in nb.metadata


def test_the_loop_picture_names_every_stage_in_order():
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation

    from helpers.architecture import LOOP, loop_figure

    assert [s.title for s in LOOP] == ["capture", "schedule", "reports", "metrics", "alarm", "rule", "pipeline", "approval"]
    import json

    from helpers.config import ASSETS

    alarm = json.loads((ASSETS / "drift-alarm.template.json").read_text())["Resources"]["DriftAlarm"]["Properties"]
    assert f"> {alarm['Threshold']:g}" in LOOP[4].detail and f"of {alarm['Period']} s" in LOOP[4].detail
    schedule = json.loads((ASSETS / "monitoring-schedule.template.json").read_text())["Resources"]["MonitoringSchedule"]
    assert schedule["Properties"]["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] in LOOP[1].detail
    fig = loop_figure()
    texts = [t.get_text() for t in fig.axes[0].texts]
    for i, stage in enumerate(LOOP):
        assert any(t.startswith(f"{i + 1}. {stage.title}\n{stage.service}") for t in texts), stage
    arrows = [a for a in fig.axes[0].texts if isinstance(a, Annotation)]
    assert len(arrows) == len(LOOP)  # a closed ring: one arrow out of every stage
    plt.close(fig)


def test_a_picker_with_nothing_chosen_says_so_in_html():
    """13's execution picker starts with none chosen (its table would repeat the one above it):
    the static copy says so and shows only the picker's own line, no second table."""
    from helpers.htmlexport import static_widget_outputs

    line = {"output_type": "stream", "name": "stdout", "text": "Choose one of 3 finished executions to see its table.\n"}
    nb = _picker_notebook(["a", "b", "c"], None, "execution", line)
    assert static_widget_outputs(nb) == 1
    assert [o["text"] for o in nb.cells[0].outputs] == [
        "execution: none chosen (a static copy; run the notebook to pick one of 3)\n", line["text"]]

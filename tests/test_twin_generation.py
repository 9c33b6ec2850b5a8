"""The twin's container generation: recorded in the workspace, used by its baseline and
monitoring jobs. Generation: current by default; 2021 where a test sets it."""

from __future__ import annotations

import json

from helpers.cli import _parser
from helpers.formats import Container
from helpers.twin.estate import Twin


def _reports(twin: Twin, name: str) -> list[tuple[str, dict]]:
    found = [o.key for o in twin.ws.list_objects(twin.bucket) if o.key.endswith("/" + name)]
    return [(key, json.loads(twin.ws.get_object(twin.bucket, key))) for key in sorted(found)]


def _numeric_keys(stats: dict) -> set[str]:
    return {k for f in stats["features"] if "numerical_statistics" in f for k in f["numerical_statistics"]}


def test_the_twin_writes_todays_generation_by_default(built_twin):
    twin = Twin.open(built_twin)
    assert twin.core.container is Container.CURRENT
    assert "container   current" in twin.status()
    stats = _reports(twin, "statistics.json")
    baselines = [s for key, s in stats if "/monitoring/baseline/" in key]
    monitoring = [s for key, s in stats if "/monitoring/baseline/" not in key]
    assert baselines and monitoring
    for document in baselines + monitoring:
        assert {"approximate_num_distinct_values", "completeness"} <= _numeric_keys(document)
    for _, cons in _reports(twin, "constraints.json"):
        assert cons["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] == "LInfinity"


def test_a_twin_set_to_2021_runs_its_jobs_in_that_layout(twin_copy):
    twin_copy.ws.set_meta("container", "2021")
    assert Twin.open(twin_copy.ws.root).core.container is Container.V2021
    before = {key for key, _ in _reports(twin_copy, "statistics.json")}
    twin_copy.run_hours(1)
    new = [s for key, s in _reports(twin_copy, "statistics.json") if key not in before]
    assert new and all(not ({"approximate_num_distinct_values", "completeness"} & _numeric_keys(s)) for s in new)


def test_twin_up_takes_the_switch():
    assert _parser().parse_args(["twin", "up", "--container", "2021"]).container == "2021"
    assert _parser().parse_args(["twin", "up"]).container == "current"

"""The infrastructure in assets/, resolved into the properties an API call takes.

The templates are the single source of truth: CloudFormation deploys them on AWS, and the twin
and the notebooks read the same files. ``resolve`` understands the intrinsics the templates use
(``Ref``, ``Fn::Sub`` and the ``AWS::`` pseudo parameters), nothing more.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template
from typing import Any

from .config import ASSETS

__all__ = ["dashboard_body", "resource_properties"]

_SUB = re.compile(r"\$\{([A-Za-z0-9:]+)\}")


def _load(name: str) -> dict:
    return json.loads((ASSETS / name).read_text())


def resource_properties(template: str, parameters: dict[str, Any], *, region: str, account_id: str) -> dict:
    """The properties of the template's one resource, with parameters filled in."""
    doc = _load(template)
    declared = doc.get("Parameters", {})
    values = {name: spec["Default"] for name, spec in declared.items() if "Default" in spec}
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(f"{template}: unknown parameters {unknown}; it declares {sorted(declared)}")
    values.update(parameters)
    missing = sorted(set(declared) - set(values))
    if missing:
        raise ValueError(f"{template}: parameters {missing} need values")
    values.update({"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": "aws"})
    (resource,) = doc["Resources"].values()
    return _resolve(resource["Properties"], values)


def _resolve(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return values[node["Ref"]]
        if set(node) == {"Fn::Sub"}:
            return _SUB.sub(lambda m: str(values[m.group(1)]), node["Fn::Sub"])
        return {k: _resolve(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, values) for v in node]
    return node


def dashboard_body(*, region: str, account_id: str, endpoint: str, variant: str, schedule: str,
                   alarm: str, path: str | Path | None = None) -> str:
    """The dashboard body template with the estate's names filled in (a JSON string)."""
    text = Path(path).read_text() if path else (ASSETS / "dashboard-body.json").read_text()
    filled = Template(text).substitute(Region=region, AccountId=account_id, EndpointName=endpoint,
                                       VariantName=variant, ScheduleName=schedule, AlarmName=alarm)
    return json.dumps(json.loads(filled))

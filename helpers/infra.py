"""The infrastructure in assets/, resolved into the properties an API call takes.

The templates are the single source of truth: CloudFormation deploys them on AWS, and the twin
and the notebooks read the same files. ``resolve`` understands the intrinsics the templates use
(``Ref``, ``Fn::Sub``, ``Fn::FindInMap``, ``Fn::If`` on ``Fn::Equals``/``Fn::Not`` conditions,
``Fn::GetAtt`` of a role's ``Arn``, and the ``AWS::`` pseudo parameters), nothing more.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template
from typing import Any

from .config import ASSETS

__all__ = ["dashboard_body", "resource_properties", "template_resources"]

_SUB = re.compile(r"\$\{([A-Za-z0-9:.]+)\}")
_NO_VALUE = object()  # AWS::NoValue: the property is left out


def _load(name: str) -> dict:
    return json.loads((ASSETS / name).read_text())


def template_resources(template: str, parameters: dict[str, Any], *, region: str, account_id: str) -> dict[str, dict]:
    """Every resource of the template, ``{logical id: {"Type", "Properties"}}``, parameters filled in."""
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
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    values.update({"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": partition,
                   "AWS::URLSuffix": suffix, "AWS::NoValue": _NO_VALUE})
    context = _Context(values, doc.get("Mappings", {}), {}, doc.get("Resources", {}))
    context.conditions = {name: _condition(spec, context) for name, spec in doc.get("Conditions", {}).items()}
    return {name: {"Type": r["Type"], "Properties": _resolve(r.get("Properties", {}), context)}
            for name, r in doc["Resources"].items()}


def resource_properties(template: str, parameters: dict[str, Any], *, region: str, account_id: str,
                        resource: str | None = None) -> dict:
    """The properties of one resource of the template (its only one, or the one named)."""
    resources = template_resources(template, parameters, region=region, account_id=account_id)
    if resource is None:
        if len(resources) != 1:
            raise ValueError(f"{template} has resources {sorted(resources)}: name one")
        (resource,) = resources
    return resources[resource]["Properties"]


class _Context:
    def __init__(self, values: dict, mappings: dict, conditions: dict, resources: dict):
        self.values, self.mappings, self.conditions, self.resources = values, mappings, conditions, resources


def _condition(node: Any, ctx: _Context) -> bool:
    (name, args), = node.items()
    if name == "Fn::Equals":
        left, right = (_resolve(a, ctx) for a in args)
        return left == right
    if name == "Fn::Not":
        return not _condition(args[0], ctx)
    if name == "Condition":
        return ctx.conditions[args]
    raise ValueError(f"unsupported condition {name}")


def _get_att(logical: str, attribute: str, ctx: _Context) -> str:
    """A role's Arn from its RoleName and Path, as IAM forms it; nothing else is supported."""
    resource = ctx.resources[logical]
    if resource["Type"] != "AWS::IAM::Role" or attribute != "Arn" or "RoleName" not in resource["Properties"]:
        raise ValueError(f"unsupported Fn::GetAtt {logical}.{attribute}")
    props = resource["Properties"]
    path = _resolve(props.get("Path", "/"), ctx)
    return f"arn:{ctx.values['AWS::Partition']}:iam::{ctx.values['AWS::AccountId']}:role{path}{_resolve(props['RoleName'], ctx)}"


def _sub(node: Any, ctx: _Context) -> str:
    text, extra = (node, {}) if isinstance(node, str) else (node[0], {k: _resolve(v, ctx) for k, v in node[1].items()})

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in extra:
            return str(extra[name])
        if "." in name:
            return _get_att(*name.split(".", 1), ctx)
        return str(ctx.values[name])

    return _SUB.sub(value, text)


def _resolve(node: Any, ctx: _Context) -> Any:
    if isinstance(node, dict):
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return ctx.values[arg]
            if key == "Fn::Sub":
                return _sub(arg, ctx)
            if key == "Fn::FindInMap":
                name, first, second = (_resolve(a, ctx) for a in arg)
                return ctx.mappings[name][first][second]
            if key == "Fn::If":
                return _resolve(arg[1] if ctx.conditions[arg[0]] else arg[2], ctx)
            if key == "Fn::GetAtt":
                return _get_att(*arg, ctx)
        resolved = {k: _resolve(v, ctx) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
    if isinstance(node, list):
        return [v for v in (_resolve(v, ctx) for v in node) if v is not _NO_VALUE]
    return node


def dashboard_body(*, region: str, account_id: str, endpoint: str, variant: str, schedule: str,
                   alarm: str, path: str | Path | None = None) -> str:
    """The dashboard body template with the estate's names filled in (a JSON string)."""
    text = Path(path).read_text() if path else (ASSETS / "dashboard-body.json").read_text()
    filled = Template(text).substitute(Region=region, AccountId=account_id, EndpointName=endpoint,
                                       VariantName=variant, ScheduleName=schedule, AlarmName=alarm)
    return json.dumps(json.loads(filled))

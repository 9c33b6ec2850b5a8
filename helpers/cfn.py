"""A CloudFormation template of assets/ resolved as CloudFormation would, for boto3 to deploy.

So a stack and the boto3 calls that make the same resources read one definition. It understands
the intrinsics the multi-resource templates use: ``Ref`` (parameters, pseudo parameters,
``AWS::NoValue`` and resources' names), ``Fn::GetAtt`` of a role's ``Arn``, ``Fn::Sub`` (both
forms), ``Fn::FindInMap``, ``Fn::If`` with ``Conditions`` (``Fn::Equals``, ``Fn::Not``,
``Fn::And``, ``Fn::Or``) and ``Fn::ToJsonString`` (AWS::LanguageExtensions); anything else is
an error naming the template and the function.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .config import ASSETS

__all__ = ["TemplateResource", "resolve_template"]

_SUB = re.compile(r"\$\{([A-Za-z0-9:.]+)\}")
_NO_VALUE = object()
_NAME_PROPERTY = {"AWS::IAM::Role": "RoleName", "AWS::Scheduler::Schedule": "Name"}


@dataclass(frozen=True)
class TemplateResource:
    type: str
    properties: dict[str, Any]


def resolve_template(template: str, parameters: dict[str, Any], *, region: str, account_id: str,
                     partition: str = "aws") -> dict[str, TemplateResource]:
    """Every resource of ``template`` (a file in assets/) with its properties resolved."""
    doc = json.loads((ASSETS / template).read_text())
    declared = doc.get("Parameters", {})
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(f"{template}: unknown parameters {unknown}; it declares {sorted(declared)}")
    values = {name: spec["Default"] for name, spec in declared.items() if "Default" in spec}
    values.update({k: v for k, v in parameters.items() if v is not None})
    missing = sorted(set(declared) - set(values))
    if missing:
        raise ValueError(f"{template}: parameters {missing} need values")
    for name, spec in declared.items():
        allowed, pattern = spec.get("AllowedValues"), spec.get("AllowedPattern")
        if (allowed and values[name] not in allowed) or (pattern and not re.fullmatch(pattern, str(values[name]))):
            raise ValueError(f"{template}: parameter {name}={values[name]!r} is not allowed "
                             f"({'one of ' + str(allowed) if allowed else 'pattern ' + pattern})")
    values.update({"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": partition})
    resolver = _Resolver(template, doc, values)
    resources = doc["Resources"]
    for logical, body in resources.items():  # names first: other resources refer to them
        prop = _NAME_PROPERTY.get(body["Type"])
        if prop and prop in body["Properties"]:
            resolver.names[logical] = resolver.resolve(body["Properties"][prop])
    return {logical: TemplateResource(body["Type"], resolver.resolve(body["Properties"]))
            for logical, body in resources.items()}


class _Resolver:
    def __init__(self, template: str, doc: dict, values: dict[str, Any]):
        self.template, self.doc, self.values = template, doc, values
        self.names: dict[str, str] = {}
        self.conditions = {name: self.condition(body) for name, body in doc.get("Conditions", {}).items()}

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{self.template}: {what} is not understood by helpers.cfn")

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.resolve(item) for item in node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self.intrinsic(key, arg)
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in node.items()) if v is not _NO_VALUE}

    def intrinsic(self, key: str, arg: Any) -> Any:
        if key == "Ref":
            return self.ref(arg)
        if key == "Fn::GetAtt":
            logical, attribute = arg
            if attribute != "Arn" or self.doc["Resources"][logical]["Type"] != "AWS::IAM::Role":
                raise self.fail(f"Fn::GetAtt {logical}.{attribute}")
            return f"arn:{self.values['AWS::Partition']}:iam::{self.values['AWS::AccountId']}:role/{self.names[logical]}"
        if key == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
            return _SUB.sub(lambda m: str(local[m.group(1)] if m.group(1) in local else self.ref(m.group(1))), text)
        if key == "Fn::FindInMap":
            mapping, first, second = (self.resolve(a) for a in arg)
            try:
                return self.doc["Mappings"][mapping][first][second]
            except KeyError:
                raise ValueError(f"{self.template}: no {mapping}.{first}.{second} (is the region supported?)") from None
        if key == "Fn::If":
            name, yes, no = arg
            return self.resolve(yes if self.conditions[name] else no)
        if key == "Fn::ToJsonString":
            return json.dumps(self.resolve(arg), separators=(",", ":"))
        raise self.fail(key)

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.values:
            return self.values[name]
        if name in self.names:
            return self.names[name]
        raise self.fail(f"Ref {name}")

    def condition(self, node: Any) -> bool:
        (key, arg), = node.items()
        if key == "Fn::Equals":
            return self.resolve(arg[0]) == self.resolve(arg[1])
        if key == "Fn::Not":
            return not self.condition(arg[0])
        if key == "Fn::And":
            return all(self.condition(a) for a in arg)
        if key == "Fn::Or":
            return any(self.condition(a) for a in arg)
        raise self.fail(f"condition {key}")

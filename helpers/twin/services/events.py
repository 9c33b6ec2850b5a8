"""Amazon EventBridge: rules, targets, and delivery of events that match a rule's pattern."""

from __future__ import annotations

import json
from typing import Any

from ..api import TwinError
from ..store import Workspace
from .pagination import page


def matches(pattern: Any, event: Any) -> bool:
    """EventBridge pattern matching for the forms the workshop uses: value lists, nesting,
    ``prefix`` and ``anything-but``."""
    if isinstance(pattern, dict):
        if not isinstance(event, dict):
            return False
        return all(key in event and matches(sub, event[key]) for key, sub in pattern.items())
    if isinstance(pattern, list):
        return any(_value_matches(option, event) for option in pattern)
    return pattern == event


def _value_matches(option: Any, value: Any) -> bool:
    if isinstance(value, list):
        return any(_value_matches(option, v) for v in value)
    if isinstance(option, dict):
        if "prefix" in option:
            return isinstance(value, str) and value.startswith(option["prefix"])
        if "anything-but" in option:
            banned = option["anything-but"]
            return value not in (banned if isinstance(banned, list) else [banned])
        return False
    return option == value


class Events:
    def __init__(self, workspace: Workspace, deliver=None):
        self.ws = workspace
        self.deliver = deliver  # callable(rule, target, event) that runs a target

    def _rule(self, name: str) -> dict:
        rule = self.ws.resource("rule", name)
        if rule is None:
            raise TwinError("ResourceNotFoundException", f"Rule {name} does not exist on EventBus default.")
        return rule

    def PutRule(self, params: dict) -> dict:
        name = params["Name"]
        if "EventPattern" not in params and "ScheduleExpression" not in params:
            raise TwinError("ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if "EventPattern" in params:
            try:
                json.loads(params["EventPattern"])
            except ValueError:
                raise TwinError("InvalidEventPatternException", "Event pattern is not valid.") from None
        old = self.ws.resource("rule", name) or {}
        rule = {"Name": name, "Arn": f"arn:aws:events:{self.ws.region}:{self.ws.account_id}:rule/{name}",
                "State": params.get("State", "ENABLED"), "EventBusName": "default",
                **{k: params[k] for k in ("EventPattern", "ScheduleExpression", "Description", "RoleArn") if k in params},
                "Targets": old.get("Targets", [])}
        self.ws.put_resource("rule", name, rule)
        return {"RuleArn": rule["Arn"]}

    def PutTargets(self, params: dict) -> dict:
        rule = self._rule(params["Rule"])
        targets = {t["Id"]: t for t in rule["Targets"]}
        targets.update({t["Id"]: t for t in params["Targets"]})
        rule["Targets"] = list(targets.values())
        self.ws.put_resource("rule", rule["Name"], rule)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def ListRules(self, params: dict) -> dict:
        prefix = params.get("NamePrefix", "")
        rules = [{k: v for k, v in r.items() if k != "Targets"} for r in self.ws.resources("rule")
                 if r["Name"].startswith(prefix)]
        rules.sort(key=lambda r: r["Name"])
        chunk, token = page(rules, params.get("Limit", 100), params.get("NextToken"))
        return {"Rules": chunk, **({"NextToken": token} if token else {})}

    def DescribeRule(self, params: dict) -> dict:
        return {k: v for k, v in self._rule(params["Name"]).items() if k != "Targets"}

    def ListTargetsByRule(self, params: dict) -> dict:
        targets = self._rule(params["Rule"])["Targets"]
        chunk, token = page(targets, params.get("Limit", 100), params.get("NextToken"))
        return {"Targets": chunk, **({"NextToken": token} if token else {})}

    def publish(self, event: dict) -> list[str]:
        """Deliver an event to the targets of every enabled rule it matches; their ARNs."""
        delivered = []
        for rule in self.ws.resources("rule"):
            if rule.get("State") != "ENABLED" or "EventPattern" not in rule:
                continue
            if matches(json.loads(rule["EventPattern"]), event):
                for target in rule["Targets"]:
                    if self.deliver is not None:
                        self.deliver(rule, target, event)
                    delivered.append(target["Arn"])
        return delivered

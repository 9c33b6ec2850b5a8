"""Notebook 00 on AWS: what the chapter needs, checked before step 1 (and what to do when missing).

One table: the region and where it came from, who is calling, each resource found by discovery
(or not, with what to do), the IAM permissions the chapter uses checked with
``iam:SimulatePrincipalPolicy`` where the role may call it, and a Model Monitor availability
probe with its verdict (with monitoring="self", the self-run schedule instead).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..aws import ModelMonitorUnavailable, WorkshopAwsError, explain
from ..backends import WorkshopSession
from .permissions import CHAPTER_ACTIONS, permissions_needed

__all__ = ["CHAPTER_ACTIONS", "Check", "preflight", "role_arn"]

@dataclass(frozen=True)
class Check:
    check: str
    result: str
    ok: bool
    todo: str = ""
    step: str = ""  # the notebook(s) that need it, for permissions


def role_arn(sess: WorkshopSession) -> str:
    """The IAM role behind an assumed-role identity (with its path, when iam:GetRole is allowed)."""
    arn = sess.identity
    if ":assumed-role/" not in arn:
        return arn
    name = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
    try:
        return sess.client("iam").get_role(RoleName=name)["Role"]["Arn"]
    except Exception:  # noqa: BLE001 - no iam:GetRole: the role without its path is the best guess
        return f"arn:aws:iam::{sess.account_id}:role/{name}"


def _permissions(sess: WorkshopSession) -> list[Check]:
    from botocore.exceptions import ClientError

    principal = role_arn(sess)
    key = sess.discovery.capture_kms_key if sess.discovery else None
    groups = [(step.step, list(step.actions), resource) for step, resource in permissions_needed(sess)]
    groups += [("06", ["kms:Decrypt"], key)] if key else []
    checks = []
    try:
        for step, actions, resource in groups:  # one call per step and resource, paginated
            pages = sess.client("iam").get_paginator("simulate_principal_policy").paginate(
                PolicySourceArn=principal, ActionNames=actions, ResourceArns=[resource])
            decisions = {r.get("EvalActionName"): r.get("EvalDecision", "?") for p in pages for r in p.get("EvaluationResults", [])}
            on = f" on {resource}" if resource != "*" else ""
            for action in actions:
                decision = decisions.get(action, "not evaluated")
                checks.append(Check(f"permission {action}{on}", decision, decision == "allowed",
                                    "" if decision == "allowed" else f"add {action}{on} to {principal}'s policy", step))
    except ClientError as err:
        checks.append(Check("permissions", "not checked", False,
                            f"{explain(err, 'simulating the role policy (iam:SimulatePrincipalPolicy)')} "
                            "The steps will name any missing permission when they meet it."))
    return checks


def _availability(sess: WorkshopSession) -> Check:
    """Model Monitor answers this account? A read, never a create (creating a schedule costs money)."""
    from botocore.exceptions import ClientError

    try:
        sess.client("sagemaker").list_monitoring_schedules(MaxResults=1)
    except ClientError as err:
        failure = explain(err, "listing monitoring schedules (sagemaker:ListMonitoringSchedules)")
        verdict = "closed to new customers" if isinstance(failure, ModelMonitorUnavailable) else "refused"
        return Check("Model Monitor availability", verdict, False, f"{failure}")
    found = next((f for f in (sess.discovery.findings if sess.discovery else []) if f.what == "monitoring schedule"), None)
    if found is not None and found.found:
        return Check("Model Monitor availability", "available: the workshop's schedule exists", True)
    return Check("Model Monitor availability", "answers reads; no workshop schedule found", False,
                 "this account answers Model Monitor reads, but creating a schedule may be refused to new "
                 "customers (not probed: it would cost money); if the workshop is not deployed, use backend='local'")


def _finding(sess: WorkshopSession, f) -> Check:
    """A discovery finding; with monitoring="self" a missing Model Monitor schedule is expected."""
    if not f.found and f.what == "monitoring schedule" and sess.monitoring == "self":
        return Check(f.what, "none (not needed: monitoring='self' runs the self-run schedule)", True)
    return Check(f.what, f"{f.value} (via {f.how})" if f.found else "not found", f.found, f.todo)


def _selfrun(sess: WorkshopSession) -> Check:
    """monitoring="self": the self-run schedule exists, or step 7 will deploy it."""
    from botocore.exceptions import ClientError

    name = sess.names.schedule_name
    try:
        state = sess.client("scheduler").get_schedule(Name=name).get("State", "?")
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            return Check("self-run schedule", "not checked", False, f"{explain(err, 'reading the schedule (scheduler:GetSchedule)')}")
        return Check("self-run schedule", f"{name} not deployed yet: step 07 deploys it", True)
    return Check("self-run schedule", f"{name} ({state})", True)


def preflight(sess: WorkshopSession) -> pd.DataFrame:
    """The pre-flight table (AWS only): one row per check, with what to do where it fails."""
    if sess.backend != "aws":
        raise WorkshopAwsError("the pre-flight checks an AWS account: run it with backend='aws'")
    rows = [Check("region", f"{sess.region} (from {sess.region_source})", True),
            Check("identity", sess.identity, True)]
    rows += [_finding(sess, f) for f in (sess.discovery.findings if sess.discovery else [])]
    rows += _permissions(sess)
    rows.append(_selfrun(sess) if sess.monitoring == "self" else _availability(sess))
    return pd.DataFrame([vars(r) for r in rows], columns=["check", "step", "result", "ok", "todo"])

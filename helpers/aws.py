"""The AWS backend: a boto3 session from boto3's own chain, and errors that say what to do.

In SageMaker Studio the execution role provides credentials. Every failure the workshop can
meet (no or expired credentials, no region, a missing IAM permission, a resource that is not
there, throttling that outlasts the retries, an account that Model Monitor refuses) becomes one
``WorkshopAwsError`` whose message names what failed, the resource and what to do, instead of a
traceback from deep inside botocore.

Which refusal means "Model Monitor is closed to new customers"? AWS documents the change
("Amazon SageMaker Model Monitor is no longer open to new customers", Model Monitor availability
change, 2026) but not the error an account that is refused receives. So the classification is
conservative: only a message that itself speaks of new customers or of the service no longer
being open/available is reported as closed; an AccessDenied that names an IAM action is a
missing permission; any other AccessDenied on a monitoring call says both possibilities and
points to the pre-flight in notebook 00, which tells them apart.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Answer", "AnswerMissing", "answer", "MissingPermission", "ModelMonitorUnavailable", "NotFound", "RegionChoice",
           "WorkshopAwsError", "aws_identity", "explain", "guarded", "resolve_region", "retrying_config"]

_MONITOR_OPERATIONS = re.compile(r"Monitoring|DataQuality", re.I)
# Evidence: AWS's own wording of the availability change. Nothing broader (see the docstring).
_CLOSED = re.compile(r"new customers|no longer (open|available)", re.I)
_NOT_AUTHORIZED = re.compile(r"not authorized to perform:? ([\w-]+:[\w*]+)(?: on resource:? (\S+))?", re.I)
_ACTION_IN_DOING = re.compile(r"\(([\w-]+:\w+)")
_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
           "UnauthorizedException", "AuthorizationErrorException")
_NOT_FOUND = ("ResourceNotFound", "ResourceNotFoundException", "PipelineNotFoundException",
              "NoSuchEntity", "NoSuchBucket", "NoSuchKey", "404", "NotFound", "ResourceNotFoundFault")
TWIN_HINT = ("Model Monitor is closed to new AWS customers; run the workshop on the local twin "
             "instead: session(backend='local') (or WORKSHOP_BACKEND=local), after `make workshop`; or stay on "
             "AWS with monitoring='self' (step 07 deploys the self-run schedule: README, self-run monitoring).")


class WorkshopAwsError(RuntimeError):
    """One clear message for an AWS failure."""


class ModelMonitorUnavailable(WorkshopAwsError):
    """This account cannot use Model Monitor."""


class MissingPermission(WorkshopAwsError):
    """The caller's role lacks an IAM permission; ``action`` names it."""

    def __init__(self, message: str, action: str):
        super().__init__(message)
        self.action = action


class NotFound(WorkshopAwsError):
    """A resource the workshop looks for does not exist (under the name it used)."""


class AnswerMissing(WorkshopAwsError):
    """An AWS answer lacks a field the API marks optional and the step needs."""


class Answer(dict):
    """An AWS answer handed to a notebook: indexing a member it lacks says so in a sentence.

    The API marks most members optional; a notebook that writes ``alarm["StateValue"]`` gets
    ``AnswerMissing`` naming the member and the call instead of a bare KeyError. ``.get`` works
    as on any dict.
    """

    def __init__(self, value: dict, what: str):
        super().__init__(value)
        self.what = what

    def __missing__(self, key):
        raise AnswerMissing(f"AWS's answer to {self.what} has no {key} (the API allows it to be absent); "
                            "the step cannot go on without it: check the resource in the console.")


def answer(value: Any, what: str) -> Any:
    """``value`` (an AWS answer or part of one) with every structure in it an ``Answer``."""
    if isinstance(value, dict):
        return Answer({k: answer(v, what) for k, v in value.items()}, what)
    if isinstance(value, list):
        return [answer(v, what) for v in value]
    return value


def need(value: Any, what: str) -> Any:
    """``value``, or a clear error when an optional field of an answer was absent."""
    if value is None or value == "" or value == [] or value == {}:
        raise AnswerMissing(f"AWS's answer has no {what} (the API allows it to be absent); "
                            "the step cannot go on without it: check the resource in the console.")
    return value


def retrying_config() -> Any:
    """Standard retries with backoff; throttling is retried before it becomes an error."""
    from botocore.config import Config

    return Config(retries={"max_attempts": 8, "mode": "standard"}, connect_timeout=10, read_timeout=60)


@dataclass(frozen=True)
class RegionChoice:
    """The region and where it came from (pre-flight prints both)."""

    region: str
    source: str


def resolve_region(boto_session: Any, asked: str | None) -> RegionChoice:
    """boto3's own chain: the parameter, AWS_DEFAULT_REGION, the profile's region in the config file.

    (boto3 reads AWS_DEFAULT_REGION, not AWS_REGION.) No default: a missing region is an error.
    """
    if asked:
        return RegionChoice(asked, "the region= parameter")
    if os.environ.get("AWS_DEFAULT_REGION") and boto_session.region_name == os.environ["AWS_DEFAULT_REGION"]:
        return RegionChoice(boto_session.region_name, "the environment (AWS_DEFAULT_REGION)")
    if boto_session.region_name:
        profile = boto_session.profile_name or "default"
        config = os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")
        return RegionChoice(boto_session.region_name, f"profile {profile!r} in {config}")
    raise WorkshopAwsError("No AWS region is set and the workshop does not guess one: pass region= in the "
                           "parameters cell, set AWS_DEFAULT_REGION, or add `region = ...` to "
                           "your profile in ~/.aws/config (in Studio: the region the domain runs in).")


def aws_identity(boto_session: Any) -> tuple[str, str]:
    """(account id, the caller's ARN), checked with STS; clear errors when that fails."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        sts = boto_session.client("sts", config=retrying_config())
        answer = sts.get_caller_identity()
        arn = answer.get("Arn", "")
        account = answer.get("Account") or (arn.split(":")[4] if arn.count(":") >= 5 else None)
        return need(account, "account id in sts:GetCallerIdentity's answer"), arn
    except NoCredentialsError:
        raise WorkshopAwsError("No AWS credentials found. In SageMaker Studio the execution role provides "
                               "them; elsewhere run `aws configure` (or pass profile=), or use backend='local'.") from None
    except ClientError as err:
        raise explain(err, "checking your AWS identity (sts:GetCallerIdentity)") from None
    except BotoCoreError as err:
        raise WorkshopAwsError(f"Cannot reach AWS STS in region {boto_session.region_name!r} ({err}); check "
                               "the region name and the network.") from None


def _denied(code: str, message: str, operation: str, doing: str) -> WorkshopAwsError:
    said = _NOT_AUTHORIZED.search(message)
    if said:
        action, resource = said.group(1), (said.group(2) or "").rstrip(".,")
        on = f" on {resource}" if resource else ""
        return MissingPermission(f"Your role lacks the IAM permission {action}{on} ({doing}). Add it to the "
                                 "role's policy (README, 'Permissions'), or use backend='local'.", action)
    wanted = _ACTION_IN_DOING.search(doing)
    action = wanted.group(1) if wanted else f"the permission for {operation}"
    if _MONITOR_OPERATIONS.search(operation):
        return WorkshopAwsError(f"{operation} was refused ({code}: {message}) while {doing}. Either the role "
                                f"lacks {action} or this account cannot use Model Monitor (it is closed to "
                                "new customers); notebook 00's pre-flight checks the permission and tells "
                                "the two apart. On a closed account use backend='local'.")
    return MissingPermission(f"AWS refused {operation or doing} ({code}: {message}); the role probably lacks "
                             f"{action}. Add it to the role's policy (README, 'Permissions').", action)


def explain(err: Exception, doing: str) -> WorkshopAwsError:
    """Turn a botocore error into a message that names what failed, the resource and what to do."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    if isinstance(err, EndpointConnectionError):
        return WorkshopAwsError(f"Cannot reach AWS while {doing}: {err}. Check the region and the network.")
    if isinstance(err, NoCredentialsError):
        return WorkshopAwsError(f"No AWS credentials while {doing}: run `aws configure`, or use backend='local'.")
    if not isinstance(err, ClientError):
        return WorkshopAwsError(f"AWS failed while {doing}: {err}")
    code = err.response.get("Error", {}).get("Code", "")
    message = err.response.get("Error", {}).get("Message", "")
    operation = getattr(err, "operation_name", "")
    if code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        return WorkshopAwsError(f"Your AWS credentials have expired ({doing}); refresh them (restart the "
                                "Studio kernel, or renew your SSO session).")
    if code in ("InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                "AuthFailure", "IncompleteSignature"):
        return WorkshopAwsError(f"AWS rejected your credentials ({code}) while {doing}; check the access "
                                "key, or use backend='local'.")
    if _CLOSED.search(message):
        return ModelMonitorUnavailable(f"{operation} was refused ({code}: {message}). {TWIN_HINT}")
    if code in _DENIED:
        return _denied(code, message, operation, doing)
    if code in ("Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"):
        return WorkshopAwsError(f"AWS kept throttling {operation or doing} after retries with backoff; "
                                "wait a minute and run the cell again.")
    if code in _NOT_FOUND or (code == "ValidationException" and re.search(r"(could not|cannot) find|does not exist|not found", message, re.I)):
        return NotFound(f"Nothing found while {doing} ({code}: {message or 'Not Found'}). Check that the "
                        "workshop is deployed in this account and region, or name the resource in the "
                        "parameters cell (names={...}); notebook 00 lists what was found.")
    return WorkshopAwsError(f"AWS answered {code} while {doing}: {message}")


def guarded(doing: str):
    """Decorator: botocore errors from the wrapped step come out as ``WorkshopAwsError``."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                return fn(*args, **kwargs)
            except (ClientError, BotoCoreError) as err:
                raise explain(err, doing) from err
        return inner
    return wrap

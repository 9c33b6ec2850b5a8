"""The AWS backend: a boto3 session from the standard credential chain, and clear errors.

In SageMaker Studio the execution role provides credentials. Every failure the workshop can
meet (no or expired credentials, a wrong region, throttling that outlasts the retries, an
account that Model Monitor refuses) becomes one ``WorkshopAwsError`` whose message says what
failed and what to do, instead of a traceback from deep inside botocore.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["ModelMonitorUnavailable", "WorkshopAwsError", "aws_identity", "explain", "retrying_config"]

_MONITOR_OPERATIONS = re.compile(r"Monitoring|DataQuality", re.I)
_REFUSAL = re.compile(r"(not (available|supported|enabled|authorized)|no longer|new customers|"
                      r"not subscribed|opt.?in)", re.I)
TWIN_HINT = ("Model Monitor is closed to new AWS customers; run the workshop on the local twin "
             "instead: session(backend='local') (or WORKSHOP_BACKEND=local), after `make workshop`.")


class WorkshopAwsError(RuntimeError):
    """One clear message for an AWS failure."""


class ModelMonitorUnavailable(WorkshopAwsError):
    """This account cannot use Model Monitor."""


def retrying_config() -> Any:
    """Standard retries with backoff; throttling is retried before it becomes an error."""
    from botocore.config import Config

    return Config(retries={"max_attempts": 8, "mode": "standard"}, connect_timeout=10, read_timeout=60)


def aws_identity(boto_session: Any) -> tuple[str, str]:
    """(account id, region) of the session, checked with STS; clear errors when they fail."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    region = boto_session.region_name
    if not region:
        raise WorkshopAwsError("No AWS region is set: set AWS_DEFAULT_REGION (the workshop uses us-east-1) "
                               "or pass region= to session().")
    try:
        sts = boto_session.client("sts", config=retrying_config())
        return sts.get_caller_identity()["Account"], region
    except NoCredentialsError:
        raise WorkshopAwsError("No AWS credentials found. In SageMaker Studio the execution role provides "
                               "them; elsewhere run `aws configure`, or use backend='local'.") from None
    except NoRegionError:
        raise WorkshopAwsError("No AWS region is set: set AWS_DEFAULT_REGION.") from None
    except ClientError as err:
        raise explain(err, "checking your AWS identity (sts:GetCallerIdentity)") from None
    except BotoCoreError as err:
        raise WorkshopAwsError(f"Cannot reach AWS STS in region {region!r} ({err}); check the region "
                               "name and the network.") from None


def explain(err: Exception, doing: str) -> WorkshopAwsError:
    """Turn a botocore error into a message that names what failed and what to do."""
    from botocore.exceptions import ClientError, EndpointConnectionError

    if isinstance(err, EndpointConnectionError):
        return WorkshopAwsError(f"Cannot reach AWS while {doing}: {err}. Check the region and the network.")
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
    if _MONITOR_OPERATIONS.search(operation) and (
            _REFUSAL.search(message) or code in ("AccessDeniedException", "AccessDenied")):
        return ModelMonitorUnavailable(f"{operation} was refused ({code}: {message}). {TWIN_HINT}")
    if code in ("Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"):
        return WorkshopAwsError(f"AWS kept throttling {operation or doing} after retries with backoff; "
                                "wait a minute and run the cell again.")
    if code in ("NoSuchBucket", "NoSuchKey", "404"):
        return WorkshopAwsError(f"Nothing found while {doing} ({code}: {message or 'Not Found'}).")
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

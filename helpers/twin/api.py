"""boto3 clients that answer from the twin.

The clients are real boto3 clients: botocore validates the arguments (``ParamValidationError``),
raises the modeled exceptions (``client.exceptions.NoSuchKey``), runs paginators and
``download_file``. Only the answer comes from the twin: a ``before-call`` hook (the mechanism
botocore's own ``Stubber`` uses) hands the operation to the service's handler and returns its
response, so no request is ever sent; a ``before-send`` guard makes sure of it.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

__all__ = ["TwinError", "make_client"]

_CONTEXT_KEY = "twin_params"


class TwinError(Exception):
    """An AWS error: the code, message and HTTP status the real service answers with."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: Any):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.extra = code, message, status, extra


def _metadata(status: int) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    return {"RequestId": request_id, "HTTPStatusCode": status,
            "HTTPHeaders": {"x-amzn-requestid": request_id}, "RetryAttempts": 0}


def make_client(service_name: str, handler: Any, region: str) -> Any:
    """A boto3 client for ``service_name`` whose operations ``handler`` answers.

    ``handler`` has one method per operation, named as the API names it (``ListObjectsV2``),
    taking the caller's keyword arguments as a dict and returning the response dict.
    """
    session = boto3.session.Session(aws_access_key_id="twin", aws_secret_access_key="twin",
                                    region_name=region)
    client = session.client(service_name, config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    service_id = client.meta.service_model.service_id.hyphenize()

    def keep_params(params: dict, context: dict, **_: Any) -> None:
        context[_CONTEXT_KEY] = dict(params)

    def answer(model: Any, context: dict, params: dict, **_: Any):
        operation = getattr(handler, model.name, None)
        call = dict(context.get(_CONTEXT_KEY, {}))
        headers = params.get("headers", {})
        if headers.get("x-amz-checksum-mode"):  # set by botocore after the caller's arguments
            call.setdefault("ChecksumMode", headers["x-amz-checksum-mode"])
        if operation is None:
            raise NotImplementedError(
                f"the local twin does not implement {service_name}.{model.name}; "
                "the workshop's steps do not call it")
        try:
            body = operation(call)
            status = 200
        except TwinError as err:
            body = {"Error": {"Code": err.code, "Message": err.message, **err.extra}}
            status = err.status
        body = dict(body or {})
        body["ResponseMetadata"] = _metadata(status)
        return AWSResponse(f"https://twin.local/{service_id}", status, {}, None), body

    def refuse_network(request: Any, **_: Any) -> None:
        raise RuntimeError(f"the twin's {service_name} client tried to send a request to {request.url}")

    client.meta.events.register(f"before-parameter-build.{service_id}.*", keep_params)
    client.meta.events.register(f"before-call.{service_id}.*", answer)
    client.meta.events.register(f"before-send.{service_id}.*", refuse_network)
    return client

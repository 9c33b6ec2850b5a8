"""Pagination written once: opaque tokens over a sorted list, as AWS APIs page."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from ..api import TwinError

T = TypeVar("T")


def encode_token(position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_token(token: str, parameter: str = "NextToken") -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError):
        raise TwinError("ValidationException" if parameter == "NextToken" else "InvalidArgument",
                        f"The {parameter} is not valid.") from None


def page(items: Sequence[T], limit: int, token: str | None, parameter: str = "NextToken") -> tuple[list[T], str | None]:
    """One page of ``items`` from the position the token names, and the next token."""
    start = int(decode_token(token, parameter)) if token else 0
    chunk = list(items[start : start + limit])
    following = start + limit
    return chunk, (encode_token(following) if following < len(items) else None)

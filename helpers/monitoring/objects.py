"""Where an hourly run's objects live: an S3 bucket through a boto3 client (or any store with these methods).

A store lists keys in S3's order (UTF-8 bytes), reads objects, gives capture files as local
paths for the capture reader, and writes a report set. On S3 the set is written in
``REPORT_FILES`` order, constraint_violations.json last: a run killed part-way leaves a set
without it, which ``run_hour`` treats as not done (so a retry writes the whole set again).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Protocol

from ..formats.layout import REPORT_FILES

__all__ = ["ObjectStore", "S3Store", "save_object", "split_s3_uri"]


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of ``s3://bucket/key``; a clear error for anything else."""
    if not uri.startswith("s3://") or not uri[5:].split("/", 1)[0]:
        raise ValueError(f"expected an S3 URI like s3://bucket/prefix, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def save_object(client: Any, bucket: str, key: str, target: Path) -> Path:
    """Copy one object to a local file with GetObject, streamed.

    Not boto3's ``download_file``: its transfer manager first reads HeadObject's ContentLength,
    a member S3's API model leaves optional, and fails with a bare KeyError without it.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = client.get_object(Bucket=bucket, Key=key)["Body"]
    with open(target, "wb") as out:
        shutil.copyfileobj(body, out, 1 << 20)
    return target


class ObjectStore(Protocol):
    def keys(self, bucket: str, prefix: str) -> list[str]:
        """Every key under ``prefix``, in S3's order (UTF-8 bytes)."""

    def read(self, bucket: str, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""

    def local_files(self, bucket: str, keys: list[str], folder: Path) -> list[Path]:
        """The objects as local files (downloaded into ``folder`` if they are not local)."""

    def write_report_set(self, bucket: str, prefix: str, files: dict[str, bytes]) -> None:
        """Write the three report files under ``prefix`` (ending in a slash)."""


class S3Store:
    """Objects in S3 (or anything that answers boto3's S3 calls: moto, the twin)."""

    def __init__(self, client: Any):
        self.client = client

    def keys(self, bucket: str, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        return sorted(keys, key=lambda k: k.encode("utf-8"))

    def read(self, bucket: str, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def local_files(self, bucket: str, keys: list[str], folder: Path) -> list[Path]:
        paths = []
        for key in keys:
            paths.append(save_object(self.client, bucket, key, Path(folder) / bucket / key))
        return paths

    def write_report_set(self, bucket: str, prefix: str, files: dict[str, bytes]) -> None:
        for name in REPORT_FILES:  # constraint_violations.json last: it marks the set complete
            self.client.put_object(Bucket=bucket, Key=f"{prefix}{name}", Body=files[name],
                                   ContentType="application/json")

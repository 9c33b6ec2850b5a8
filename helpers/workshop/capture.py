"""Step 6: the endpoint's data capture on S3."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..aws import guarded
from ..backends import WorkshopSession
from ..capture import CaptureRecord
from ..monitoring.objects import save_object
from .reports import read_s3_text, split_s3_uri

_HOUR_FOLDER = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/(\d{2})/[^/]+$")


@dataclass(frozen=True)
class CaptureFile:
    uri: str
    size: int
    last_modified: datetime | None

    @property
    def hour(self) -> datetime:
        """The UTC hour of the folder the endpoint wrote the file into (``yyyy/mm/dd/hh/``)."""
        found = _HOUR_FOLDER.search(self.uri)
        if found is None:
            raise ValueError(f"capture file {self.uri} is not in a yyyy/mm/dd/hh/ folder, where the endpoint writes")
        return datetime(*map(int, found.groups()), tzinfo=timezone.utc)


def capture_files_by_hour(files: list[CaptureFile]) -> dict[datetime, list[CaptureFile]]:
    """Step 6: the files grouped by their hour folder, oldest hour first."""
    grouped: dict[datetime, list[CaptureFile]] = {}
    for f in sorted(files, key=lambda f: f.uri):
        grouped.setdefault(f.hour, []).append(f)
    return dict(sorted(grouped.items()))


def capture_prefix(sess: WorkshopSession, endpoint: str, hour: datetime | None = None) -> str:
    """Where the endpoint's capture lives: ``<destination>/<endpoint>/<variant>/[yyyy/mm/dd/hh/]``."""
    prefix = f"{sess.capture_uri}/{endpoint}/{sess.names.variant_name}/"
    return prefix + (f"{hour:%Y/%m/%d/%H}/" if hour is not None else "")


@guarded("listing the data capture (s3:ListObjectsV2)")
def capture_files(sess: WorkshopSession, endpoint: str, hour: datetime | None = None) -> list[CaptureFile]:
    """Step 6: the endpoint's capture files (of one hour when given), oldest first, paginated."""
    bucket, prefix = split_s3_uri(capture_prefix(sess, endpoint, hour))
    found = []
    for page in sess.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found += [CaptureFile(f"s3://{bucket}/{o['Key']}", o.get("Size", 0), o.get("LastModified"))
                  for o in page.get("Contents", [])]
    return found


def first_capture_record(sess: WorkshopSession, uri: str) -> CaptureRecord:
    """Step 6: the first record of a capture file, typed."""
    import json

    line = read_s3_text(sess, uri).splitlines()[0]
    return CaptureRecord.decode(json.loads(line), source=uri)


@guarded("downloading capture files (s3:ListObjectsV2, s3:GetObject)")
def download_capture_hour(sess: WorkshopSession, endpoint: str, hour: datetime, folder: str | Path) -> list[Path]:
    """The endpoint's capture files of one hour (its yyyy/mm/dd/hh folder), into a local folder
    that then holds only them: files of another hour never mix in."""
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written = []
    for capture in capture_files(sess, endpoint, hour):  # only that hour's prefix is listed
        bucket, key = split_s3_uri(capture.uri)
        written.append(save_object(sess.client("s3"), bucket, key, folder / key.rsplit("/", 1)[1]))
    return written

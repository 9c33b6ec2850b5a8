"""Where Model Monitor puts things: capture and report keys, and atomic local writes.

Capture: ``<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl`` (UTC).
Reports: ``<prefix>/<endpoint>/<schedule>/yyyy/mm/dd/hh/`` holding the three report files.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

from .reportset import file_mode

__all__ = [
    "REPORT_FILES",
    "atomic_write_text",
    "capture_key",
    "hour_path",
    "report_prefix",
]

REPORT_FILES = ("statistics.json", "constraints.json", "constraint_violations.json")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def hour_path(moment: datetime) -> str:
    """``yyyy/mm/dd/hh`` of a moment, in UTC."""
    return _utc(moment).strftime("%Y/%m/%d/%H")


def capture_key(
    prefix: str, endpoint: str, variant: str, moment: datetime, file_id: str | None = None
) -> str:
    """The key of a capture file whose first record arrived at ``moment``."""
    moment = _utc(moment)
    name = f"{moment:%M-%S}-{moment.microsecond // 1000:03d}-{file_id or uuid.uuid4()}.jsonl"
    return "/".join(p.strip("/") for p in (prefix, endpoint, variant, hour_path(moment), name) if p)


def report_prefix(prefix: str, endpoint: str, schedule: str, analysed_hour: datetime) -> str:
    """The folder of one monitoring run's reports (the hour it analysed), with a final slash."""
    parts = (prefix, endpoint, schedule, hour_path(analysed_hour))
    return "/".join(p.strip("/") for p in parts if p) + "/"


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write text so that a reader sees the old file or the whole new one, never a part."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, file_mode())  # mkstemp makes 0600; a written file follows the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

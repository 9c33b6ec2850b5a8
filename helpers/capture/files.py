"""Which capture files a run reads, and how each is opened (plain or gzip).

A folder is searched for ``*.jsonl`` and ``*.jsonl.<ext>`` files; a file named directly is read
whatever its name. The same file reached twice (a folder and a file in it, a symbolic link, a
hard link) is read once. Compression is recognised by the file's first bytes: gzip is read;
bzip2, xz, zstd and zip are refused by name, as a problem of that file, never skipped quietly.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .filerows import CaptureProblem
from .records import CaptureError

__all__ = ["CaptureFiles", "capture_files", "find_capture_files", "open_capture"]

_GZIP = b"\x1f\x8b"
_REFUSED = {b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd", b"PK\x03\x04": "zip",
            b"\x04\x22\x4d\x18": "lz4"}


@dataclass
class CaptureFiles:
    """The files to read, in order, and the files refused (with why)."""

    paths: list[Path] = field(default_factory=list)
    refused: list[CaptureProblem] = field(default_factory=list)


def find_capture_files(paths: str | Path | Iterable[str | Path]) -> CaptureFiles:
    """Files named, or found below the folders named (path order), each once."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found = CaptureFiles()
    seen: set[tuple[int, int]] = set()
    for path in map(Path, paths):
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*.jsonl*") if p.is_file() and _capture_name(p))
        elif path.is_file():
            candidates = [path]
        else:
            raise FileNotFoundError(f"no capture file or folder at {path}")
        for candidate in candidates:
            stat = candidate.stat()
            if (stat.st_dev, stat.st_ino) in seen:
                continue
            seen.add((stat.st_dev, stat.st_ino))
            refusal = _refusal(candidate)
            if refusal:
                found.refused.append(CaptureProblem(str(candidate), None, *refusal))
            else:
                found.paths.append(candidate)
    return found


def capture_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The readable capture files named, or found below the folders named, each once."""
    return find_capture_files(paths).paths


def _capture_name(path: Path) -> bool:
    return path.name.endswith(".jsonl") or ".jsonl." in path.name


def _refusal(path: Path) -> tuple[str, str] | None:
    """Why a file cannot be read at all (reason, kind), or None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError as err:
        return f"cannot be read ({err.strerror})", "file cannot be read"
    for magic, name in _REFUSED.items():
        if head.startswith(magic):
            return (f"compressed with {name}; capture files are read plain or gzip-compressed only",
                    "compressed file not readable")
    return None


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == _GZIP


def open_capture(path: str | Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (recognised by its first bytes)."""
    path = Path(path)
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    refusal = _refusal(path)
    if refusal:
        raise CaptureError(f"{path}: {refusal[0]}", kind=refusal[1])
    return open(path, "rb")


def read_capture_bytes(path: str | Path) -> bytes:
    """The whole (decompressed) file; raises OSError/EOFError on a damaged gzip stream."""
    with open_capture(path) as handle:
        return handle.read()

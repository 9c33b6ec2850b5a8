"""A report set (statistics, constraints, violations) written all or nothing.

The files are written into a staging folder beside the destination, flushed, then put in place:
a failure before that (a full disk, a bad path) leaves the destination as it was; a crash while
putting them in place leaves the previous set or nothing, never new statistics beside old
constraints. Files and folders follow the user's umask, as any file the user writes would.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path

__all__ = ["OutputError", "file_mode", "write_report_set"]


class OutputError(OSError):
    """The destination cannot take the report set; the message names it and says why."""


def current_umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets from open(): 0o666 less the umask."""
    return 0o666 & ~current_umask()


def write_report_set(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> bytes) into ``folder`` as one set; the paths written."""
    folder = Path(folder)
    _check_destination(folder)
    staging = folder.parent / f".{folder.name}.staging-{os.urandom(6).hex()}"
    try:
        staging.mkdir()  # mode 0o777 less the umask, as the user's own folders
    except OSError as err:
        raise OutputError(f"cannot write into {folder.parent} ({err.strerror})") from None
    try:
        for name, data in files.items():
            _write_flushed(staging / name, data)
        _put_in_place(staging, folder, list(files))
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, OutputError):
            raise
        raise OutputError(f"cannot write the report set into {folder} ({err.strerror}); "
                          "nothing was changed there") from None
    return [folder / name for name in files]


def _check_destination(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder (the reports need a folder)")
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{folder} is below {parent}, which is a file")
            break
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create {folder.parent} ({err.strerror})") from None


def _write_flushed(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _put_in_place(staging: Path, folder: Path, names: list[str]) -> None:
    """One rename when the folder holds nothing else; else file by file, undone on failure."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    if {p.name for p in folder.iterdir()} <= set(names):
        os.chmod(staging, stat.S_IMODE(folder.stat().st_mode))
        retired = folder.parent / f"{staging.name}.previous"
        os.rename(folder, retired)
        try:
            os.rename(staging, folder)
        except OSError:
            os.rename(retired, folder)
            raise
        shutil.rmtree(retired, ignore_errors=True)
        return
    _swap_files(staging, folder, names)


def _swap_files(staging: Path, folder: Path, names: list[str]) -> None:
    """The destination holds other files too: move the old set aside, the new in, or undo."""
    previous = staging / ".previous"
    previous.mkdir()
    moved_out, moved_in = [], []
    try:
        for name in names:
            if (folder / name).exists():
                os.rename(folder / name, previous / name)
                moved_out.append(name)
        for name in names:
            os.rename(staging / name, folder / name)
            moved_in.append(name)
    except OSError:
        for name in moved_in:
            os.rename(folder / name, staging / name)
        for name in moved_out:
            os.rename(previous / name, folder / name)
        raise
    shutil.rmtree(staging, ignore_errors=True)

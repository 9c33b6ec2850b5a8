"""Capture files read and decoded on a thread of their own, a few blocks ahead of their use.

Arrow's JSON reader parses without holding the GIL, so the blocks a monitoring run will need
are parsed while the run does something else: importing the analyzer (a command starts the
read-ahead first), or profiling the block before. At most ``DEPTH`` decoded blocks wait, so
memory stays bounded whatever the files' size. The parts, their problems and an error raised
while reading reach the reader in the same order as ``file_rows`` gives them, file by file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from .filerows import FileRows
from .files import CaptureFiles, find_capture_files
from .stream import file_rows

__all__ = ["DEPTH", "ReadAhead"]

DEPTH = 4  # decoded blocks (up to stream.BLOCK_BYTES of lines each) waiting to be used
_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead:
    """The parts of the readable capture files (``found.paths``, in order), read on a thread
    started at once. Iterate it once; ``close`` stops the thread early."""

    def __init__(self, paths: str | Path | Iterable[str | Path] | CaptureFiles) -> None:
        self.found = paths if isinstance(paths, CaptureFiles) else find_capture_files(paths)
        self._queue: queue.Queue = queue.Queue(maxsize=DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="capture-read-ahead", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[FileRows]:
        try:
            while (item := self._queue.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (the parts not yet used are dropped)."""
        self._stop.set()

    def _read(self) -> None:
        try:
            for path in self.found.paths:
                for part in file_rows(path):
                    if not self._put(part):
                        return
        except BaseException as err:  # handed to the reader, raised where it iterates
            self._put(_Failed(err))
            return
        self._put(_END)

    def _put(self, item) -> bool:
        """Queue ``item`` once there is room; False when the reader has stopped."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

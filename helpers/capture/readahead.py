"""Capture files read and decoded on a thread of their own, a few blocks ahead of their use.

Arrow's JSON reader parses without holding the GIL, so the blocks a monitoring run will need
are parsed while the run does something else: importing the analyzer (a command starts the
read-ahead first), or profiling the block before. ``READERS`` threads take the files in turn
(file i goes to thread i mod READERS), so one file's Python work (line bounds, payload split)
runs beside another's parse. Each thread keeps at most ``DEPTH`` decoded blocks waiting, so
memory stays bounded whatever the files' size. The parts, their problems and an error raised
while reading reach the caller in the same order as ``file_rows`` gives them, file by file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from .filerows import FileRows
from .files import CaptureFiles, find_capture_files
from .stream import file_rows

__all__ = ["DEPTH", "READERS", "ReadAhead"]

DEPTH = 2  # decoded blocks (up to stream.BLOCK_BYTES of lines each) waiting, per thread
READERS = 2
_FILE_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead:
    """The parts of the readable capture files (``found.paths``, in order), read on threads
    started at once. Iterate it once; ``close`` stops the threads early."""

    def __init__(self, paths: str | Path | Iterable[str | Path] | CaptureFiles) -> None:
        self.found = paths if isinstance(paths, CaptureFiles) else find_capture_files(paths)
        self._stop = threading.Event()
        count = max(1, min(READERS, len(self.found.paths)))
        self._queues: list[queue.Queue] = [queue.Queue(maxsize=DEPTH) for _ in range(count)]
        self._threads = [threading.Thread(target=self._read, args=(k,), name=f"capture-read-ahead-{k}",
                                          daemon=True) for k in range(count)]
        for thread in self._threads:
            thread.start()

    def __iter__(self) -> Iterator[FileRows]:
        try:
            for i in range(len(self.found.paths)):
                source = self._queues[i % len(self._queues)]
                while (item := source.get()) is not _FILE_END:
                    if isinstance(item, _Failed):
                        raise item.error
                    yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (the parts not yet used are dropped)."""
        self._stop.set()

    def _read(self, k: int) -> None:
        """Thread ``k``: files k, k + READERS, ..., each followed by an end mark."""
        for path in self.found.paths[k :: len(self._queues)]:
            try:
                for part in file_rows(path):
                    if not self._put(k, part):
                        return
            except BaseException as err:  # handed to the caller, raised where it iterates
                self._put(k, _Failed(err))
                return
            if not self._put(k, _FILE_END):
                return

    def _put(self, k: int, item) -> bool:
        """Queue ``item`` once there is room; False when the caller has stopped."""
        while not self._stop.is_set():
            try:
                self._queues[k].put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

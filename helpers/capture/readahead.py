"""Capture files read and decoded on threads of their own, a few blocks ahead of their use.

Arrow's JSON reader parses without holding the GIL, so the blocks a monitoring run will need
are parsed while the run does something else: importing the analyzer (a command starts the
read-ahead first), or profiling the block before. With several files, ``READERS`` threads read
them at once, each file on one thread (its blocks parsed on that thread): an hour of capture is
many files of a few MB, and one parse per core wastes less than Arrow's thread pool splitting
each block. A single file keeps one thread, and Arrow's pool parses its blocks. At most
``DEPTH`` decoded blocks wait in all, so memory stays bounded whatever the files' size. The
parts, their problems and an error raised while reading reach the reader in the same order as
``file_rows`` gives them, file by file.
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

DEPTH = 4  # decoded blocks (up to stream.BLOCK_BYTES of lines each) waiting to be used
READERS = 2  # files read at once (the machines this runs on have two cores or more)
_FILE_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead:
    """The parts of the readable capture files (``found.paths``, in order), read on threads
    started at once: file i by reader i mod ``readers``. Iterate it once; ``close`` stops the
    threads early."""

    def __init__(self, paths: str | Path | Iterable[str | Path] | CaptureFiles, readers: int = READERS) -> None:
        self.found = paths if isinstance(paths, CaptureFiles) else find_capture_files(paths)
        count = max(1, min(readers, len(self.found.paths)))
        self._queues = [queue.Queue(maxsize=max(1, DEPTH // count)) for _ in range(count)]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(k,), name=f"capture-read-ahead-{k}", daemon=True)
                         for k in range(count)]
        for thread in self._threads:
            thread.start()

    def __iter__(self) -> Iterator[FileRows]:
        try:
            for i in range(len(self.found.paths)):
                parts = self._queues[i % len(self._queues)]
                while (item := parts.get()) is not _FILE_END:
                    if isinstance(item, _Failed):
                        raise item.error
                    yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (the parts not yet used are dropped)."""
        self._stop.set()

    def _read(self, k: int) -> None:
        step = len(self._queues)
        for path in self.found.paths[k::step]:
            try:
                for part in file_rows(path, parse_threads=step == 1):
                    if not self._put(k, part):
                        return
            except BaseException as err:  # handed to the reader, raised where it iterates
                self._put(k, _Failed(err))
                return
            if not self._put(k, _FILE_END):
                return

    def _put(self, k: int, item) -> bool:
        """Queue ``item`` for reader ``k`` once there is room; False when the reader has stopped."""
        while not self._stop.is_set():
            try:
                self._queues[k].put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

"""Small C loops, built once per machine with the system's C compiler and loaded with ctypes.

Some of the analyzer's work must run value by value (the Welford update, a hash per cell, the
type of each cell, the cells of each capture payload), and numba's first call in a process
costs a second or more, more than the loops themselves at a million rows. A few lines of C,
compiled once into ``__pycache__`` (or the temp folder when that is read-only) and loaded in
about a millisecond, cost nothing at start-up, and a process builds or loads them only once it
has seen enough values for them to pay (``compiled_pays``). Without a C compiler
``c_function`` answers None and callers run the same work in Python or Arrow's kernels. The
flags forbid fused multiply-adds and fast-math, so the C loops give Python's bits. A leaf:
it imports nothing of ``helpers``, so the capture reader and the analyzer both use it.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
import zlib
from pathlib import Path

__all__ = ["COMPILE_AFTER", "c_function", "compiled_pays", "is_built"]

COMPILE_AFTER = 100_000  # values seen in this process before the C loops are built or loaded
_seen = 0
_lock = threading.Lock()

_FLAGS = ["-O2", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC"]


def _candidates(source: str) -> list[Path]:
    """Where the library built from ``source`` is kept: beside the code, else the temp folder."""
    import tempfile  # here, not at import: a command that runs no C loop pays nothing

    text = (source + " ".join(_FLAGS)).encode()
    digest = f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"  # zlib is loaded already; hashlib is not
    return [folder / f"native-{digest}.so"
            for folder in (Path(__file__).parent / "__pycache__", Path(tempfile.gettempdir()) / "mm-workshop")]


@functools.cache
def is_built(source: str) -> bool:
    """Whether an earlier process built these loops already: loading them then costs about a
    millisecond, so even a small run may use them (``compiled_pays`` is about the build)."""
    return any(candidate.exists() for candidate in _candidates(source))


@functools.cache
def _library(source: str) -> ctypes.CDLL | None:
    for candidate in _candidates(source):
        if candidate.exists() or _build(source, candidate):
            return ctypes.CDLL(str(candidate))
    return None


def _build(source: str, target: Path) -> bool:
    import shutil
    import subprocess
    import tempfile

    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as work:
            code = Path(work) / "native.c"
            code.write_text(source)
            built = Path(work) / target.name
            done = subprocess.run([compiler, *_FLAGS, "-o", str(built), str(code)],
                                  capture_output=True, timeout=120)
            if done.returncode:
                return False
            os.replace(built, target)  # atomic: a process running beside us sees all or nothing
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def c_function(source: str, name: str, argtypes: list, restype=None):
    """The C function ``name`` from ``source`` (built on first use), or None without a compiler."""
    library = _library(source)
    if library is None:
        return None
    function = getattr(library, name)
    function.argtypes, function.restype = argtypes, restype
    return function


def compiled_pays(count: int) -> bool:
    """Whether this process, counting these ``count`` values, has seen enough for the C loops
    to pay for their first build (a small run never starts the compiler)."""
    global _seen
    with _lock:
        _seen += count
        return _seen > COMPILE_AFTER

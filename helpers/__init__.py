"""Helpers for the SageMaker Model Monitor workshop.

Layers, each importing only those below it: ``formats`` and ``capture`` (Model Monitor's files)
-> ``analyzer`` (baseline, suggestion, checks) -> ``twin`` (the offline estate) and ``aws`` ->
``session`` -> ``workshop`` (the steps) -> ``plots`` and ``widgets``. Importing ``helpers`` loads
nothing heavy: each name below is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "session": "helpers.backends",
    "WorkshopSession": "helpers.backends",
    "Statistics": "helpers.formats",
    "Constraints": "helpers.formats",
    "ConstraintViolations": "helpers.formats",
    "read_capture": "helpers.capture",
    "run_baseline": "helpers.analyzer.baseline",
    "run_monitor": "helpers.analyzer.monitor",
    "Twin": "helpers.twin.estate",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value

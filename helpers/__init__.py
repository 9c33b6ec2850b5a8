"""Helpers for the SageMaker Model Monitor workshop.

Layers, each importing only those below it: ``formats`` and ``capture`` (Model Monitor's
files) -> ``analyzer`` (baseline, suggestion, checks). Nothing heavy is imported here.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

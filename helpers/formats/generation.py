"""Which container generation's files to write: today's (the default) or the 2021 layout.

Both are real (model-monitor-compat.md section 3b). ``CURRENT``, the container accounts run
since at least October 2024 (Spark 3.3.0), writes ``approximate_num_distinct_values`` and
``completeness`` in numeric statistics, ``completeness`` in string statistics, the categorical
drift keys in constraints.json, and lists categorical buckets and domains in Scala HashMap
order. ``V2021`` is the layout of the 2021 fixture: none of those fields, values by count.
Readers accept both; this only decides what the analyzer writes.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Container", "parse_container"]


class Container(str, Enum):
    """A Model Monitor container generation (``--container {2021,current}``)."""

    V2021 = "2021"
    CURRENT = "current"

    def __str__(self) -> str:
        return self.value


def parse_container(value: Container | str | None) -> Container:
    """``"2021"`` or ``"current"`` (None means the default, current); anything else is refused."""
    if value is None:
        return Container.CURRENT
    if isinstance(value, Container):
        return value
    try:
        return Container(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(repr(c.value) for c in Container)
        raise ValueError(f"unknown container generation {value!r} (expected one of {choices})") from None

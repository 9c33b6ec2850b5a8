"""AWS cron expressions (six fields, ``?``) through croniter.

AWS writes ``cron(minutes hours day-of-month month day-of-week year)`` with ``?`` in one of the
day fields; croniter reads five-field Unix cron. We translate (``?`` becomes ``*``; the year
field must be ``*``, the only form SageMaker schedules accept) and let croniter iterate.
"""

from __future__ import annotations

import re
from datetime import datetime

from croniter import croniter

__all__ = ["aws_cron_to_unix", "next_runs"]

_AWS = re.compile(r"^cron\((.+)\)$")


def aws_cron_to_unix(expression: str) -> str:
    match = _AWS.match(expression.strip())
    if not match:
        raise ValueError(f"{expression!r} is not an AWS cron expression like cron(0 * ? * * *)")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise ValueError(f"{expression!r} has {len(fields)} fields; AWS cron has six "
                         "(minutes hours day-of-month month day-of-week year)")
    minutes, hours, dom, month, dow, year = fields
    if "?" not in (dom, dow):
        raise ValueError(f"{expression!r}: one of day-of-month and day-of-week must be '?'")
    if year != "*":
        raise ValueError(f"{expression!r}: the year field must be '*'")
    unix = " ".join(f.replace("?", "*") for f in (minutes, hours, dom, month, dow))
    if not croniter.is_valid(unix):
        raise ValueError(f"{expression!r} is not a valid cron expression")
    return unix


def next_runs(expression: str, after: datetime, until: datetime) -> list[datetime]:
    """The schedule's fire times t with after < t <= until."""
    runs = []
    it = croniter(aws_cron_to_unix(expression), after)
    while (moment := it.get_next(datetime)) <= until:
        runs.append(moment)
    return runs

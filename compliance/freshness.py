"""When the jobs that open and resolve findings last succeeded: what a page may claim about them.

A page says «Открытых замечаний нет» only once every job that could have opened the finding has
run; before that it says «Проверка ещё не выполнялась» (issue 12, item 1).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Max

from .models import JobRun


def jobs_last_success(names: Iterable[str] | None = None) -> dict[str, datetime.datetime]:
    """Job name → the end of its last successful run (jobs never run are absent), one query."""
    runs = JobRun.objects.filter(status=JobRun.Status.SUCCESS, finished_at__isnull=False)
    if names is not None:
        runs = runs.filter(name__in=list(names))
    rows = runs.order_by().values("name").annotate(finished=Max("finished_at"))
    return {row["name"]: row["finished"] for row in rows}


def checked_at(names: Iterable[str]) -> datetime.datetime | None:
    """The oldest last success of the jobs named; None while any of them has never succeeded."""
    names = list(names)
    runs = jobs_last_success(names)
    if any(name not in runs for name in names):
        return None
    return min(runs.values()) if runs else None

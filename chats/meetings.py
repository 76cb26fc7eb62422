"""Reads for the meetings log (points 5 and 7.3): the school's meetings and the month's summary."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from staff.access import visible_to
from staff.models import School

from .models import Meeting


def meeting_list(*, user) -> QuerySet[Meeting]:
    """Meetings the user may see (``chats/access.py``: staff see their school's log)."""
    return visible_to(user, Meeting.objects.select_related("chat", "recorded_by__person"))


def current_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def today() -> datetime.date:
    return timezone.localdate()


def meeting_kind_counts(
    *, school: School, start: datetime.date, following: datetime.date
) -> list[dict]:
    """Meetings of the month by kind, in one grouped query (the month's summary line)."""
    counts = dict(
        Meeting.objects.filter(school=school, held_on__gte=start, held_on__lt=following)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return [
        {"kind": kind, "label": label, "count": counts.get(kind, 0)}
        for kind, label in Meeting.Kind.choices
    ]

"""Trends: every school's headline figures stored once a day, and read back as a series."""

from __future__ import annotations

import datetime

from django.utils import timezone

from compliance.jobs import RunReport
from compliance.models import DashboardSnapshot
from staff.models import School

from .selectors import SchoolBoard, boards_build

# --- Trends: the daily snapshot ------------------------------------------------------------------


def snapshot_figures(board: SchoolBoard) -> dict:
    figures = board.headline.as_dict()
    figures["points"] = board.status_counts
    figures["order"] = {"id": board.order.pk, "number": board.order.number} if board.order else None
    return figures


def dashboard_snapshot_all(*, report: RunReport, today: datetime.date | None = None) -> RunReport:
    """Store every school's headline figures for ``today``: one row per school per day.

    The figures of all schools come from ``boards_build`` (a fixed number of queries), and one
    ``INSERT … ON CONFLICT (school, date) DO UPDATE`` writes them, so a second run the same day —
    or two workers at once — leaves one row per school holding the latest figures.
    """
    today = today or timezone.localdate()
    boards = boards_build(schools=School.objects.all(), today=today, with_responsible=False)
    DashboardSnapshot.objects.bulk_create(
        [
            DashboardSnapshot(school=board.school, date=today, figures=snapshot_figures(board))
            for board in boards
        ],
        update_conflicts=True,
        unique_fields=["school", "date"],
        update_fields=["figures"],
    )
    report.add("snapshots", len(boards))
    return report


def snapshot_series(
    *, school: School, today: datetime.date, days: int = 90, live: SchoolBoard | None = None
):
    """The school's snapshots of the last ``days`` days, oldest first;
    today's live figures at the end."""
    series = [
        (snapshot.date, snapshot.figures)
        for snapshot in DashboardSnapshot.objects.filter(
            school=school, date__gt=today - datetime.timedelta(days=days), date__lte=today
        ).order_by("date")
    ]
    if live is not None:
        series = [item for item in series if item[0] != today] + [(today, snapshot_figures(live))]
    return series

"""Trends: every school's headline figures stored once a day, and read back as a series."""

from __future__ import annotations

import datetime

from django.utils import timezone

from compliance.jobs import RunReport
from compliance.models import DashboardSnapshot
from staff.models import School

from .selectors import SchoolBoard, boards_build

# --- Trends: the daily snapshot ------------------------------------------------------------------


def snapshot_figures(board: SchoolBoard, *, today: datetime.date | None = None) -> dict:
    """The headline figures, the points by status and, for the inspector's table
    (``board.standings``), every point's status and figure by number, with when they were
    computed."""
    today = today or timezone.localdate()
    figures = board.headline.as_dict()
    figures["points"] = board.status_counts
    figures["order"] = (
        {"id": board.order.pk, "number": board.order.number, "date": board.order.date.isoformat()}
        if board.order
        else None
    )
    figures["cells"] = {
        row.point.number: {
            "s": row.status.value,
            **(
                {"d": row.figure.done, "t": row.figure.total, "u": row.unit}
                if row.figure is not None
                else {}
            ),
        }
        for row in board.points
    }
    figures["date"] = today.isoformat()
    figures["computed_at"] = timezone.now().isoformat()
    return figures


def snapshots_store(*, figures_by_school: dict[int, dict], today: datetime.date) -> int:
    """Today's figures of these schools in one ``INSERT … ON CONFLICT (school, date) DO UPDATE``."""
    DashboardSnapshot.objects.bulk_create(
        [
            DashboardSnapshot(school_id=school_id, date=today, figures=figures)
            for school_id, figures in figures_by_school.items()
        ],
        update_conflicts=True,
        unique_fields=["school", "date"],
        update_fields=["figures"],
    )
    return len(figures_by_school)


def dashboard_snapshot_all(*, report: RunReport, today: datetime.date | None = None) -> RunReport:
    """Store every school's headline figures for ``today``: one row per school per day.

    The figures of all schools come from ``boards_build`` (a fixed number of queries), and one
    ``INSERT … ON CONFLICT (school, date) DO UPDATE`` writes them, so a second run the same day —
    or two workers at once — leaves one row per school holding the latest figures.
    """
    today = today or timezone.localdate()
    boards = boards_build(schools=School.objects.all(), today=today, with_responsible=False)
    stored = snapshots_store(
        figures_by_school={
            board.school.pk: snapshot_figures(board, today=today) for board in boards
        },
        today=today,
    )
    report.add("snapshots", stored)
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
        series = [item for item in series if item[0] != today] + [
            (today, snapshot_figures(live, today=today))
        ]
    return series

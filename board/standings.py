"""The inspector's table at the region's scale: every school's standing read from its stored
figures, not recomputed on each page.

Computing the boards of 400 schools is seconds of grouped queries (``bench_board``); the table must
answer in a fraction of that whatever the number of schools. So each school's last computed figures
(``board.snapshots.snapshot_figures``: the counts by status, every point's status and figure) are
kept in its ``DashboardSnapshot`` of the day, refreshed by the snapshot job (hourly) and by this
module for any school whose figures are missing or older than ``INSPECTOR_STANDING_MAX_AGE``
seconds. A page is then: one query for the visible schools with their latest figures, sorting and
slicing in memory (a few hundred small dicts), and a bounded recomputation of the stale ones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from compliance.models import DashboardSnapshot
from compliance.registry import PointStatus
from staff.models import School

from .selectors import STATUS_CODES, STATUS_SEVERITY, boards_build, point_number_key, share
from .snapshots import snapshot_figures, snapshots_store

SORTS = ("lag", "municipality", "name")


@dataclass
class Cell:
    number: str
    status: PointStatus
    done: int | None = None
    total: int | None = None
    unit: str = ""

    @property
    def code(self) -> str:
        return STATUS_CODES[self.status]

    @property
    def figure_text(self) -> str:
        if self.total is None:
            return ""
        return _("%(done)s из %(total)s %(unit)s") % {
            "done": self.done,
            "total": self.total,
            "unit": self.unit,
        }


@dataclass
class Standing:
    """One line of the inspector's table: a school and its figures as last computed."""

    school: School
    figures: dict[str, Any]

    @property
    def computed_at(self) -> datetime.datetime | None:
        raw = self.figures.get("computed_at")
        return parse_datetime(raw) if raw else None

    @property
    def order(self) -> dict | None:
        return self.figures.get("order")

    @property
    def order_date(self) -> datetime.date | None:
        raw = (self.order or {}).get("date")
        return datetime.date.fromisoformat(raw) if raw else None

    @property
    def counts(self) -> dict[str, int]:
        points = self.figures.get("points") or {}
        return {status.value: int(points.get(status.value, 0)) for status in STATUS_SEVERITY}

    @property
    def cells(self) -> dict[str, Cell]:
        return {
            number: Cell(
                number=number,
                status=PointStatus(raw["s"]),
                done=raw.get("d"),
                total=raw.get("t"),
                unit=raw.get("u", ""),
            )
            for number, raw in (self.figures.get("cells") or {}).items()
        }

    @property
    def lag(self) -> tuple:
        """Worst first, as the board's ``SchoolBoard.severity``: no order, then overdue, not done,
        partial, then the smallest share done."""
        counts = self.counts
        measured = sum(counts.values()) - counts[PointStatus.NOT_MEASURED]
        return (
            self.order is not None,
            -counts[PointStatus.OVERDUE],
            -counts[PointStatus.NOT_DONE],
            -counts[PointStatus.PARTIAL],
            share(counts[PointStatus.DONE], measured) or 0,
            self.school.short_name,
            self.school.pk,
        )


def _fresh(figures: dict | None, *, now: datetime.datetime, today: datetime.date) -> bool:
    if not figures or "cells" not in figures or figures.get("date") != today.isoformat():
        return False
    computed_at = parse_datetime(figures.get("computed_at") or "")
    max_age = settings.INSPECTOR_STANDING_MAX_AGE
    return computed_at is not None and (now - computed_at).total_seconds() <= max_age


def standings_list(
    *, schools: QuerySet[School], today: datetime.date | None = None
) -> list[Standing]:
    """Every school of ``schools`` (already narrowed to the reader's) with its latest figures;
    the missing or stale ones computed now (one ``boards_build`` for all of them) and stored."""
    today = today or timezone.localdate()
    now = timezone.now()
    latest = DashboardSnapshot.objects.filter(school=OuterRef("pk")).order_by("-date")
    rows = list(
        schools.select_related("municipality")
        .order_by()
        .annotate(latest_figures=Subquery(latest.values("figures")[:1], output_field=JSONField()))
    )
    stale = [
        school.pk for school in rows if not _fresh(school.latest_figures, now=now, today=today)
    ]
    computed: dict[int, dict] = {}
    if stale:
        boards = boards_build(
            schools=School.objects.filter(pk__in=stale), today=today, with_responsible=False
        )
        computed = {board.school.pk: snapshot_figures(board, today=today) for board in boards}
        snapshots_store(figures_by_school=computed, today=today)
    return [
        Standing(school=school, figures=computed.get(school.pk) or school.latest_figures or {})
        for school in rows
    ]


def standings_sort(standings: list[Standing], *, sort: str) -> list[Standing]:
    if sort == "municipality":
        return sorted(standings, key=lambda s: (s.school.municipality.name, s.lag))
    if sort == "name":
        return sorted(standings, key=lambda s: (s.school.short_name, s.school.pk))
    return sorted(standings, key=lambda s: s.lag)


@dataclass
class MunicipalitySummary:
    name: str
    schools: int = 0
    overdue: int = 0
    not_done: int = 0
    partial: int = 0
    done: int = 0
    without_order: int = 0


def municipality_summaries(standings: list[Standing]) -> list[MunicipalitySummary]:
    """The regional inspector's grouping: each municipality's schools and their points, worst
    municipality (most overdue points per school) first."""
    by_name: dict[str, MunicipalitySummary] = {}
    for standing in standings:
        name = standing.school.municipality.name
        summary = by_name.setdefault(name, MunicipalitySummary(name=name))
        counts = standing.counts
        summary.schools += 1
        summary.overdue += counts[PointStatus.OVERDUE]
        summary.not_done += counts[PointStatus.NOT_DONE]
        summary.partial += counts[PointStatus.PARTIAL]
        summary.done += counts[PointStatus.DONE]
        summary.without_order += standing.order is None
    return sorted(
        by_name.values(),
        key=lambda m: (-m.without_order, -(m.overdue / m.schools), -m.not_done, m.name),
    )


def standings_numbers(standings: list[Standing]) -> list[str]:
    return sorted(
        {number for s in standings for number in s.figures.get("cells") or {}}, key=point_number_key
    )

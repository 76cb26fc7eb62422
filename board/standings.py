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
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from compliance.models import DashboardSnapshot
from compliance.registry import PointStatus
from staff.models import School

from .selectors import STATUS_SEVERITY, boards_build, share
from .snapshots import snapshot_figures, snapshots_store
from .words import point_number_key

SORTS = ("lag", "municipality", "name")


@dataclass
class Standing:
    """One line of the inspector's table: a school and its figures as last computed."""

    school: School
    figures: dict[str, Any]
    snapshot_id: int | None = None  # set while only the summary of the figures is read

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
    if not figures or figures.get("date") != today.isoformat():
        return False
    computed_at = parse_datetime(figures.get("computed_at") or "")
    max_age = settings.INSPECTOR_STANDING_MAX_AGE
    return computed_at is not None and (now - computed_at).total_seconds() <= max_age


# What every school's line needs for sorting, grouping and freshness; the rest of its figures
# (the point cells, the headline) is read for the page's schools only (``standings_complete``).
_SUMMARY_KEYS = ("points", "order", "date", "computed_at")


def standings_list(
    *, schools: QuerySet[School], today: datetime.date | None = None
) -> list[Standing]:
    """Every school of ``schools`` (already narrowed to the reader's) with the summary of its
    latest figures; the missing or stale ones computed now (one ``boards_build`` for all of
    them) and stored."""
    today = today or timezone.localdate()
    now = timezone.now()
    latest = DashboardSnapshot.objects.filter(school=OuterRef("pk")).order_by("-date")
    summary_sql = JSONObject(id="pk", **{key: f"figures__{key}" for key in _SUMMARY_KEYS})
    rows = list(
        schools.select_related("municipality")
        .order_by()
        .annotate(
            latest_summary=Subquery(
                latest.annotate(summary=summary_sql).values("summary")[:1], output_field=JSONField()
            )
        )
    )
    summaries = {school.pk: _decoded(school.latest_summary) for school in rows}
    stale = [pk for pk, summary in summaries.items() if not _fresh(summary, now=now, today=today)]
    computed: dict[int, dict] = {}
    if stale:
        boards = boards_build(
            schools=School.objects.filter(pk__in=stale), today=today, with_responsible=False
        )
        computed = {board.school.pk: snapshot_figures(board, today=today) for board in boards}
        snapshots_store(figures_by_school=computed, today=today)
    standings = []
    for school in rows:
        figures = computed.get(school.pk)
        standing = Standing(school=school, figures=figures or summaries[school.pk])
        standing.snapshot_id = None if figures else summaries[school.pk].get("id")
        standings.append(standing)
    return standings


def _decoded(value) -> dict:
    """The summary as a dict (a JSON object built in SQL comes back as text on some backends)."""
    if isinstance(value, str):
        value = json.loads(value)
    return value or {}


def standings_complete(standings: list[Standing]) -> None:
    """Read the whole figures of these standings (a page of the table) in one query."""
    wanted = {s.snapshot_id: s for s in standings if s.snapshot_id is not None}
    if not wanted:
        return
    for snapshot_id, figures in DashboardSnapshot.objects.filter(pk__in=wanted).values_list(
        "pk", "figures"
    ):
        wanted[snapshot_id].figures = figures
        wanted[snapshot_id].snapshot_id = None


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

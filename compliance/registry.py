"""The registry of compliance checks.

Each app registers the checks it knows how to compute (in its ``checks.py``); the orders app knows
only this registry. A point of an order names a check by key, so a new order reuses the same checks.

A check counts many schools at once in one grouped query whatever their size (``figure_rows``) and
gives a figure per school: how many of how many things are as the order wants them. The board needs
a dozen checks at once and asks for all of them in one round trip (``checks_evaluate``).

The keys in use, by the app that registers them (order No. 883's point in brackets):
- staff:       ``classes_have_teacher`` (3), ``staff_status_confirmed`` (3),
               ``teachers_trained`` (7.2)
- orders:      ``regulation_attached`` (1), ``person_in_charge_today`` (2),
               ``regulation_published`` (8),
               ``order_acknowledged`` (footer: the acknowledgement sheet)
- invitations: ``no_stale_invitations`` (3), ``join_requests_timely`` (3)
- chats:       ``class_chats`` (4), ``meetings_this_month`` (5), ``school_chats`` (6),
               ``platform_events`` (7.3), ``class_chat_coverage`` (4: members against the lists)
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import CharField, IntegerField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PointStatus(models.TextChoices):
    DONE = "done", _("выполнено")
    PARTIAL = "partial", _("частично")
    NOT_DONE = "not_done", _("не выполнено")
    OVERDUE = "overdue", _("просрочено")
    NOT_MEASURED = "not_measured", _("не измеряется")


@dataclass(frozen=True)
class Figure:
    done: int
    total: int
    late: int = 0  # of ``done``, how many were done after the point's deadline

    @property
    def done_late(self) -> bool:
        return self.complete and self.late > 0

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "total": self.total}


_NOTHING_TO_DO = Figure(done=0, total=0)


class Check:
    """A measurable requirement. Subclasses set ``key``, ``title`` and ``unit``
    and say how to count.

    A check counts in SQL: ``figure_rows`` is a grouped query
    with the columns ``school_id``, ``done``
    and ``total`` (one row per school at most). The board evaluates every check it needs in one
    round trip (``checks_evaluate`` unites their queries); ``evaluate`` runs one check on its own.
    """

    key: str = ""
    title: StrOrPromise = ""
    unit: StrOrPromise = ""  # what is counted, for the figure: «классов», «ссылок», …
    # The check's rows also give ``late``: how many of ``done`` were done after the deadline (a
    # point done late is «выполнено с опозданием», not «просрочено» forever).
    counts_late: bool = False

    @property
    def absent(self) -> Figure | None:
        """The figure of a school the rows say nothing about: 0 of 0 — nothing to do, so
        complete — unless a check sets another (a class attribute or a property; None: such a
        school is not measured)."""
        return _NOTHING_TO_DO

    def figure_rows(self, *, school_ids: list[int], today: datetime.date) -> QuerySet:
        raise NotImplementedError

    def figures(self, *, school_ids: list[int], rows: Iterable) -> dict[int, Figure]:
        """Figures per school from ``(school_id, done, total)`` rows."""
        figures = (
            {} if self.absent is None else {school_id: self.absent for school_id in school_ids}
        )
        for school_id, done, total, *late in rows:
            figures[school_id] = Figure(
                done=int(done or 0), total=int(total or 0), late=int((late or [0])[0] or 0)
            )
        return figures

    def evaluate(self, *, school_ids: Iterable[int], today: datetime.date) -> dict[int, Figure]:
        return checks_evaluate(
            school_ids_by_check={self.key: school_ids}, today=today, checks={self.key: self}
        )[self.key]

    def missing_url(self, *, school_id: int) -> str | None:
        """Where a person sees what is missing; None when there is no such page yet."""
        return None

    def missing_url_for_point(self, *, point) -> str | None:
        """The same for one point (``point.order`` loaded);
        checks about an order narrow it to that order."""
        return self.missing_url(school_id=point.order.school_id)


FIGURE_COLUMNS = ("school_id", "done", "total")


def checks_evaluate(
    *,
    school_ids_by_check: Mapping[str, Iterable[int]],
    today: datetime.date,
    checks: dict[str, Check] | None = None,
) -> dict[str, dict[int, Figure]]:
    """The figures of many checks for many schools in one query: their ``figure_rows`` united.

    ``checks`` defaults to the registry; keys with no registered check are left out of the answer.
    """
    checks = checks if checks is not None else _registry
    parts: list[QuerySet] = []
    asked: dict[str, list[int]] = {}
    for key, school_ids in school_ids_by_check.items():
        check = checks.get(key)
        if check is None:
            continue
        asked[key] = sorted(set(school_ids))
        if asked[key]:
            # No ORDER BY in a part: SQLite refuses one inside a compound statement.
            rows = check.figure_rows(school_ids=asked[key], today=today).order_by()
            if not check.counts_late:
                rows = rows.annotate(late=Value(0, output_field=IntegerField()))
            parts.append(
                rows.annotate(check_key=Value(key, output_field=CharField())).values_list(
                    "check_key", *FIGURE_COLUMNS, "late"
                )
            )
    rows_by_check: dict[str, list] = defaultdict(list)
    if parts:
        for key, *row in parts[0].union(*parts[1:], all=True):
            rows_by_check[key].append(row)
    return {
        key: checks[key].figures(school_ids=school_ids, rows=rows_by_check[key])
        for key, school_ids in asked.items()
    }


_registry: dict[str, Check] = {}


def register(check_class: type[Check]) -> type[Check]:
    check = check_class()
    if not check.key:
        raise ValueError(f"{check_class.__name__} has no key")
    if check.key in _registry and type(_registry[check.key]) is not check_class:
        raise ValueError(f"Check key {check.key!r} is registered twice")
    _registry[check.key] = check
    return check_class


def get_check(key: str) -> Check | None:
    return _registry.get(key)


def all_checks() -> dict[str, Check]:
    return dict(_registry)


def check_choices() -> list[tuple[str, str]]:
    return [(key, str(check.title)) for key, check in sorted(_registry.items())]


def done_late(status: PointStatus, figure: Figure | None) -> bool:
    """The point is done, and was done after its deadline («выполнено с опозданием»)."""
    return status == PointStatus.DONE and figure is not None and figure.done_late


def status_label(status: PointStatus, figure: Figure | None) -> str:
    """The status in words; a point done after its deadline says so."""
    if done_late(status, figure):
        return str(_("выполнено с опозданием"))
    return str(status.label)


def point_status(
    *, figure: Figure | None, deadline: datetime.date | None, today: datetime.date
) -> PointStatus:
    """The status of a point from its check's figure and its deadline."""
    if figure is None:
        return PointStatus.NOT_MEASURED
    if figure.complete:
        return PointStatus.DONE
    if deadline is not None and deadline < today:
        return PointStatus.OVERDUE
    if figure.done > 0:
        return PointStatus.PARTIAL
    return PointStatus.NOT_DONE


@dataclass(frozen=True)
class PointResult:
    status: PointStatus
    figure: Figure | None

    @property
    def label(self) -> str:
        return status_label(self.status, self.figure)

    @property
    def done_late(self) -> bool:
        return done_late(self.status, self.figure)


def points_evaluate(
    *, points: Iterable, today: datetime.date | None = None
) -> dict[int, PointResult]:
    """Live status of every point of an order given, in one query whatever the number of points,
    checks or schools: each point's check figure for its school, then ``point_status``.

    A point (``orders.OrderPoint``) gives ``pk``, ``check_key``, ``deadline`` and its order's
    ``school_id``: ``order`` must be loaded (``select_related("order")``).
    """
    today = today or timezone.localdate()
    points = list(points)
    schools_by_check: dict[str, set[int]] = defaultdict(set)
    for point in points:
        if point.check_key:
            schools_by_check[point.check_key].add(point.order.school_id)
    figures = checks_evaluate(school_ids_by_check=schools_by_check, today=today)
    results = {}
    for point in points:
        figure = (
            figures.get(point.check_key, {}).get(point.order.school_id) if point.check_key else None
        )
        results[point.pk] = PointResult(
            status=point_status(figure=figure, deadline=point.deadline, today=today), figure=figure
        )
    return results

"""The registry of compliance checks.

Each app registers the checks it knows how to compute (in its ``checks.py``); the orders app knows
only this registry. A point of an order names a check by key, so a new order reuses the same checks.

A check evaluates many schools at once, in a fixed number of queries whatever their size, and
returns a figure per school: how many of how many things are as the order wants them.

The keys in use, by the app that registers them (order No. 883's point in brackets):
- staff:       ``classes_have_teacher`` (3), ``staff_status_confirmed`` (3), ``teachers_trained`` (7.2)
- orders:      ``regulation_attached`` (1), ``person_in_charge_today`` (2), ``regulation_published`` (8),
               ``order_acknowledged`` (footer: the acknowledgement sheet)
- invitations: ``no_stale_invitations`` (3), ``join_requests_timely`` (3)
- chats:       ``class_chats`` (4), ``meetings_this_month`` (5), ``school_chats`` (6), ``platform_events`` (7.3)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "total": self.total}


class Check:
    """A measurable requirement. Subclasses set ``key`` and ``title`` and implement ``evaluate``."""

    key: str = ""
    title: str = ""
    unit: str = ""  # what is counted, for the figure: «классов», «ссылок», …

    def evaluate(self, *, school_ids: Iterable[int], today: datetime.date) -> dict[int, Figure]:
        raise NotImplementedError

    def missing_url(self, *, school_id: int) -> str | None:
        """Where a person sees what is missing; None when there is no such page yet."""
        return None

    def missing_url_for_point(self, *, point) -> str | None:
        """The same for one point (``point.order`` loaded); checks about an order narrow it to that order."""
        return self.missing_url(school_id=point.order.school_id)


def figures_from_rows(
    school_ids: Iterable[int], rows, *, school: str = "school_id", done: str = "done", total: str = "total"
) -> dict[int, Figure]:
    """Figures from a grouped query's rows; a school with no row counts 0 of 0 (nothing to do)."""
    figures = {school_id: Figure(done=0, total=0) for school_id in school_ids}
    for row in rows:
        figures[row[school]] = Figure(done=row[done], total=row[total])
    return figures


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


def point_status(*, figure: Figure | None, deadline: datetime.date | None, today: datetime.date) -> PointStatus:
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

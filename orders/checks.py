"""Compliance checks of the orders app: regulation (points 1, 8), person in charge (2), acknowledgement.

Each check looks at the orders of the given schools that bind a point to it (closed orders aside) and
answers in one or two queries whatever the number of schools, orders or people.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from staff.models import Absence, Person

from .compliance import Check, Figure, register
from .models import Order, OrderPoint, Regulation, Responsibility


def _orders_binding(key: str, school_ids: Iterable[int]):
    """Orders of the schools (not closed) with at least one point bound to the check ``key``."""
    bound = OrderPoint.objects.filter(order=OuterRef("pk"), check_key=key)
    return Order.objects.filter(school_id__in=list(school_ids)).exclude(status=Order.Status.CLOSED).filter(Exists(bound))


def _sum_by_school(rows) -> dict[int, Figure]:
    done: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    for school_id, row_done, row_total in rows:
        done[school_id] += row_done
        total[school_id] += row_total
    return {school_id: Figure(done=done[school_id], total=total[school_id]) for school_id in total}


class _OrderCheck(Check):
    """A check about orders: the school-wide link is the list of orders, a point links to its order."""

    def missing_url(self, *, school_id):
        return reverse("orders:list")


def absent_on(today: datetime.date, person_ref: str = "person") -> Exists:
    """Is the person (``OuterRef(person_ref)``) away on ``today``."""
    return Exists(Absence.objects.filter(person=OuterRef(person_ref), starts_on__lte=today, ends_on__gte=today))


@register
class RegulationAttached(_OrderCheck):
    key = "regulation_attached"
    title = _("Положение утверждено и приложено к приказу")
    unit = _("приказов")

    def evaluate(self, *, school_ids, today):
        with_file = Regulation.objects.filter(order=OuterRef("pk")).exclude(file="")
        rows = (
            _orders_binding(self.key, school_ids)
            .annotate(attached=Exists(with_file))
            .values_list("school_id", "attached")
        )
        return _sum_by_school((school_id, int(attached), 1) for school_id, attached in rows)

    def missing_url_for_point(self, *, point):
        return reverse("orders:regulations", args=[point.order_id])


@register
class PersonInChargeToday(_OrderCheck):
    """Every duty of the order has somebody answering for it today: the primary, or a backup if away."""

    key = "person_in_charge_today"
    title = _("Есть ответственный на сегодня (с учётом замещения)")
    unit = _("пунктов")

    def evaluate(self, *, school_ids, today):
        available = Responsibility.objects.filter(
            point=OuterRef("pk"),
            role__in=[Responsibility.Role.PRIMARY, Responsibility.Role.BACKUP],
            person__is_active=True,
        ).filter(~absent_on(today))
        anyone_named = Responsibility.objects.filter(point=OuterRef("pk"))
        rows = (
            OrderPoint.objects.filter(order__school_id__in=list(school_ids))
            .exclude(order__status=Order.Status.CLOSED)
            .filter(Q(Exists(anyone_named)) | Q(check_key=self.key))
            .annotate(in_charge=Exists(available))
            .values_list("order__school_id", "in_charge")
        )
        return _sum_by_school((school_id, int(in_charge), 1) for school_id, in_charge in rows)

    def missing_url_for_point(self, *, point):
        return reverse("orders:detail", args=[point.order_id]) + "#responsibility"


@register
class RegulationPublished(_OrderCheck):
    """Point 8: the regulation is on the school site, published no later than the point's deadline."""

    key = "regulation_published"
    title = _("Положение опубликовано на сайте в срок")
    unit = _("приказов")

    def evaluate(self, *, school_ids, today):
        first_publication = (
            Regulation.objects.filter(order=OuterRef("pk"), published_on__isnull=False)
            .exclude(published_url="")
            .order_by("published_on")
            .values("published_on")[:1]
        )
        deadline = (
            OrderPoint.objects.filter(order=OuterRef("pk"), check_key=self.key, deadline__isnull=False)
            .order_by("deadline")
            .values("deadline")[:1]
        )
        rows = (
            _orders_binding(self.key, school_ids)
            .annotate(published_on=Subquery(first_publication), point_deadline=Subquery(deadline))
            .values_list("school_id", "published_on", "point_deadline")
        )
        return _sum_by_school(
            (school_id, int(published is not None and (due is None or published <= due)), 1)
            for school_id, published, due in rows
        )

    def missing_url_for_point(self, *, point):
        return reverse("orders:regulations", args=[point.order_id])


@register
class OrderAcknowledged(_OrderCheck):
    """The footer of the order: every person on the distribution list has read it (лист ознакомления).

    An order nobody has been sent yet counts the whole active staff of the school as not acknowledged.
    """

    key = "order_acknowledged"
    title = _("С приказом ознакомлены все сотрудники из листа рассылки")
    unit = _("сотрудников")

    def evaluate(self, *, school_ids, today):
        active = Q(acknowledgements__person__is_active=True)
        rows = list(
            _orders_binding(self.key, school_ids)
            .annotate(
                total=Count("acknowledgements", filter=active),
                done=Count("acknowledgements", filter=active & Q(acknowledgements__acknowledged_at__isnull=False)),
            )
            .values_list("school_id", "done", "total")
        )
        undistributed = {school_id for school_id, _done, total in rows if total == 0}
        if undistributed:
            staff = dict(
                Person.objects.filter(school_id__in=undistributed, is_active=True)
                .values("school_id").annotate(n=Count("pk")).values_list("school_id", "n")
            )
            rows = [(s, d, t if t else staff.get(s, 0)) for s, d, t in rows]
        return _sum_by_school(rows)

    def missing_url_for_point(self, *, point):
        return reverse("orders:acknowledgements", args=[point.order_id])


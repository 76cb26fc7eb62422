"""Compliance checks of the orders app: regulation (points 1, 8),
person in charge (2), acknowledgement.

Each check looks at the orders of the given schools that bind a point to it
(closed orders aside) and
counts them in one grouped query whatever the number of schools, orders or people; a school with no
such order is not measured.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compliance.registry import Check, register
from compliance.sql import count_subquery
from staff.models import Absence, Person

from .models import Acknowledgement, Order, OrderPoint, Regulation, Responsibility


def _orders_binding(key: str, school_ids: Iterable[int]):
    """Orders of the schools (not closed) with at least one point bound to the check ``key``."""
    bound = OrderPoint.objects.filter(order=OuterRef("pk"), check_key=key)
    return (
        Order.objects.filter(school_id__in=list(school_ids))
        .exclude(status=Order.Status.CLOSED)
        .filter(Exists(bound))
    )


class _OrderCheck(Check):
    """A check about orders: the school-wide link is the list of orders,
    a point links to its order."""

    absent = None

    def missing_url(self, *, school_id):
        return reverse("orders:list")


def absent_on(today: datetime.date, person_ref: str = "person") -> Exists:
    """Is the person (``OuterRef(person_ref)``) away on ``today``."""
    return Exists(
        Absence.objects.filter(
            person=OuterRef(person_ref), starts_on__lte=today, ends_on__gte=today
        )
    )


@register
class RegulationAttached(_OrderCheck):
    key = "regulation_attached"
    title = _("Положение утверждено и приложено к приказу")
    unit = _("приказов")

    def figure_rows(self, *, school_ids, today):
        with_file = Regulation.objects.filter(order=OuterRef("pk")).exclude(file="")
        return (
            _orders_binding(self.key, school_ids)
            .order_by()
            .values("school_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Exists(with_file)))
        )

    def missing_url_for_point(self, *, point):
        return reverse("orders:regulations", args=[point.order_id])


@register
class PersonInChargeToday(_OrderCheck):
    """Every duty of the order has somebody answering for it today:
    the primary, or a backup if away."""

    key = "person_in_charge_today"
    title = _("Есть ответственный на сегодня (с учётом замещения)")
    unit = _("пунктов")

    def figure_rows(self, *, school_ids, today):
        available = Responsibility.objects.filter(
            point=OuterRef("pk"),
            role__in=[Responsibility.Role.PRIMARY, Responsibility.Role.BACKUP],
            person__is_active=True,
        ).filter(~absent_on(today))
        anyone_named = Responsibility.objects.filter(point=OuterRef("pk"))
        return (
            OrderPoint.objects.filter(order__school_id__in=school_ids)
            .exclude(order__status=Order.Status.CLOSED)
            .filter(Q(Exists(anyone_named)) | Q(check_key=self.key))
            .order_by()
            .values(school_id=F("order__school_id"))
            .annotate(total=Count("pk"), done=Count("pk", filter=Exists(available)))
        )

    def missing_url_for_point(self, *, point):
        return reverse("orders:detail", args=[point.order_id]) + "#responsibility"


@register
class RegulationPublished(_OrderCheck):
    """Point 8: the regulation is on the school site; published after the point's deadline it is
    done late («выполнено с опозданием»)."""

    key = "regulation_published"
    title = _("Положение опубликовано на сайте")
    unit = _("приказов")
    counts_late = True

    def figure_rows(self, *, school_ids, today):
        first_publication = (
            Regulation.objects.filter(order=OuterRef("pk"), published_on__isnull=False)
            .exclude(published_url="")
            .order_by("published_on")
            .values("published_on")[:1]
        )
        deadline = (
            OrderPoint.objects.filter(
                order=OuterRef("pk"), check_key=self.key, deadline__isnull=False
            )
            .order_by("deadline")
            .values("deadline")[:1]
        )
        # Published at all is done; published after the deadline is done late (not overdue
        # forever: the school did publish it).
        late = Q(published_on__isnull=False, point_deadline__isnull=False) & Q(
            published_on__gt=F("point_deadline")
        )
        return (
            _orders_binding(self.key, school_ids)
            .alias(published_on=Subquery(first_publication), point_deadline=Subquery(deadline))
            .order_by()
            .values("school_id")
            .annotate(
                total=Count("pk"),
                done=Count("pk", filter=Q(published_on__isnull=False)),
                late=Count("pk", filter=late),
            )
        )

    def missing_url_for_point(self, *, point):
        return reverse("orders:regulations", args=[point.order_id])


@register
class OrderAcknowledged(_OrderCheck):
    """The footer of the order: every person on the distribution list
    has read it (лист ознакомления).

    An order nobody has been sent yet counts the whole active staff of the school
    as not acknowledged.
    """

    key = "order_acknowledged"
    title = _("С приказом ознакомлены все сотрудники из листа рассылки")
    unit = _("сотрудников")

    def figure_rows(self, *, school_ids, today):
        sent = Acknowledgement.objects.filter(order=OuterRef("pk"), person__is_active=True)
        staff = Person.objects.filter(school=OuterRef("school"), is_active=True)
        return (
            _orders_binding(self.key, school_ids)
            .alias(
                sent=count_subquery(sent),
                read=count_subquery(sent.filter(acknowledged_at__isnull=False)),
                staff=count_subquery(staff),
            )
            .order_by()
            .values("school_id")
            .annotate(
                total=Sum(Case(When(sent=0, then=F("staff")), default=F("sent"))), done=Sum("read")
            )
        )

    def missing_url_for_point(self, *, point):
        return reverse("orders:acknowledgements", args=[point.order_id])

"""Reads for orders: points with their live status, evaluated for many schools at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, cast

from django.contrib.auth.models import Permission
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from compliance.models import Finding
from compliance.registry import (
    PointResult,
    PointStatus,
    get_check,
    points_evaluate,
)
from staff.access import user_can, visible_to
from staff.models import Person, School
from staff.selectors import user_person, user_school

from .checks import absent_on
from .models import (
    Acknowledgement,
    AdminRegistrationRequest,
    Order,
    OrderEvent,
    OrderPoint,
    PointEvidence,
    Regulation,
    Responsibility,
)

# --- A school's current order -----------------------------------------------------------------


def orders_in_force_latest_first() -> QuerySet[Order]:
    """A school's current order is the latest one in force: the first of these for the school."""
    return Order.objects.filter(status=Order.Status.IN_FORCE).order_by("-date", "-pk")


def current_order_subquery(school_ref="pk") -> Subquery:
    return Subquery(
        orders_in_force_latest_first().filter(school=OuterRef(school_ref)).values("pk")[:1]
    )


def current_points(*, school: School) -> list[OrderPoint]:
    """The points of the school's current order (order loaded), in one query."""
    order = orders_in_force_latest_first().filter(school=school).values("pk")[:1]
    return list(
        OrderPoint.objects.filter(order_id=Subquery(order))
        .select_related("order")
        .order_by("position", "pk")
    )


# --- Who answers for a point today (point 2: the backup stands in while the primary is away) -----


@dataclass
class PointPeople:
    """The people named on a point; each person carries ``absent_today`` (bool)."""

    primary: Person | None = None
    backups: list[Person] = field(default_factory=list)
    co_executors: list[Person] = field(default_factory=list)
    in_charge: Person | None = None

    @property
    def substituting(self) -> bool:
        """The backup answers today because the primary is away (or has left)."""
        return (
            self.in_charge is not None
            and self.primary is not None
            and self.in_charge.pk != self.primary.pk
        )

    @property
    def named(self) -> bool:
        return self.primary is not None or bool(self.backups) or bool(self.co_executors)


_PEOPLE_CACHE = "_portal_people"


class _AbsentToday(Protocol):
    """A person with ``absent_today`` set: annotated by ``person_list``, assigned by
    ``point_people``."""

    absent_today: bool


def _available(person: Person) -> bool:
    return person.is_active and not cast(_AbsentToday, person).absent_today


def point_people(
    *, points: Iterable[OrderPoint], today: datetime.date | None = None
) -> dict[int, PointPeople]:
    """Primary, backups, co-executors and the person in charge today of every point, in one query.

    Each point given also keeps its entry (``named_people``), so that the rules asked about it
    afterwards (``orders/access.py``: who may add evidence) need no query of their own.
    """
    today = today or timezone.localdate()
    points = list(points)
    point_ids = [point.pk for point in points]
    people = {point_id: PointPeople() for point_id in point_ids}
    if not point_ids:
        return people
    rows = (
        Responsibility.objects.filter(point_id__in=point_ids)
        .select_related("person")
        .annotate(person_absent=absent_on(today))
        .order_by("point_id", "id")
    )
    for row in rows:
        person = row.person
        cast(_AbsentToday, person).absent_today = row.person_absent
        entry = people[row.point_id]
        if row.role == Responsibility.Role.PRIMARY:
            entry.primary = person
        elif row.role == Responsibility.Role.BACKUP:
            entry.backups.append(person)
        else:
            entry.co_executors.append(person)
    for entry in people.values():
        candidates = ([entry.primary] if entry.primary else []) + entry.backups
        entry.in_charge = next((person for person in candidates if _available(person)), None)
    for point in points:
        setattr(point, _PEOPLE_CACHE, people[point.pk])
    return people


def named_people(point: OrderPoint) -> PointPeople:
    """The people named on the point: kept from ``point_people`` when it ran over this point."""
    people = getattr(point, _PEOPLE_CACHE, None)
    return people if people is not None else point_people(points=[point])[point.pk]


def responsible_today(
    *, points: Iterable[OrderPoint], today: datetime.date | None = None
) -> dict[int, Person | None]:
    """Who answers for each point today: the primary, or the first backup present while she is
    away."""
    return {
        point_id: entry.in_charge
        for point_id, entry in point_people(points=points, today=today).items()
    }


# --- Acting for an absent colleague ---------------------------------------------------------------


@dataclass(frozen=True)
class ActingAs:
    """Whom the user stands in for today, and the read rights that come with it.

    While a primary responsible person is away, the backup in charge gets her tasks (the points),
    her reminders (the deadlines job writes to the person in charge) and her board: the *view*
    permissions of the absent person's role groups, within the same school. Write rights are not
    lent — editing an order stays with the coordinator's group (a deliberate choice: a substitute
    reads and acts on the duties, but the order itself is changed by its owners).
    """

    persons: tuple[Person, ...] = ()
    point_ids: frozenset[int] = frozenset()
    permissions: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.persons)

    def has_perm(self, perm: str) -> bool:
        return perm in self.permissions


_ACTING_CACHE = "_portal_acting_as"


def user_acts_as(user, today: datetime.date | None = None) -> ActingAs:
    """Whom ``user`` substitutes today (cached on the user object for the request). Three queries at
    most."""
    today = today or timezone.localdate()
    cache = getattr(user, _ACTING_CACHE, None)
    if cache is not None and cache[0] == today:
        return cache[1]
    acting = _user_acts_as(user, today)
    if getattr(user, "is_authenticated", False):
        setattr(user, _ACTING_CACHE, (today, acting))
    return acting


def _user_acts_as(user, today: datetime.date) -> ActingAs:
    person = user_person(user)
    if person is None:
        return ActingAs()
    primary_away = Responsibility.objects.filter(
        point=OuterRef("pk"), role=Responsibility.Role.PRIMARY
    ).filter(Q(person__is_active=False) | absent_on(today))
    points = list(
        OrderPoint.objects.filter(
            responsibilities__person=person,
            responsibilities__role=Responsibility.Role.BACKUP,
            order__school_id=person.school_id,
        )
        .exclude(order__status=Order.Status.CLOSED)
        .filter(Exists(primary_away))
        .distinct()
    )
    if not points:
        return ActingAs()
    people = point_people(points=points, today=today)
    mine = {
        point_id: entry.primary
        for point_id, entry in people.items()
        if entry.in_charge is not None
        and entry.in_charge.pk == person.pk
        and entry.primary is not None
    }
    if not mine:
        return ActingAs()
    absent = {primary.pk: primary for primary in mine.values()}
    user_ids = [primary.user_id for primary in absent.values() if primary.user_id]
    perms = (
        Permission.objects.filter(
            Q(group__user__in=user_ids) | Q(user__in=user_ids), codename__startswith="view_"
        )
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    return ActingAs(
        persons=tuple(absent.values()),
        point_ids=frozenset(mine),
        permissions=frozenset(f"{app}.{codename}" for app, codename in perms),
    )


def user_has_perm_today(user, perm: str, today: datetime.date | None = None) -> bool:
    """``user.has_perm(perm)``, or a *view* permission lent by the absent colleague the user stands
    in for."""
    return user.has_perm(perm) or (
        perm.split(".")[-1].startswith("view_") and user_acts_as(user, today).has_perm(perm)
    )


# --- Orders a user may see ------------------------------------------------------------------------


def order_list(*, user) -> QuerySet[Order]:
    """Orders the user may read (``orders/access.py``)."""
    return visible_to(user, Order.objects.select_related("school"))


def regulation_orders(*, user) -> QuerySet[Order]:
    """Orders whose regulation page the user opens: those they read, and for the web editor every
    order of their school (``orders.view_regulation``), in one query."""
    orders = order_list(user=user)
    school = user_school(user)
    if school is None or not user_can(user, "view_regulations", school):
        return orders
    return Order.objects.select_related("school").filter(
        Q(pk__in=orders.values("pk")) | Q(school=school)
    )


def regulation_list(*, user) -> QuerySet[Regulation]:
    return visible_to(user, Regulation.objects.select_related("order", "published_by__person"))


# --- The order page ------------------------------------------------------------------------------


@dataclass
class PointRow:
    point: OrderPoint
    result: PointResult
    people: PointPeople
    missing_url: str | None
    check_title: str | None
    evidence: list
    history: list


@dataclass
class AcknowledgementSummary:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def acknowledgement_summary(*, order: Order) -> AcknowledgementSummary:
    counts = Acknowledgement.objects.filter(order=order, person__is_active=True).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(acknowledged_at__isnull=False))
    )
    return AcknowledgementSummary(done=counts["done"], total=counts["total"])


def order_points(*, order: Order, today: datetime.date | None = None) -> list[PointRow]:
    """Every point of the order with its live status, people, evidence and history — a fixed number
    of queries whatever the number of points, people or schools (one evaluation per distinct
    check)."""
    today = today or timezone.localdate()
    points = list(
        order.points.select_related("order", "parent").prefetch_related(
            Prefetch("evidence", queryset=PointEvidence.objects.select_related("added_by__person"))
        )
    )
    results = points_evaluate(points=points, today=today)
    people = point_people(points=points, today=today)
    history: dict[int, list] = defaultdict(list)
    for event in OrderEvent.objects.filter(order=order, point__isnull=False).select_related(
        "actor__person"
    )[:500]:
        assert event.point_id is not None  # filtered: point__isnull=False
        history[event.point_id].append(event)
    for finding in Finding.objects.filter(order_point__order=order).order_by("-opened_at"):
        assert finding.order_point_id is not None  # filtered: order_point__order=order
        history[finding.order_point_id].append(finding)
    rows = []
    for point in points:
        check = get_check(point.check_key) if point.check_key else None
        result = results[point.pk]
        rows.append(
            PointRow(
                point=point,
                result=result,
                people=people[point.pk],
                missing_url=(
                    check.missing_url_for_point(point=point)
                    if check is not None and result.status != PointStatus.DONE
                    else None
                ),
                check_title=str(check.title) if check else None,
                evidence=list(point.evidence.all()),
                history=sorted(history[point.pk], key=_history_time, reverse=True),
            )
        )
    return rows


def _history_time(item) -> datetime.datetime:
    return item.created_at if isinstance(item, OrderEvent) else item.opened_at


def points_in_charge(*, user, today: datetime.date | None = None) -> list[OrderPoint]:
    """«Мои задачи»: the points the user answers for today, including those of an absent
    colleague."""
    today = today or timezone.localdate()
    person = user_person(user)
    if person is None:
        return []
    points = list(
        OrderPoint.objects.filter(
            responsibilities__person=person,
            responsibilities__role__in=[Responsibility.Role.PRIMARY, Responsibility.Role.BACKUP],
            order__school_id=person.school_id,
        )
        .exclude(order__status=Order.Status.CLOSED)
        .select_related("order")
        .distinct()
        .order_by("order__date", "order_id", "position")
    )
    people = point_people(points=points, today=today)
    return [
        point
        for point in points
        if (in_charge := people[point.pk].in_charge) is not None and in_charge.pk == person.pk
    ]


@dataclass(frozen=True)
class MyTask:
    point: OrderPoint
    result: PointResult

    @property
    def overdue(self) -> bool:
        return self.result.status == PointStatus.OVERDUE


def my_tasks(*, user, today: datetime.date | None = None) -> list[MyTask]:
    """«Мои задачи» with their live status (one evaluation for all): overdue ones first."""
    today = today or timezone.localdate()
    points = points_in_charge(user=user, today=today)
    results = points_evaluate(points=points, today=today)
    tasks = [MyTask(point=point, result=results[point.pk]) for point in points]
    return sorted(tasks, key=lambda task: not task.overdue)


def acknowledgements_pending(*, user) -> QuerySet[Acknowledgement]:
    """Orders sent to the user and not yet acknowledged (the start page prompt)."""
    person = user_person(user)
    if person is None:
        return Acknowledgement.objects.none()
    return (
        Acknowledgement.objects.filter(person=person, acknowledged_at__isnull=True)
        .exclude(order__status__in=[Order.Status.CLOSED, Order.Status.DRAFT])
        .select_related("order")
        .order_by("order__date")
    )


def acknowledgement_sheet(*, order: Order) -> QuerySet[Acknowledgement]:
    return order.acknowledgements.select_related("person").order_by("person__full_name", "pk")


def point_responsibilities(*, point: OrderPoint) -> QuerySet[Responsibility]:
    """The people named on a point: the primary first, then backups, then co-executors."""
    rank = Case(
        When(role=Responsibility.Role.PRIMARY, then=Value(0)),
        When(role=Responsibility.Role.BACKUP, then=Value(1)),
        default=Value(2),
    )
    return point.responsibilities.select_related("person").order_by(rank, "id")


def admin_request_list(*, user) -> QuerySet[AdminRegistrationRequest]:
    return visible_to(user, AdminRegistrationRequest.objects.select_related("order"))

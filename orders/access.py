"""Who reads and acts on orders, their points and papers (registered in ``staff.access``).

- An order is read by the roles of its school (or every school: the inspector), by whoever it was
  sent to personally (the distribution list), and by the backup standing in for an absent colleague
  who reads orders (``orders.selectors.user_acts_as`` lends *view* rights only).
- It is edited — points, people, the distribution — by the coordinator of its school; the regulation
  is uploaded by the coordinator and its publication recorded by the web editor (point 8).
- Evidence for a point: the coordinator, or anyone named on it.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from staff.access import rule, visibility, visible_to
from staff.models import Municipality, School
from staff.roles import Role
from staff.rules import own_school, school_scoped
from staff.selectors import (
    filter_by_permission,
    inspects_school,
    user_person,
    user_sees_all_schools,
)

from .models import (
    Acknowledgement,
    AdminRegistrationRequest,
    Order,
    OrderEvent,
    OrderPoint,
    OrderTemplate,
    OrderTemplatePoint,
    PointEvidence,
    Regulation,
    Reminder,
    Responsibility,
)
from .selectors import named_people, user_acts_as, user_has_perm_today

school_scoped(Regulation, AdminRegistrationRequest)
school_scoped(OrderPoint, Acknowledgement, OrderEvent, school_field="order__school")
school_scoped(Responsibility, PointEvidence, Reminder, school_field="point__order__school")


@visibility(Order)
def orders_visible(
    user, queryset: QuerySet[Order], today: datetime.date | None = None
) -> QuerySet[Order]:
    """By role in their school (or every school), lent by an absent colleague the user stands in
    for on ``today``, or sent to them personally (the distribution list)."""
    visible = filter_by_permission(queryset=queryset, user=user, codename="view_order")
    person = user_person(user)
    if person is None or user_sees_all_schools(user) or user.has_perm("orders.view_order"):
        return visible
    condition = Q(acknowledgements__person=person)
    if user_acts_as(user, today).has_perm("orders.view_order"):
        condition |= Q(school_id=person.school_id)
    return queryset.filter(
        Q(pk__in=visible.values("pk")) | Q(pk__in=Order.objects.filter(condition).values("pk"))
    )


def _same_school(user, school_id: int) -> bool:
    return user.is_superuser or own_school(user, school_id)


@rule(Order, "edit")
def _edit_order(user, order: Order) -> bool:
    """Create and edit orders, points, responsibilities: the coordinator of the order's school."""
    return user.has_perm("orders.change_order") and _same_school(user, order.school_id)


@rule(Order, "view_sheet")
def _view_sheet(user, order: Order) -> bool:
    """The acknowledgement sheet: the school's readers of it (lent to a backup), the inspector."""
    if user_sees_all_schools(user):
        return inspects_school(user, order.school_id)
    return own_school(user, order.school_id) and user_has_perm_today(
        user, "orders.view_acknowledgement"
    )


@rule(Order, "acknowledge")
def _acknowledge(user, order: Order) -> bool:
    """«Ознакомлен(а)»: whoever the order was sent to."""
    person = user_person(user)
    return person is not None and order.acknowledgements.filter(person=person).exists()


@rule(School, "add_order")
def _add_order(user, school: School) -> bool:
    return own_school(user, school.pk) and user.has_perm("orders.add_order")


# --- Points ---------------------------------------------------------------------------------------


@rule(OrderPoint, "add_evidence")
def _add_evidence(user, point: OrderPoint) -> bool:
    """The coordinator, or anyone named on the point (primary, backup, co-executor)."""
    if _edit_order(user, point.order):
        return True
    person = user_person(user)
    if person is None:
        return False
    people = named_people(point)
    named = [people.primary, *people.backups, *people.co_executors]
    return any(p is not None and p.pk == person.pk for p in named)


# --- The regulation (points 1 and 8) -------------------------------------------------------------


@rule(School, "view_regulations")
def _view_regulations(user, school: School) -> bool:
    """Every regulation page of the school, orders one does not read included: the web editor."""
    return own_school(user, school.pk) and user.has_perm("orders.view_regulation")


@rule(Order, "manage_regulation")
def _manage_regulation(user, order: Order) -> bool:
    return user.has_perm("orders.add_regulation") and _same_school(user, order.school_id)


def _is_web_editor(user) -> bool:
    """Group membership, asked once per request (the role has no write permission of its own:
    recording the publication is the only thing it may write)."""
    if not hasattr(user, "_portal_is_web_editor"):
        user._portal_is_web_editor = user.groups.filter(name=Role.WEB_EDITOR).exists()
    return user._portal_is_web_editor


@rule(Regulation, "publish")
def _publish_regulation(user, regulation: Regulation) -> bool:
    """Point 8: the web editor records the publication (and the coordinator may too)."""
    if not _same_school(user, regulation.school_id):
        return False
    if user.has_perm("orders.change_regulation"):
        return True
    return _is_web_editor(user)


# --- The e-mail registering a new administrator (point 3) ----------------------------------------


@rule(School, "send_admin_request")
def _send_admin_request(user, school: School) -> bool:
    """The operator sends it."""
    return own_school(user, school.pk) and user.has_perm("orders.add_adminregistrationrequest")


@rule(School, "view_admin_requests")
def _view_admin_requests(user, school: School) -> bool:
    """The operator, and the director who reads what was sent."""
    return own_school(user, school.pk) and (
        user.has_perm("orders.add_adminregistrationrequest")
        or user.has_perm("orders.view_adminregistrationrequest")
    )


# --- The departments' orders (templates of the schools' orders) ---------------------------------


def _templates_narrow(field: str):
    def narrow(user, queryset: QuerySet) -> QuerySet:
        municipalities = visible_to(user, Municipality.objects.all())
        return queryset.filter(**{f"{field}__in": municipalities.values("pk")})

    return narrow


visibility(OrderTemplate)(_templates_narrow("municipality"))
visibility(OrderTemplatePoint)(_templates_narrow("template__municipality"))

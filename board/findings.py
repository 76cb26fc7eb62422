"""The drill-down: the open findings of a school, by point, check or class, and who answers."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import (
    Q,
)

from chats.models import ChatRequirement
from compliance.models import Finding
from orders.models import OrderPoint
from staff.models import Person, School

from .selectors import FINDING_KEYS_BY_CHECK

# --- Drill-down: what is missing and who answers for it ------------------------------------------


def finding_list(
    *, school: School, check: str = "", point: OrderPoint | None = None, class_id: int | None = None
):
    """Open findings of one school, narrowed by compliance check, order point or class."""
    findings = (
        Finding.objects.filter(school=school, resolved_at__isnull=True)
        .select_related("school_class__class_teacher", "order_point")
        .order_by("-opened_at", "-pk")
    )
    if point is not None:
        condition = Q(order_point=point)
        if point.check_key:
            condition |= _check_condition(point.check_key)
        findings = findings.filter(condition)
    elif check:
        findings = findings.filter(_check_condition(check))
    if class_id is not None:
        findings = findings.filter(school_class_id=class_id)
    return findings


def _check_condition(check: str) -> Q:
    return Q(check_key__in=(check, *FINDING_KEYS_BY_CHECK.get(check, ()))) | Q(
        order_point__check_key=check
    )


def school_chat_owners(*, school: School) -> dict[str, list[Person]]:
    """The named owners of each school-wide chat kind (point 6), in one query."""
    links = (
        ChatRequirement.owners.through.objects.filter(chatrequirement__school=school)
        .select_related("person", "chatrequirement")
        .order_by("person__full_name")
    )
    owners: dict[str, list[Person]] = defaultdict(list)
    for link in links:
        owners[link.chatrequirement.kind].append(link.person)
    return owners


def finding_point(*, finding: Finding, points: list[OrderPoint]) -> OrderPoint | None:
    """The point of the current order a finding belongs to: its own,
    or the one bound to its check."""
    if finding.order_point_id:
        return next((p for p in points if p.pk == finding.order_point_id), finding.order_point)
    for point in points:
        if point.check_key and (
            finding.check_key == point.check_key
            or finding.check_key in FINDING_KEYS_BY_CHECK.get(point.check_key, ())
        ):
            return point
    return None

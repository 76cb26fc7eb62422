"""A school's order made from its education department's order (№ 935 → the school's № 883).

The department's order is an ``OrderTemplate``: its points are copied with the same numbers and the
same check keys (so the school's board measures exactly what the department asked), ``{школа}`` in
a point's text becomes the school's name, and each deadline is counted from the school's own order
date. Making the same school's order twice (same number and date) returns the first one.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from staff.models import Person, School

from .models import Order, OrderPoint, OrderTemplate
from .services import order_create

SCHOOL_PLACEHOLDER = "{школа}"


def template_text(text: str, *, school: School) -> str:
    return text.replace(SCHOOL_PLACEHOLDER, school.name)


@transaction.atomic
def order_create_from_template(
    *,
    template: OrderTemplate,
    school: School,
    number: str,
    date: datetime.date,
    signed_by: Person | None,
    by,
) -> Order:
    """The school's order with every point of ``template`` (idempotent on number and date)."""
    if school.municipality_id != template.municipality_id:
        raise ValueError("The template belongs to another municipality.")
    existing = Order.objects.filter(school=school, number=number, date=date).first()
    if existing is not None:
        return existing
    order = order_create(
        school=school,
        by=by,
        number=number,
        date=date,
        title=template_text(template.title, school=school),
        basis=template.basis,
        preamble=template_text(template.preamble, school=school),
        signed_by=signed_by,
        status=Order.Status.IN_FORCE,
    )
    created: dict[str, OrderPoint] = {}
    for spec in template.points.order_by("position", "pk"):
        created[spec.number] = OrderPoint.objects.create(
            order=order,
            parent=created.get(spec.parent_number) if spec.parent_number else None,
            number=spec.number,
            position=spec.position,
            text=template_text(spec.text, school=school),
            deadline=date + datetime.timedelta(days=spec.deadline_days)
            if spec.deadline_days is not None
            else None,
            check_key=spec.check_key,
        )
    return order

"""The municipal department adds a school and its director; the school's order is made from the
department's order (№ 935) as a template.

1. The school and its director's staff record (``staff``), and the director's login when one is
   asked for — in the director's group, with no usable password until one is set.
2. The chats the order requires of it (``chats``).
3. Its order from the template: the same points bound to the same checks, the school's own number,
   date, names and deadlines (``orders``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from chats.services import chat_requirements_create_defaults
from orders.from_template import order_create_from_template
from orders.models import Order, OrderTemplate
from staff.models import Municipality, Person, School
from staff.roles import Role

DIRECTOR_POSITION = "Директор"


@dataclass
class AddedSchool:
    school: School
    director: Person
    order: Order


@transaction.atomic
def school_add(
    *,
    municipality: Municipality,
    name: str,
    short_name: str,
    director_full_name: str,
    template: OrderTemplate,
    order_number: str,
    order_date: datetime.date,
    director_username: str = "",
    director_password_hash: str | None = None,
    site_url: str = "",
    by=None,
) -> AddedSchool:
    """Add the school (or find it again by its full name in the municipality: idempotent)."""
    if template.municipality_id != municipality.pk:
        raise ValueError("The template belongs to another municipality.")
    school, _created = School.objects.get_or_create(
        municipality=municipality,
        name=name,
        defaults={"short_name": short_name, "site_url": site_url},
    )
    director, _created = Person.objects.get_or_create(
        school=school,
        full_name=director_full_name,
        defaults={"position": DIRECTOR_POSITION, "staff_kind": Person.StaffKind.OTHER},
    )
    if director_username and director.user_id is None:
        user, _created = get_user_model().objects.get_or_create(username=director_username)
        if director_password_hash:
            user.password = director_password_hash
        else:
            user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.DIRECTOR))
        director.user = user
        director.save(update_fields=["user", "updated_at"])
    chat_requirements_create_defaults(school=school)
    order = order_create_from_template(
        template=template,
        school=school,
        number=order_number,
        date=order_date,
        signed_by=director,
        by=by,
    )
    return AddedSchool(school=school, director=director, order=order)

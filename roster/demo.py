"""Demo data: the gymnasium of order No. 883 (``manage.py seed_demo``).

Each app seeds its own part in its ``demo.py``; this puts them together, each after the apps it
builds on, in one transaction. Every part is keyed on natural keys and writes rights through the
services, so running the seed twice leaves the same data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chats.demo import seed_chats
from chats.demo_municipal import seed_fictional_chats
from invitations.demo import seed_links
from orders.demo import ORDER_883_DATE, seed_order
from orders.demo_template import seed_order_template
from orders.models import Order
from staff.demo import seed_staff
from staff.demo_municipal import (
    FICTIONAL_SCHOOLS,
    name_regional_inspector,
    seed_fictional_staff,
    seed_municipal_inspector,
)
from staff.models import Person, School, SchoolClass

from .schools import school_add

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class SeedResult:
    school: School
    order: Order
    people: dict[str, Person]
    classes: dict[str, SchoolClass]
    users: dict[str, User]


def seed_demo(*, password: str, now: datetime.datetime | None = None) -> SeedResult:
    """Load (or re-assert) the gymnasium of order No. 883. Idempotent; passwords are set anew."""
    now = now or timezone.now()
    with transaction.atomic():
        # The school, its people and accounts, classes 1А–11В with their class teachers, and the
        # staff records (platform statuses, training, an absence).
        demo = seed_staff(password=password)
        # The links in every status and the join requests made through them.
        seed_links(demo=demo, now=now)
        # The chats the order requires and their owners, the chats there are, this month's meetings.
        seed_chats(demo=demo, today=timezone.localdate(now))
        # The order with its points and responsible people, the regulation, the distribution list.
        order = seed_order(demo=demo)
        # The municipality around it: the department's order № 935 as the template, two fictional
        # schools of Syktyvkar made from it (one nearly complete, one just starting) and the
        # municipal inspector.
        schools = seed_municipality(school=demo.school, password=password)
    return SeedResult(
        school=demo.school,
        order=order,
        people=demo.people,
        classes=demo.classes,
        users={**demo.users, **schools},
    )


# How far each fictional school has got: classes with both chats, school-wide chats (of five).
_PROGRESS = ((11, 5), (3, 1))


def seed_municipality(*, school: School, password: str) -> dict[str, User]:
    """The template, the two fictional schools with their directors' logins, the inspector of the
    municipality; the users created by username."""
    municipality = school.municipality
    password_hash = make_password(password)
    template = seed_order_template(municipality=municipality)
    users: dict[str, User] = {}
    for index, (spec, (with_chats, school_chats)) in enumerate(
        zip(FICTIONAL_SCHOOLS, _PROGRESS, strict=True)
    ):
        added = school_add(
            municipality=municipality,
            name=spec.name,
            short_name=spec.short_name,
            director_full_name=spec.director,
            director_username=spec.director_username,
            director_password_hash=password_hash,
            template=template,
            order_number=spec.order_number,
            order_date=ORDER_883_DATE,
        )
        classes = seed_fictional_staff(school=added.school, spec=spec)
        seed_fictional_chats(
            school=added.school,
            classes=classes,
            slug=f"demo-school-{index + 1}",
            with_chats=with_chats,
            school_chats=school_chats,
        )
        director_user = added.director.user
        if director_user is not None:
            director_user.password = password_hash
            director_user.save(update_fields=["password"])
            users[spec.director_username] = director_user
    inspector = seed_municipal_inspector(municipality=municipality, password_hash=password_hash)
    name_regional_inspector()
    users[inspector.username] = inspector
    return users

"""Demo data: the gymnasium of order No. 883 (``manage.py seed_demo``).

Each app seeds its own part in its ``demo.py``; this puts them together, each after the apps it
builds on, in one transaction. Every part is keyed on natural keys and writes rights through the
services, so running the seed twice leaves the same data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from chats.demo import seed_chats
from invitations.demo import seed_links
from orders.demo import seed_order
from orders.models import Order
from staff.demo import seed_staff
from staff.models import Person, School, SchoolClass

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
    return SeedResult(
        school=demo.school,
        order=order,
        people=demo.people,
        classes=demo.classes,
        users=demo.users,
    )

"""Demo data: the gymnasium of order No. 883 (``manage.py seed_demo``).

The order's text lives in ``orders.demo`` (shared with ``generate_scale_data``). People named in
the order appear exactly as the order names them — surname and initials, with no contacts.
Everybody else (class teachers, subject teachers) is FICTIONAL: plausible names made up for the
demo, with e-mails only on the reserved domain example.org.

Everything is written through the services where rights are involved (class teachers, chat owners)
and keyed on natural keys, so running the seed twice leaves the same data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chats.demo import seed_chats
from invitations.demo import seed_links
from orders.demo import seed_order
from orders.models import Order
from staff.demo import seed_staff
from staff.models import Person, School, SchoolClass


@dataclass
class SeedResult:
    school: School
    order: Order
    people: dict[str, Person]
    classes: dict[str, SchoolClass]
    users: dict[str, object]


def seed_demo(*, password: str, now: datetime.datetime | None = None) -> SeedResult:
    """Load (or re-assert) the gymnasium of order No. 883. Idempotent; passwords are set anew."""
    now = now or timezone.now()
    with transaction.atomic():
        demo = seed_staff(password=password)
        school, people, users, classes = demo.school, demo.people, demo.users, demo.classes
        order = seed_order(demo=demo)
        seed_chats(demo=demo, today=timezone.localdate(now))
        seed_links(demo=demo, now=now)
    return SeedResult(school=school, order=order, people=people, classes=classes, users=users)

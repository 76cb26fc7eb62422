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

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from chats.demo import seed_chats
from invitations.demo import seed_links
from orders.demo import (
    ORDER_883_BASIS,
    ORDER_883_DATE,
    ORDER_883_DISTRIBUTION,
    ORDER_883_NUMBER,
    ORDER_883_POINTS,
    ORDER_883_PREAMBLE,
    ORDER_883_TITLE,
    REGULATION_TITLE,
    regulation_pdf,
)
from orders.models import Order, OrderPoint, Regulation, Responsibility
from orders.services import acknowledgements_distribute
from staff.demo import seed_staff
from staff.models import Person, School, SchoolClass

# Point → [(person key, role)]. Points 4 and 5 address every class teacher / the whole staff.
_R = Responsibility.Role
RESPONSIBILITIES: dict[str, list[tuple[str, str]]] = {
    "1": [("director", _R.PRIMARY)],
    "2": [("coordinator", _R.PRIMARY), ("engineer", _R.BACKUP)],
    "3": [("engineer", _R.PRIMARY)],
    **{spec.number: [("engineer", _R.PRIMARY)] for spec in ORDER_883_POINTS if spec.parent == "3"},
    # The director signs «обеспечить создание»; the chat owners named in the point carry it out.
    "6": [
        ("director", _R.PRIMARY),
        ("ryzhenkova", _R.CO_EXECUTOR),
        ("smetanina", _R.CO_EXECUTOR),
        ("sokirka", _R.CO_EXECUTOR),
    ],
    "7.1": [("coordinator", _R.PRIMARY)],
    "7.2": [("coordinator", _R.PRIMARY)],
    "7.3": [("coordinator", _R.PRIMARY)],
    "8": [("osipov", _R.PRIMARY)],
    "9": [("director", _R.PRIMARY)],
}

# --- The seed ----------------------------------------------------------------------------------


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
        order = _order(school, people)
        _regulation(school, order)
        _acknowledgements(order, school)
        seed_chats(demo=demo, today=timezone.localdate(now))
        seed_links(demo=demo, now=now)
    return SeedResult(school=school, order=order, people=people, classes=classes, users=users)


def _order(school: School, people: dict[str, Person]) -> Order:
    order, _created = Order.objects.update_or_create(
        school=school,
        number=ORDER_883_NUMBER,
        date=ORDER_883_DATE,
        defaults={
            "title": ORDER_883_TITLE,
            "basis": ORDER_883_BASIS,
            "preamble": ORDER_883_PREAMBLE,
            "signed_by": people["director"],
            "distribution_note": ORDER_883_DISTRIBUTION,
            "status": Order.Status.IN_FORCE,
        },
    )
    points: dict[str, OrderPoint] = {}
    for position, spec in enumerate(ORDER_883_POINTS, start=1):
        points[spec.number], _created = OrderPoint.objects.update_or_create(
            order=order,
            number=spec.number,
            defaults={
                "parent": points[spec.parent] if spec.parent else None,
                "position": position,
                "text": spec.text,
                "deadline": spec.deadline,
                "check_key": spec.check_key,
            },
        )
    for number, assignments in RESPONSIBILITIES.items():
        for person_key, role in assignments:
            Responsibility.objects.update_or_create(
                point=points[number], person=people[person_key], defaults={"role": role}
            )
    return order


def _regulation(school: School, order: Order) -> Regulation:
    regulation, _created = Regulation.objects.update_or_create(
        order=order,
        version=1,
        defaults={
            "school": school,
            "title": REGULATION_TITLE,
            "approved_on": ORDER_883_DATE,
            # Point 8 is not done yet in the demo: the web editor records the publication.
            "published_url": "",
            "published_on": None,
            "published_by": None,
        },
    )
    name = "regulations/2025/polozhenie-sferum-883.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(regulation_pdf()))
    if regulation.file.name != name:
        regulation.file.name = name
        regulation.save(update_fields=["file", "updated_at"])
    return regulation


def _acknowledgements(order: Order, school: School) -> None:
    """The distribution list: every member of staff. A re-run keeps who has already read it."""
    acknowledgements_distribute(order=order)

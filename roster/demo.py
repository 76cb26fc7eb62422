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
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from chats.models import Chat, ChatKind, ChatRequirement, Meeting
from chats.services import chat_owner_assign, chat_requirements_create_defaults
from invitations.demo import PLACEHOLDER_HOST, seed_links
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

# Owners of the five school-wide chats, as point 6 names them.
CHAT_OWNERS: dict[str, list[str]] = {
    ChatKind.SCHOOL_GENERAL: ["ryzhenkova", "smetanina"],
    ChatKind.SCHOOL_LEADERSHIP: ["director"],
    ChatKind.SCHOOL_STAFF: ["director"],
    ChatKind.SCHOOL_PARENT_COMMITTEE: ["sokirka", "ryzhenkova", "smetanina"],
    ChatKind.SCHOOL_STUDENT_COUNCIL: ["sokirka"],
}
# The demo state: which school-wide chats exist, and the gaps in the class chats.
SCHOOL_CHATS_PRESENT = (
    ChatKind.SCHOOL_GENERAL,
    ChatKind.SCHOOL_LEADERSHIP,
    ChatKind.SCHOOL_STUDENT_COUNCIL,
)
CLASS_CHATS_MISSING = {
    ("7Б", ChatKind.CLASS_PARENTS),
    ("9А", ChatKind.CLASS_PARENTS),
    ("1А", ChatKind.CLASS_STUDENTS),
}

_LATIN = {"А": "a", "Б": "b", "В": "v"}


def class_slug(grade: int, letter: str) -> str:
    return f"{grade}{_LATIN.get(letter, 'x')}"


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
        _chat_requirements(school, people)
        _chats(school, people, classes, users)
        seed_links(demo=demo, now=now)
        _meetings(school, classes, users, today=timezone.localdate(now))
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


def _chat_requirements(school: School, people: dict[str, Person]) -> None:
    chat_requirements_create_defaults(school=school)
    for requirement in ChatRequirement.objects.filter(school=school, kind__in=list(CHAT_OWNERS)):
        requirement.owners.set([people[key] for key in CHAT_OWNERS[requirement.kind]])


def _chat(
    school,
    *,
    kind,
    title,
    slug,
    owner,
    school_class=None,
    members=None,
    status=Chat.Status.ACTIVE,
    by=None,
):
    chat, _created = Chat.objects.update_or_create(
        school=school,
        kind=kind,
        school_class=school_class,
        title=title,
        defaults={
            "url": f"{PLACEHOLDER_HOST}/chat/gym883-{slug}",
            "members_count": members,
            "status": status,
            "created_by": by,
        },
    )
    return chat_owner_assign(chat=chat, person=owner)


def _chats(school, people, classes, users) -> None:
    rng = random.Random(8830)
    engineer = users["engineer"]
    for name, school_class in classes.items():
        slug = class_slug(school_class.grade, school_class.letter)
        teacher = school_class.class_teacher
        for kind, suffix, title, expected in (
            (ChatKind.CLASS_STUDENTS, "students", "учащиеся", school_class.students_expected),
            (ChatKind.CLASS_PARENTS, "parents", "родители", school_class.parents_expected),
        ):
            members = expected - rng.randint(0, 5)
            if (name, kind) in CLASS_CHATS_MISSING:
                continue
            _chat(
                school,
                kind=kind,
                school_class=school_class,
                title=f"{name} — {title}",
                slug=f"{slug}-{suffix}",
                owner=teacher,
                members=members,
                by=engineer,
            )
    # A replaced chat stays on record (archived), and a class may keep other chats (point 4).
    _chat(
        school,
        kind=ChatKind.CLASS_PARENTS,
        school_class=classes["8В"],
        title="8В — родители (прежний чат)",
        slug="8v-parents-old",
        owner=classes["8В"].class_teacher,
        members=31,
        status=Chat.Status.ARCHIVED,
        by=engineer,
    )
    _chat(
        school,
        kind=ChatKind.CLASS_OTHER,
        school_class=classes["11А"],
        title="11А — подготовка к ЕГЭ",
        slug="11a-ege",
        owner=classes["11А"].class_teacher,
        members=24,
        by=engineer,
    )
    _chat(
        school,
        kind=ChatKind.CLASS_OTHER,
        school_class=classes["5А"],
        title="5А — проектная работа",
        slug="5a-projects",
        owner=classes["5А"].class_teacher,
        members=12,
        by=users["teacher_5a"],
    )

    titles = {
        ChatKind.SCHOOL_GENERAL: ("Гимназия им. А.С. Пушкина — общешкольный чат", "general", 640),
        ChatKind.SCHOOL_LEADERSHIP: ("Директор и заместители", "leadership", 6),
        ChatKind.SCHOOL_STUDENT_COUNCIL: ("Совет учащихся (актив)", "student-council", 27),
    }
    for kind in SCHOOL_CHATS_PRESENT:
        title, slug, members = titles[kind]
        _chat(
            school,
            kind=kind,
            title=title,
            slug=slug,
            owner=people[CHAT_OWNERS[kind][0]],
            members=members,
            by=engineer,
        )


def _meetings(school, classes, users, *, today: datetime.date) -> None:
    """A few meetings (point 5) and events (7.3) this month, so those points are measured."""
    month_start = today.replace(day=1)
    parents_5a = Chat.objects.filter(
        school_class=classes["5А"], kind=ChatKind.CLASS_PARENTS, status=Chat.Status.ACTIVE
    ).first()
    leadership = Chat.objects.filter(
        school=school, kind=ChatKind.SCHOOL_LEADERSHIP, status=Chat.Status.ACTIVE
    ).first()
    rows = (
        (
            "Совещание при директоре по исполнению приказа № 883",
            Meeting.Kind.MEETING,
            Meeting.Format.ONLINE,
            1,
            leadership,
            6,
            "coordinator",
        ),
        (
            "Родительское собрание 5А",
            Meeting.Kind.MEETING,
            Meeting.Format.HYBRID,
            3,
            parents_5a,
            29,
            "teacher_5a",
        ),
        (
            "Урок информатики с применением ДОТ, 8Б",
            Meeting.Kind.LESSON,
            Meeting.Format.ONLINE,
            5,
            None,
            25,
            "engineer",
        ),
        (
            "Семинар «Возможности «Сферума» для классного руководителя»",
            Meeting.Kind.EVENT,
            Meeting.Format.HYBRID,
            7,
            None,
            31,
            "coordinator",
        ),
    )
    for topic, kind, format_, days_ago, chat, participants, recorded_by in rows:
        Meeting.objects.update_or_create(
            school=school,
            topic=topic,
            defaults={
                "kind": kind,
                "format": format_,
                "held_on": max(month_start, today - datetime.timedelta(days=days_ago)),
                "chat": chat,
                "participants": participants,
                "recorded_by": users[recorded_by],
            },
        )

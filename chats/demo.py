"""Demo data, the chats part: the chats point 4 and point 6 require and who owns them, the chats the
demo gymnasium has (with gaps, so the checks find something), and a few meetings (points 5, 7.3).

Owners are set through ``chat_owner_assign``, so their rights follow; chats are keyed on their
school, kind, class and title, so a second run leaves the same data. ``roster.demo.seed_demo`` runs
this after ``staff.demo``.
"""

from __future__ import annotations

import datetime
import random

from invitations.demo import PLACEHOLDER_HOST
from staff.demo import DemoSchool
from staff.models import Person, School

from .models import Chat, ChatKind, ChatRequirement, Meeting
from .services import chat_owner_assign, chat_requirements_create_defaults

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
    """The class in the demo's placeholder URLs: ``5b`` for 5Б."""
    return f"{grade}{_LATIN.get(letter, 'x')}"


def seed_chats(*, demo: DemoSchool, today: datetime.date) -> None:
    """The requirements and their owners, the chats, and this month's meetings."""
    _chat_requirements(demo.school, demo.people)
    _chats(demo.school, demo.people, demo.classes, demo.users)
    _meetings(demo.school, demo.classes, demo.users, today=today)


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

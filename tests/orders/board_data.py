"""Data for the board's tests: a school with known gaps, and many schools for the query counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Value
from django.utils import timezone

from chats.models import ChatKind
from chats.services import chat_requirements_create_defaults
from compliance.models import Finding
from compliance.registry import Check, Figure
from invitations.models import Invitation
from orders.models import Acknowledgement, Order, Responsibility
from staff.models import Absence, Person, School, SchoolClass, TrainingRecord
from tests.factories import (
    ChatFactory,
    InvitationFactory,
    JoinRequestFactory,
    OrderFactory,
    OrderPointFactory,
    PersonFactory,
    SchoolClassFactory,
    SchoolFactory,
)

# The check keys order No. 883 binds its points to (as seed_demo loads it).
ORDER_883_CHECKS = {
    "1": "regulation_attached",
    "2": "person_in_charge_today",
    "3.5": "classes_have_teacher",
    "3.6": "join_requests_timely",
    "3.8": "no_stale_invitations",
    "3.9": "staff_status_confirmed",
    "4": "class_chats",
    "5": "meetings_this_month",
    "6": "school_chats",
    "7.2": "teachers_trained",
    "7.3": "platform_events",
    "8": "regulation_published",
}


class FixedCheck(Check):
    """A check answering the same figure for every school,
    so the board's statuses are known in advance."""

    unit = "классов"

    def __init__(self, key: str = "", figure: Figure | None = None):
        self.key, self.figure, self.title = key, figure, f"Тестовая проверка {key}"

    def figure_rows(self, *, school_ids, today):
        return School.objects.filter(pk__in=school_ids).values(
            school_id=F("pk"), done=Value(self.figure.done), total=Value(self.figure.total)
        )


# key → figure; registered by the ``fixed_checks`` fixture for the duration of a test.
FIXED_CHECKS = {
    "board_test_done": Figure(done=3, total=3),
    "board_test_overdue": Figure(done=1, total=3),
    "board_test_partial": Figure(done=2, total=3),
    "board_test_none": Figure(done=0, total=3),
}


def register_fixed_checks(monkeypatch) -> None:
    from compliance import registry as compliance

    for key, figure in FIXED_CHECKS.items():
        monkeypatch.setitem(compliance._registry, key, FixedCheck(key, figure))


@dataclass
class GappySchool:
    school: object
    order: Order
    points: dict  # number → OrderPoint
    classes: dict  # name → SchoolClass
    people: dict  # name → Person


def build_gappy_school(school, *, today: datetime.date) -> GappySchool:
    """A school whose every headline figure and point status is known
    (see the expectations in the tests).

    Classes (active): 5А has both required chats, 5Б only the parents' chat, 6А none;
    11А is archived.
    Links: 2 active, 1 used, 1 expired, 1 annulled. Join requests: 2 pending, 1 approved.
    Findings: 3 open (one for 6А), 1 resolved. Teachers: 4 active teaching (2 trained), 1 trained
    but gone, 1 other staff. Current order №883: 4 people sent it, 3 acknowledged.
    """
    chat_requirements_create_defaults(school=school)
    now = timezone.now()
    people = {
        "Горбатенко": PersonFactory(school=school, full_name="Горбатенко Виктория Ивановна"),
        "Костюков": PersonFactory(
            school=school, full_name="Костюков Дмитрий Юрьевич", staff_kind=Person.StaffKind.OTHER
        ),
        "Гладкова": PersonFactory(school=school, full_name="Гладкова Людмила Ивановна"),
        "Осипов": PersonFactory(school=school, full_name="Осипов Андрей Александрович"),
        "Ушедший": PersonFactory(school=school, full_name="Ушедший Пётр Петрович", is_active=False),
        "Кл5А": PersonFactory(school=school, full_name="Иванова Анна Сергеевна"),
    }
    classes = {
        "5А": SchoolClassFactory(
            school=school,
            grade=5,
            letter="А",
            class_teacher=people["Кл5А"],
            students_expected=25,
            parents_expected=40,
        ),
        "5Б": SchoolClassFactory(
            school=school, grade=5, letter="Б", students_expected=25, parents_expected=40
        ),
        "6А": SchoolClassFactory(
            school=school,
            grade=6,
            letter="А",
            class_teacher=people["Кл5А"],
            students_expected=25,
            parents_expected=40,
        ),
        "11А": SchoolClassFactory(
            school=school, grade=11, letter="А", status=SchoolClass.Status.ARCHIVED
        ),
    }
    ChatFactory(school_class=classes["5А"], kind=ChatKind.CLASS_STUDENTS, members_count=20)
    ChatFactory(
        school_class=classes["5А"], kind=ChatKind.CLASS_PARENTS, members_count=50
    )  # capped at 40
    ChatFactory(school_class=classes["5Б"], kind=ChatKind.CLASS_PARENTS, members_count=30)
    ChatFactory(
        school_class=classes["6А"], kind=ChatKind.CLASS_PARENTS, members_count=30, status="archived"
    )

    InvitationFactory(school_class=classes["5А"])
    InvitationFactory(school_class=classes["5Б"])
    InvitationFactory(school_class=classes["5Б"], uses=1, status=Invitation.Status.USED)
    InvitationFactory(school_class=classes["6А"], status=Invitation.Status.EXPIRED, annulled_at=now)
    InvitationFactory(
        school_class=classes["6А"], status=Invitation.Status.ANNULLED, annulled_at=now
    )

    JoinRequestFactory(invitation=Invitation.objects.filter(school=school, status="active").first())
    JoinRequestFactory(invitation=Invitation.objects.filter(school=school, status="active").last())
    JoinRequestFactory(
        invitation=Invitation.objects.filter(school=school, status="used").first(),
        status="approved",
        reviewed_at=now,
    )

    for person in (people["Горбатенко"], people["Гладкова"], people["Ушедший"]):
        TrainingRecord.objects.create(
            school=school, person=person, course_title="Основы", completed_on=today
        )

    old = OrderFactory(school=school, number="700", date=datetime.date(2024, 9, 1))
    OrderFactory(
        school=school, number="900", date=datetime.date(2026, 1, 10), status=Order.Status.DRAFT
    )
    order = OrderFactory(
        school=school,
        number="883",
        date=datetime.date(2025, 12, 15),
        basis="Приказ Управления образования от 01.12.2025 № 935",
        signed_by=people["Гладкова"],
    )
    for name in ("Горбатенко", "Костюков", "Гладкова"):
        Acknowledgement.objects.create(order=order, person=people[name], acknowledged_at=now)
    Acknowledgement.objects.create(order=order, person=people["Осипов"])
    Acknowledgement.objects.create(
        order=old, person=people["Осипов"], acknowledged_at=now
    )  # not the current order
    Acknowledgement.objects.create(
        order=order, person=people["Ушедший"]
    )  # gone: off the sheet's count

    points = {
        "1": OrderPointFactory(order=order, number="1", position=1, check_key="board_test_done"),
        "2": OrderPointFactory(
            order=order,
            number="2",
            position=2,
            check_key="board_test_overdue",
            deadline=today - datetime.timedelta(days=1),
        ),
        "3": OrderPointFactory(order=order, number="3", position=3, check_key="board_test_partial"),
        "7.1": OrderPointFactory(order=order, number="7.1", position=4),
        "8": OrderPointFactory(order=order, number="8", position=5, check_key="no_such_check_yet"),
        "9": OrderPointFactory(order=order, number="9", position=6, check_key="board_test_none"),
    }
    # Point 1: primary present. Point 2: primary away today, the backup answers.
    # Point 3: primary away, no backup. Point 9: primary and a co-executor.
    Responsibility.objects.create(point=points["1"], person=people["Осипов"], role="primary")
    Responsibility.objects.create(point=points["2"], person=people["Горбатенко"], role="primary")
    Responsibility.objects.create(point=points["2"], person=people["Костюков"], role="backup")
    Responsibility.objects.create(point=points["3"], person=people["Ушедший"], role="primary")
    Responsibility.objects.create(point=points["9"], person=people["Гладкова"], role="primary")
    Responsibility.objects.create(
        point=points["9"], person=people["Горбатенко"], role="co_executor"
    )
    Absence.objects.create(
        person=people["Горбатенко"],
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today + datetime.timedelta(days=2),
    )

    Finding.objects.create(
        school=school,
        check_key="class_chat_missing",
        subject_key=f"class:{classes['6А'].pk}:class_parents",
        school_class=classes["6А"],
        chat_kind="class_parents",
        message="Нет чата с родителями 6А",
        opened_at=now,
    )
    Finding.objects.create(
        school=school,
        check_key="point_overdue",
        subject_key=f"point:{points['2'].pk}",
        order_point=points["2"],
        message="Пункт 2 просрочен",
        opened_at=now,
    )
    Finding.objects.create(
        school=school, check_key="something_else", subject_key="x:1", message="Иное", opened_at=now
    )
    Finding.objects.create(
        school=school,
        check_key="class_chat_missing",
        subject_key="class:0:class_students",
        message="Устранено",
        opened_at=now - datetime.timedelta(days=3),
        resolved_at=now,
    )
    return GappySchool(school=school, order=order, points=points, classes=classes, people=people)


def build_scale_school(index: int, *, classes: int = 3):
    """A school with a current №883-like order (every check key),
    classes, chats, links and findings."""
    school = SchoolFactory()
    chat_requirements_create_defaults(school=school)
    teacher = PersonFactory(school=school)
    backup = PersonFactory(school=school)
    for n in range(classes):
        school_class = SchoolClassFactory(school=school, grade=1 + n % 11, class_teacher=teacher)
        ChatFactory(school_class=school_class, kind=ChatKind.CLASS_PARENTS, members_count=10)
        InvitationFactory(school_class=school_class)
        Finding.objects.create(
            school=school,
            check_key="class_chat_missing",
            subject_key=f"class:{school_class.pk}:class_students",
            school_class=school_class,
            chat_kind="class_students",
            opened_at=timezone.now(),
        )
    order = OrderFactory(school=school, number="883")
    numbers = [
        "1",
        "2",
        "3",
        "3.5",
        "3.6",
        "3.8",
        "3.9",
        "4",
        "5",
        "6",
        "7.1",
        "7.2",
        "7.3",
        "8",
        "9",
        "test",
    ]
    for position, number in enumerate(numbers):
        point = OrderPointFactory(
            order=order,
            number=number,
            position=position,
            check_key="board_test_done" if number == "test" else ORDER_883_CHECKS.get(number, ""),
        )
        Responsibility.objects.create(point=point, person=teacher, role="primary")
        Responsibility.objects.create(point=point, person=backup, role="backup")
        Acknowledgement.objects.get_or_create(order=order, person=teacher)
    return school

"""``manage.py seed_demo``: the gymnasium of order No. 883, idempotent,
with the demo accounts of API.md."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from guardian.models import UserObjectPermission

from chats.models import Chat, ChatKind, ChatRequirement
from invitations.models import Invitation, JoinRequest
from orders.models import Acknowledgement, Order, Regulation, Responsibility
from staff.models import Person, School, SchoolClass
from staff.selectors import school_list, schoolclass_list

from ..factories import SchoolFactory

PASSWORD = "demo-pass-883"
COURSE_URL = (
    "https://www.xn--d1abkefqip0a2f.xn--p1ai/index.php/item/21299-osnovy-prepodavaniya-s-primeneniem-"
    "mnogofunktsionalnogo-servisa-obmena-informatsiej-maks-v-sootvetstvii-s-obnovlennymi-fgos"
)
POINT_NUMBERS = [
    "1",
    "2",
    "3",
    *(f"3.{n}" for n in range(1, 12)),
    "4",
    "5",
    "6",
    "7.1",
    "7.2",
    "7.3",
    "8",
    "9",
]
CHECK_KEYS = {
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
ACCOUNTS = [
    "director",
    "coordinator",
    "engineer",
    "teacher_5a",
    "teacher_5b",
    "inspector",
    "web_editor",
    "chat_owner",
    "staff",
]
# Surname and initials, as the order names real people.
REAL_NAME = re.compile(r"^\S+ [А-ЯЁ]\.[А-ЯЁ]\.$")


def seed(password=PASSWORD):
    out = io.StringIO()
    call_command("seed_demo", password=password, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [
        model
        for label in ("staff", "compliance", "orders", "chats", "invitations")
        for model in apps.get_app_config(label).get_models()
    ]
    models += [get_user_model(), get_user_model().groups.through, UserObjectPermission]
    return {model._meta.label: model.objects.count() for model in models}


def state() -> dict:
    """What the rights and the visible demo state are made of, beyond mere counts."""
    User = get_user_model()
    return {
        "groups": sorted(User.groups.through.objects.values_list("user__username", "group__name")),
        "class_perms": sorted(
            apps.get_model("staff", "SchoolClassUserObjectPermission").objects.values_list(
                "user__username",
                "permission__codename",
                "content_object__grade",
                "content_object__letter",
            )
        ),
        "chat_perms": sorted(
            apps.get_model("chats", "ChatUserObjectPermission").objects.values_list(
                "user__username", "permission__codename", "content_object__title"
            )
        ),
        "invitations": sorted(
            Invitation.objects.values_list("token", "status", "uses", "max_uses")
        ),
        "join_requests": sorted(JoinRequest.objects.values_list("full_name", "status")),
        "teachers": sorted(
            SchoolClass.objects.values_list("grade", "letter", "class_teacher__full_name")
        ),
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]  # speed, not security
    return tmp_path


@pytest.fixture
def seeded(db, media):
    seed()
    return School.objects.get(short_name="Гимназия им. А.С. Пушкина")


@pytest.fixture
def order(seeded):
    return Order.objects.get(school=seeded, number="883")


def test_running_twice_leaves_the_same_data(db, media):
    output = seed()
    first_counts, first_state = counts(), state()
    seed()
    assert counts() == first_counts
    assert state() == first_state
    assert "883" in output


def test_a_second_run_keeps_who_has_read_the_order(order):
    reader = Person.objects.get(user__username="director")
    Acknowledgement.objects.filter(order=order, person=reader).update(
        acknowledged_at=datetime.datetime(2025, 12, 16, tzinfo=datetime.UTC)
    )
    seed()
    row = Acknowledgement.objects.get(order=order, person=reader)
    assert row.acknowledged_at is not None
    assert (
        Acknowledgement.objects.filter(order=order, acknowledged_at__isnull=True).count()
        == Person.objects.filter(school=order.school, is_active=True).count() - 1
    )


def test_the_second_run_sets_passwords_anew(client, seeded):
    seed(password="another-pass-1")
    assert client.login(username="director", password="another-pass-1")
    assert not client.login(username="director", password=PASSWORD)


def test_school(seeded):
    assert seeded.name == "МАОУ «Гимназия им. А.С. Пушкина»"
    assert seeded.municipality.name == "МО ГО «Сыктывкар»"


def test_order_header(order, seeded):
    assert order.date == datetime.date(2025, 12, 15)
    assert order.title.startswith(
        "Об использовании информационно-коммуникационной образовательной платформы «Сферум»"
    )
    assert order.title.endswith("муниципальных образовательных организаций")
    assert "№935" in order.basis and "01.12.2025" in order.basis
    assert "Управления образования администрации МО ГО «Сыктывкар»" in order.basis
    assert order.preamble.startswith("Во исполнение приказа")
    assert order.signed_by.full_name == "Гладкова Л.И."
    assert order.signed_by.position == "директор"
    assert order.distribution_note == "Приказ направлен всем заинтересованным лицам через ГИС ЭО"
    assert order.status == Order.Status.IN_FORCE


def test_all_points_in_order(order):
    points = list(order.points.order_by("position"))
    assert [point.number for point in points] == POINT_NUMBERS
    by_number = {point.number: point for point in points}
    assert all(by_number[f"3.{n}"].parent == by_number["3"] for n in range(1, 12))
    assert all(
        point.parent is None
        for point in points
        if "." not in point.number or point.number.startswith("7.")
    )
    assert by_number["3.10"].text.startswith(
        "при необходимости направляет посредством электронной почты на адрес info@sferum.ru"
    )
    for number in ("7.1", "7.2", "7.3"):
        assert by_number[number].text.startswith(
            "Заместителю директора Горбатенко В.И. обеспечить "
        )
    assert COURSE_URL in by_number["7.2"].text
    assert "Рыженкова О.А." in by_number["6"].text


def test_deadlines_and_checks(order):
    points = {point.number: point for point in order.points.all()}
    assert points["8"].deadline == datetime.date(2025, 12, 25)
    assert all(point.deadline is None for number, point in points.items() if number != "8")
    assert {
        number: point.check_key for number, point in points.items() if point.check_key
    } == CHECK_KEYS


def test_responsibilities(order):
    rows = Responsibility.objects.filter(point__order=order).values_list(
        "point__number", "person__full_name", "role"
    )
    by_point = {}
    for number, name, role in rows:
        by_point.setdefault(number, set()).add((name, role))
    assert by_point["2"] == {("Горбатенко В.И.", "primary"), ("Костюков Д.Ю.", "backup")}
    assert by_point["6"] == {
        ("Гладкова Л.И.", "primary"),
        ("Рыженкова О.А.", "co_executor"),
        ("Сметанина А.Ф.", "co_executor"),
        ("Сокирка Е.А.", "co_executor"),
    }
    assert all(by_point[f"3.{n}"] == {("Костюков Д.Ю.", "primary")} for n in range(1, 12))
    assert by_point["3"] == {("Костюков Д.Ю.", "primary")}
    assert all(by_point[n] == {("Горбатенко В.И.", "primary")} for n in ("7.1", "7.2", "7.3"))
    assert by_point["8"] == {("Осипов А.А.", "primary")}
    assert by_point["1"] == by_point["9"] == {("Гладкова Л.И.", "primary")}
    assert "4" not in by_point and "5" not in by_point


def test_people_named_in_the_order(seeded):
    named = {
        "Гладкова Л.И.": "директор",
        "Горбатенко В.И.": "заместитель директора",
        "Костюков Д.Ю.": "главный инженер",
        "Рыженкова О.А.": "заместитель директора",
        "Сметанина А.Ф.": "заместитель директора",
        "Сокирка Е.А.": "сотрудник гимназии",
        "Осипов А.А.": "ответственный за наполнение сайта гимназии",
    }
    people = dict(
        Person.objects.filter(school=seeded, full_name__in=named).values_list(
            "full_name", "position"
        )
    )
    assert people == named
    # The order's «Рыенкова» is the same person as Рыженкова: nobody of that name is made up.
    assert not Person.objects.filter(full_name__startswith="Рыенкова").exists()


def test_no_real_name_has_contacts(seeded):
    real = Person.objects.filter(school=seeded, full_name__regex=REAL_NAME.pattern)
    assert real.count() == 7
    assert not real.exclude(email="", phone="").exists()
    # Fictional people: e-mails only on the reserved domain, no phones at all.
    assert not Person.objects.exclude(email="").exclude(email__endswith="@example.org").exists()
    assert not Person.objects.exclude(phone="").exists()


def test_classes_1a_to_11v(seeded):
    classes = list(SchoolClass.objects.filter(school=seeded).order_by("grade", "letter"))
    assert [c.name for c in classes] == [
        f"{grade}{letter}" for grade in range(1, 12) for letter in "АБВ"
    ]
    assert all(c.academic_year == 2025 and c.class_teacher is not None for c in classes)
    assert all(22 <= c.students_expected <= 28 for c in classes)
    assert all(abs(c.parents_expected - 1.6 * c.students_expected) <= 1 for c in classes)
    # One class each: a teacher never leads two classes in the demo.
    assert len({c.class_teacher_id for c in classes}) == 33
    assert not any(REAL_NAME.match(c.class_teacher.full_name) for c in classes)


def test_every_demo_account_logs_in(client, seeded):
    for username in ACCOUNTS:
        assert client.login(username=username, password=PASSWORD), username
        client.logout()


def test_accounts_are_linked_to_their_people(seeded):
    User = get_user_model()
    links = dict(
        User.objects.filter(person__isnull=False).values_list("username", "person__full_name")
    )
    assert links["director"] == "Гладкова Л.И."
    assert links["coordinator"] == "Горбатенко В.И."
    assert links["engineer"] == "Костюков Д.Ю."
    assert links["web_editor"] == "Осипов А.А."
    assert "inspector" not in links
    groups = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    # The director owns the leadership chat (point 6): chat_owner_assign added that group.
    assert groups["director"] == {"director", "staff", "chat_owner"}
    assert groups["coordinator"] == {"coordinator", "staff"}
    assert groups["engineer"] == {"operator", "staff"}
    assert groups["inspector"] == {"inspector"}
    assert {"class_teacher", "staff"} <= groups["teacher_5a"]
    assert "web_editor" in groups["web_editor"]


def test_class_teachers_see_only_their_class(seeded):
    User = get_user_model()
    assert [c.name for c in schoolclass_list(user=User.objects.get(username="teacher_5a"))] == [
        "5А"
    ]
    assert [c.name for c in schoolclass_list(user=User.objects.get(username="teacher_5b"))] == [
        "5Б"
    ]
    assert schoolclass_list(user=User.objects.get(username="engineer")).count() == 33


def test_inspector_sees_every_school(seeded):
    other = SchoolFactory(short_name="СОШ № 1")
    inspector = get_user_model().objects.get(username="inspector")
    assert set(school_list(user=inspector)) == set(School.objects.all()) >= {seeded, other}
    # The gymnasium's 33 classes and those of the two fictional schools of the municipality.
    assert schoolclass_list(user=inspector).count() == SchoolClass.objects.count() > 33
    assert schoolclass_list(user=inspector).filter(school=seeded).count() == 33


def test_chat_requirements_and_owners(seeded):
    owners = {
        requirement.kind: {person.full_name for person in requirement.owners.all()}
        for requirement in ChatRequirement.objects.filter(school=seeded)
    }
    assert owners == {
        ChatKind.CLASS_STUDENTS: set(),
        ChatKind.CLASS_PARENTS: set(),
        ChatKind.SCHOOL_GENERAL: {"Рыженкова О.А.", "Сметанина А.Ф."},
        ChatKind.SCHOOL_LEADERSHIP: {"Гладкова Л.И."},
        ChatKind.SCHOOL_STAFF: {"Гладкова Л.И."},
        ChatKind.SCHOOL_PARENT_COMMITTEE: {"Сокирка Е.А.", "Рыженкова О.А.", "Сметанина А.Ф."},
        ChatKind.SCHOOL_STUDENT_COUNCIL: {"Сокирка Е.А."},
    }


def test_demo_chats_leave_gaps(seeded):
    active = Chat.objects.filter(school=seeded, status=Chat.Status.ACTIVE)
    parents = set(
        active.filter(kind=ChatKind.CLASS_PARENTS).values_list(
            "school_class__grade", "school_class__letter"
        )
    )
    assert len(parents) == 31
    assert (7, "Б") not in parents and (9, "А") not in parents
    school_kinds = set(active.filter(school_class__isnull=True).values_list("kind", flat=True))
    assert len(school_kinds) == 3
    assert all(
        url.startswith("https://sferum.example/")
        for url in Chat.objects.values_list("url", flat=True)
    )
    # Owners went through chat_owner_assign: the teacher of 5А holds the rights on her chats.
    teacher = get_user_model().objects.get(username="teacher_5a")
    parents_5a = active.get(
        kind=ChatKind.CLASS_PARENTS, school_class__grade=5, school_class__letter="А"
    )
    assert teacher.has_perm("chats.change_chat", parents_5a)


def test_links_in_every_status_and_pending_requests(seeded):
    statuses = set(Invitation.objects.filter(school=seeded).values_list("status", flat=True))
    assert statuses == set(Invitation.Status.values)
    assert JoinRequest.objects.filter(school=seeded, status=JoinRequest.Status.PENDING).count() >= 3
    assert all(
        url.startswith("https://sferum.example/")
        for url in Invitation.objects.values_list("platform_url", flat=True)
    )
    for invitation in Invitation.objects.all():
        assert invitation.join_requests.count() == invitation.uses


def test_acknowledgement_sheet_lists_every_member_of_staff(order, seeded):
    assert (
        Acknowledgement.objects.filter(order=order).count()
        == Person.objects.filter(school=seeded).count()
    )
    assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()


def test_regulation_is_attached_and_not_yet_published(order, media):
    regulation = Regulation.objects.get(order=order)
    assert regulation.version == 1
    assert regulation.approved_on == datetime.date(2025, 12, 15)
    assert regulation.title.startswith("Положение «Об использовании")
    assert regulation.published_on is None and regulation.published_url == ""
    with regulation.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_missing_chat_job_flags_exactly_the_demo_gaps(seeded):
    from chats.flagging import chats_flag_missing
    from compliance.models import Finding

    chats_flag_missing()
    flagged = set(
        Finding.objects.filter(
            school=seeded, resolved_at__isnull=True, chat_kind__gt=""
        ).values_list("school_class__grade", "school_class__letter", "chat_kind")
    )
    assert flagged == {
        (7, "Б", "class_parents"),
        (9, "А", "class_parents"),
        (1, "А", "class_students"),
        (None, None, "school_staff"),
        (None, None, "school_parent_committee"),
    }

"""Demo data, the staff part: the gymnasium of order No. 883, its people, accounts and classes.

People named in the order appear exactly as the order names them — surname and initials, with no
contacts. Everybody else (class teachers, subject teachers) is FICTIONAL: plausible names made up
for the demo, with e-mails only on the reserved domain example.org.

Keyed on natural keys, so running the seed twice leaves the same data; the class teachers go
through ``schoolclass_teacher_set`` (their rights follow). ``roster.demo.seed_demo`` runs this
first, then the parts of the apps above.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from .models import Absence, Person, School, SchoolClass, StatusConfirmation, TrainingRecord
from .roles import Role
from .services import municipality_named, schoolclass_teacher_set

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- The gymnasium and its people -------------------------------------------------------------

SCHOOL_NAME = "МАОУ «Гимназия им. А.С. Пушкина»"
SCHOOL_SHORT_NAME = "Гимназия им. А.С. Пушкина"
MUNICIPALITY = "МО ГО «Сыктывкар»"
ACADEMIC_YEAR = 2025
SCHOOL_YEAR_START = datetime.datetime(
    2025, 9, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3))
)
GRADES = range(1, 12)
LETTERS = ("А", "Б", "В")


@dataclass(frozen=True)
class PersonSpec:
    full_name: str
    position: str
    staff_kind: str = Person.StaffKind.TEACHING
    fictional: bool = True


_OTHER = Person.StaffKind.OTHER

# The people the order names, as it names them (surname and initials) and with the positions it
# gives; no contacts are invented for them. The category (иной работник) is a demo assumption.
# Point 6 once spells «Рыенкова О.А.»: almost certainly a typo of Рыженкова О.А., whom the same
# point names as deputy director a few lines above; she is treated as one person.
NAMED_PEOPLE: dict[str, PersonSpec] = {
    "director": PersonSpec("Гладкова Л.И.", "директор", _OTHER, fictional=False),
    "coordinator": PersonSpec("Горбатенко В.И.", "заместитель директора", _OTHER, fictional=False),
    "engineer": PersonSpec("Костюков Д.Ю.", "главный инженер", _OTHER, fictional=False),
    "ryzhenkova": PersonSpec("Рыженкова О.А.", "заместитель директора", _OTHER, fictional=False),
    "smetanina": PersonSpec("Сметанина А.Ф.", "заместитель директора", _OTHER, fictional=False),
    # The order gives no position for her.
    "sokirka": PersonSpec("Сокирка Е.А.", "сотрудник гимназии", _OTHER, fictional=False),
    "osipov": PersonSpec(
        "Осипов А.А.", "ответственный за наполнение сайта гимназии", _OTHER, fictional=False
    ),
}

# FICTIONAL class teachers, one per class in the order 1А, 1Б, 1В, 2А, … 11В (names made up).
_PRIMARY = "учитель начальных классов"
CLASS_TEACHERS: tuple[PersonSpec, ...] = (
    PersonSpec("Белова Наталья Сергеевна", _PRIMARY),
    PersonSpec("Васильева Ирина Николаевна", _PRIMARY),
    PersonSpec("Григорьева Ольга Викторовна", _PRIMARY),
    PersonSpec("Денисова Елена Александровна", _PRIMARY),
    PersonSpec("Егорова Татьяна Михайловна", _PRIMARY),
    PersonSpec("Жукова Светлана Петровна", _PRIMARY),
    PersonSpec("Зайцева Марина Юрьевна", _PRIMARY),
    PersonSpec("Ильина Галина Васильевна", _PRIMARY),
    PersonSpec("Калинина Людмила Андреевна", _PRIMARY),
    PersonSpec("Лебедева Анна Владимировна", _PRIMARY),
    PersonSpec("Максимова Юлия Игоревна", _PRIMARY),
    PersonSpec("Никитина Екатерина Олеговна", _PRIMARY),
    PersonSpec("Орлова Вера Дмитриевна", "учитель русского языка и литературы"),
    PersonSpec("Павлова Алла Геннадьевна", "учитель математики"),
    PersonSpec("Романова Ксения Евгеньевна", "учитель истории и обществознания"),
    PersonSpec("Соколова Оксана Борисовна", "учитель биологии"),
    PersonSpec("Тарасова Лариса Валентиновна", "учитель английского языка"),
    PersonSpec("Уварова Нина Степановна", "учитель географии"),
    PersonSpec("Фёдорова Валентина Ивановна", "учитель русского языка и литературы"),
    PersonSpec("Харитонов Сергей Павлович", "учитель физики"),
    PersonSpec("Цветкова Дарья Алексеевна", "учитель немецкого языка"),
    PersonSpec("Чернова Полина Романовна", "учитель математики"),
    PersonSpec("Шестаков Андрей Викторович", "учитель технологии"),
    PersonSpec("Щербакова Надежда Анатольевна", "учитель химии"),
    PersonSpec("Яковлева Евгения Сергеевна", "учитель английского языка"),
    PersonSpec("Антонов Михаил Олегович", "учитель физической культуры"),
    PersonSpec("Богданова Маргарита Львовна", "учитель изобразительного искусства"),
    PersonSpec("Воронцова Александра Юрьевна", "учитель математики"),
    PersonSpec("Громов Илья Константинович", "учитель истории и обществознания"),
    PersonSpec("Дмитриева Алёна Игоревна", "учитель русского языка и литературы"),
    PersonSpec("Ершова Виктория Николаевна", "учитель литературы"),
    PersonSpec("Журавлёв Павел Андреевич", "учитель информатики"),
    PersonSpec("Кузнецова Тамара Фёдоровна", "учитель биологии"),
)
# FICTIONAL staff without a class.
OTHER_STAFF: tuple[PersonSpec, ...] = (
    PersonSpec("Лаптев Артём Сергеевич", "учитель информатики"),
    PersonSpec("Морозова Инна Витальевна", "учитель английского языка"),
    PersonSpec("Новиков Денис Александрович", "учитель физической культуры"),
    PersonSpec("Осокина Регина Маратовна", "педагог-психолог"),
    PersonSpec("Попова Софья Андреевна", "учитель музыки"),
    PersonSpec("Руднева Зоя Петровна", "секретарь руководителя", _OTHER),
    PersonSpec("Семёнова Лидия Ивановна", "заведующий библиотекой", _OTHER),
)


@dataclass(frozen=True)
class AccountSpec:
    username: str
    roles: tuple[str, ...]
    person: str | None  # a key of NAMED_PEOPLE or a full name; None: no staff record
    is_staff: bool = False  # may open the Django admin


DEMO_ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("director", (Role.DIRECTOR, Role.STAFF), "director"),
    # The coordinator keeps the data in the Django admin (DESIGN.md §7).
    AccountSpec("coordinator", (Role.COORDINATOR, Role.STAFF), "coordinator", is_staff=True),
    AccountSpec("engineer", (Role.OPERATOR, Role.STAFF), "engineer"),
    # The class-teacher group and the rights on the class come from schoolclass_teacher_set.
    AccountSpec("teacher_5a", (Role.STAFF,), "Орлова Вера Дмитриевна"),
    AccountSpec("teacher_5b", (Role.STAFF,), "Павлова Алла Геннадьевна"),
    AccountSpec("inspector", (Role.INSPECTOR,), None),
    # Beyond API.md's table: the web editor of point 8, a chat owner of point 6, a plain employee.
    AccountSpec("web_editor", (Role.WEB_EDITOR, Role.STAFF), "osipov"),
    AccountSpec("chat_owner", (Role.STAFF,), "sokirka"),
    AccountSpec("staff", (Role.STAFF,), "Лаптев Артём Сергеевич"),
)

# The course of point 7.2 (the order's text in ``orders.demo`` quotes these): the training records
# name it.
COURSE_TITLE = (
    "Основы преподавания с применением многофункционального сервиса обмена информацией «МАХ» "
    "в соответствии с обновленными ФГОС"
)
# Exactly as the order gives it.
COURSE_URL = (
    "https://www.xn--d1abkefqip0a2f.xn--p1ai/index.php/item/21299-osnovy-prepodavaniya-s-primeneniem-"
    "mnogofunktsionalnogo-servisa-obmena-informatsiej-maks-v-sootvetstvii-s-obnovlennymi-fgos"
)


# Letter by letter; «ъ» and «ь» (written «-») drop out.
_TRANSLIT = {
    cyrillic: latin.strip("-")
    for cyrillic, latin in zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
}


def fictional_email(full_name: str) -> str:
    """``n.belova@example.org`` for «Белова Наталья Сергеевна» (a reserved domain: no real
    mailbox)."""
    surname, first_name, *_rest = full_name.lower().split()
    latin = "".join(_TRANSLIT.get(char, char) for char in surname)
    return f"{_TRANSLIT.get(first_name[0], first_name[0])}.{latin}@example.org"


# --- The seed ----------------------------------------------------------------------------------


@dataclass
class DemoSchool:
    school: School
    people: dict[str, Person]  # by a key of NAMED_PEOPLE or by full name
    users: dict[str, User]  # by username
    classes: dict[str, SchoolClass]  # by name: «1А» … «11В»


def seed_staff(*, password: str) -> DemoSchool:
    """The school, its people and accounts, its classes, and the records of points 3.9 and 7.2."""
    school = _school()
    people = _people(school)
    users = _accounts(people, password=password)
    classes = _classes(school, people)
    _staff_records(school, people, users)
    return DemoSchool(school=school, people=people, users=users, classes=classes)


def _school() -> School:
    school, _created = School.objects.update_or_create(
        name=SCHOOL_NAME,
        defaults={
            "short_name": SCHOOL_SHORT_NAME,
            "municipality": municipality_named(MUNICIPALITY),
        },
    )
    return school


def _person(school: School, spec: PersonSpec) -> Person:
    person, _created = Person.objects.update_or_create(
        school=school,
        full_name=spec.full_name,
        defaults={
            "position": spec.position,
            "staff_kind": spec.staff_kind,
            # Real people keep no contacts here; fictional ones get a reserved-domain e-mail.
            "email": fictional_email(spec.full_name) if spec.fictional else "",
            "phone": "",
            "is_active": True,
            "left_on": None,
        },
    )
    return person


def _people(school: School) -> dict[str, Person]:
    people = {key: _person(school, spec) for key, spec in NAMED_PEOPLE.items()}
    for spec in CLASS_TEACHERS + OTHER_STAFF:
        people[spec.full_name] = _person(school, spec)
    return people


def _accounts(people: dict[str, Person], *, password: str) -> dict[str, User]:
    user_model = get_user_model()
    users: dict[str, User] = {}
    # One hash for the one demo password (hashing is deliberately slow; nine times is seconds).
    password_hash = make_password(password)
    for spec in DEMO_ACCOUNTS:
        user, _created = user_model.objects.get_or_create(username=spec.username)
        user.password = password_hash
        user.is_active = True
        user.is_staff = spec.is_staff
        user.save()
        # Add, never replace: the class-teacher and chat-owner groups belong to the services.
        user.groups.add(*Group.objects.filter(name__in=[str(role) for role in spec.roles]))
        if spec.person is not None:
            person = people[spec.person]
            Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
            if person.user_id != user.pk:
                person.user = user
                person.save(update_fields=["user", "updated_at"])
        users[spec.username] = user
    return users


def _classes(school: School, people: dict[str, Person]) -> dict[str, SchoolClass]:
    rng = random.Random(883)  # the same sizes on every run
    classes = {}
    teachers = iter(CLASS_TEACHERS)
    for grade in GRADES:
        for letter in LETTERS:
            students = rng.randint(22, 28)
            school_class, _created = SchoolClass.objects.update_or_create(
                school=school,
                academic_year=ACADEMIC_YEAR,
                grade=grade,
                letter=letter,
                defaults={
                    "students_expected": students,
                    "parents_expected": round(students * 1.6),
                    "status": SchoolClass.Status.ACTIVE,
                },
            )
            teacher = people[next(teachers).full_name]
            # The staff side of ``roster.services.class_teacher_assign``, which would also annul
            # the previous teacher's links: the seed gives a class the same teacher on every run.
            classes[school_class.name], _previous = schoolclass_teacher_set(
                school_class=school_class, person=teacher
            )
    # The classes exist since the school year began, not since the seed ran: past the grace period
    # for new classes, so the missing-chat job flags the demo's gaps at once.
    SchoolClass.objects.filter(school=school, academic_year=ACADEMIC_YEAR).update(
        created_at=SCHOOL_YEAR_START
    )
    # Joining МАХ is voluntary: two families of 5А declined, reached by phone (DESIGN.md §9).
    SchoolClass.objects.filter(
        school=school, academic_year=ACADEMIC_YEAR, grade=5, letter="А"
    ).update(parents_declined=2, declined_channel="телефон, электронный дневник")
    return classes


def _staff_records(school, people, users) -> None:
    """Platform statuses (point 3.9) and training (7.2): most done, some not, so the figures say
    so."""
    unconfirmed = {
        "Попова Софья Андреевна",
        "Семёнова Лидия Ивановна",
        "Громов Илья Константинович",
    }
    engineer = users["engineer"]
    teaching = []
    for index, person in enumerate(sorted(people.values(), key=lambda p: p.full_name)):
        if person.staff_kind == Person.StaffKind.TEACHING:
            teaching.append(person)
        if person.full_name in unconfirmed:
            continue
        StatusConfirmation.objects.update_or_create(
            person=person,
            defaults={
                "status": (
                    StatusConfirmation.PlatformStatus.TEACHER
                    if person.staff_kind == Person.StaffKind.TEACHING
                    else StatusConfirmation.PlatformStatus.EMPLOYEE
                ),
                "confirmed_on": datetime.date(2025, 12, 17) + datetime.timedelta(days=index % 10),
                "confirmed_by": engineer,
            },
        )
    # Two teachers in three have completed the course.
    for index, person in enumerate(teaching):
        if index % 3 == 2:
            continue
        TrainingRecord.objects.update_or_create(
            person=person,
            course_url=COURSE_URL,
            defaults={
                "school": school,
                "course_title": COURSE_TITLE,
                "completed_on": datetime.date(2026, 1, 12) + datetime.timedelta(days=index % 20),
                "certificate_number": f"ДЕМО-{index + 1:04d}",  # fictional certificate numbers
            },
        )
    # The coordinator's leave before the order; the backup of point 2 answered for her then.
    Absence.objects.update_or_create(
        person=people["coordinator"],
        starts_on=datetime.date(2025, 11, 3),
        defaults={"ends_on": datetime.date(2025, 11, 14), "reason": "отпуск"},
    )

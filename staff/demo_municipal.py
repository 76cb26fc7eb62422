"""Demo data: two fictional schools of Syktyvkar beside the gymnasium, at different stages of
compliance, so that the inspector's table has more than one row; and a municipal inspector.

Small on purpose: one class per grade, a class teacher each, a few other staff. Everything is keyed
on natural keys, so the seed stays idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .demo import ACADEMIC_YEAR, GRADES, SCHOOL_YEAR_START, fictional_email
from .models import Inspector, Municipality, Person, School, SchoolClass, TrainingRecord
from .roles import Role
from .services import schoolclass_teacher_set


@dataclass(frozen=True)
class FictionalSchool:
    name: str
    short_name: str
    director: str
    director_username: str
    order_number: str
    teachers: tuple[str, ...]  # the class teachers of 1А … 11А, in order
    trained: int  # how many of them took the course of point 7.2


FICTIONAL_SCHOOLS = (
    FictionalSchool(
        name="МАОУ «Средняя общеобразовательная школа № 12» г. Сыктывкара (учебная)",
        short_name="СОШ № 12 (учебная)",
        director="Лебедева Ирина Павловна",
        director_username="director_school12",
        order_number="114-од",
        teachers=(
            "Андреева Ольга Викторовна",
            "Белых Марина Юрьевна",
            "Власова Татьяна Ильинична",
            "Григорьев Павел Андреевич",
            "Дёмина Анна Сергеевна",
            "Егорова Лидия Николаевна",
            "Жукова Елена Петровна",
            "Зайцева Наталья Олеговна",
            "Исаев Роман Викторович",
            "Котова Светлана Игоревна",
            "Лаптева Галина Фёдоровна",
        ),
        trained=10,
    ),
    FictionalSchool(
        name="МБОУ «Средняя общеобразовательная школа № 27» г. Сыктывкара (учебная)",
        short_name="СОШ № 27 (учебная)",
        director="Мартынов Сергей Геннадьевич",
        director_username="director_school27",
        order_number="52",
        teachers=(
            "Носова Юлия Александровна",
            "Орлова Вера Дмитриевна",
            "Петухова Людмила Ивановна",
            "Родионова Ксения Павловна",
            "Соколов Артём Олегович",
            "Тарасова Инна Борисовна",
            "Ушакова Дарья Романовна",
            "Фомина Алла Викторовна",
            "Харитонова Евгения Львовна",
            "Цветкова Нина Степановна",
            "Шубина Оксана Геннадьевна",
        ),
        trained=2,
    ),
)
FICTIONAL_COURSE_URL = "https://example.org/kurs-maks-sferum"

MUNICIPAL_INSPECTOR = "inspector_syktyvkar"
# The name the portal greets API.md's regional ``inspector`` by (a fictional person).
REGIONAL_INSPECTOR_NAME = ("Марина Юрьевна", "Кочева")
MUNICIPAL_INSPECTOR_NAME = ("Ольга Николаевна", "Вежева")


def seed_fictional_staff(*, school: School, spec: FictionalSchool) -> dict[str, SchoolClass]:
    """Classes 1А–11А with their class teachers, and the training records of point 7.2."""
    classes: dict[str, SchoolClass] = {}
    for grade, teacher_name in zip(GRADES, spec.teachers, strict=True):
        teacher, _created = Person.objects.update_or_create(
            school=school,
            full_name=teacher_name,
            defaults={
                "position": "учитель",
                "staff_kind": Person.StaffKind.TEACHING,
                "email": fictional_email(teacher_name),
                "is_active": True,
            },
        )
        students = 20 + grade
        school_class, _created = SchoolClass.objects.update_or_create(
            school=school,
            academic_year=ACADEMIC_YEAR,
            grade=grade,
            letter="А",
            defaults={
                "students_expected": students,
                "parents_expected": round(students * 1.6),
                "status": SchoolClass.Status.ACTIVE,
            },
        )
        classes[school_class.name], _previous = schoolclass_teacher_set(
            school_class=school_class, person=teacher
        )
        if grade <= spec.trained:
            TrainingRecord.objects.update_or_create(
                person=teacher,
                course_url=FICTIONAL_COURSE_URL,
                defaults={
                    "school": school,
                    "course_title": "Основы работы в мессенджере «МАХ» и на платформе «Сферум»",
                    "completed_on": SCHOOL_YEAR_START.date(),
                },
            )
    SchoolClass.objects.filter(school=school, academic_year=ACADEMIC_YEAR).update(
        created_at=SCHOOL_YEAR_START
    )
    return classes


def seed_municipal_inspector(*, municipality: Municipality, password_hash: str):
    """``inspector_syktyvkar``: the department of Syktyvkar, its schools only (the API.md
    ``inspector`` stays the regional reader of every school)."""
    user, _created = get_user_model().objects.get_or_create(username=MUNICIPAL_INSPECTOR)
    user.password = password_hash
    user.first_name, user.last_name = MUNICIPAL_INSPECTOR_NAME
    user.is_active = True
    user.save()
    user.groups.add(Group.objects.get(name=Role.INSPECTOR))
    Inspector.objects.update_or_create(user=user, defaults={"municipality": municipality})
    return user


def name_regional_inspector() -> None:
    """Give API.md's ``inspector`` a name to be greeted by (its login and role stay as they are)."""
    first_name, last_name = REGIONAL_INSPECTOR_NAME
    get_user_model().objects.filter(username="inspector").update(
        first_name=first_name, last_name=last_name
    )

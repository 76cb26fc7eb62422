"""Families and students who declined МАХ (DESIGN.md §9: joining is voluntary): recorded on the
class with the channel the school uses instead, counted apart by the coverage of point 4 — on the
checklist, in the check and on the board — and recorded only by whom may edit the
class's chats."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from board.selectors import boards_build
from chats.models import ChatKind
from compliance.registry import checks_evaluate
from staff.models import School, SchoolClass
from staff.services import schoolclass_declined_set
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db


def declined_url(school_class):
    return reverse("chats:class_declined", args=[school_class.pk])


@pytest.fixture
def class_lists(class_5a, requirements):
    class_5a.students_expected, class_5a.parents_expected = 25, 40
    class_5a.save(update_fields=["students_expected", "parents_expected"])
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, members_count=20)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS, members_count=34)
    return class_5a


def coverage(school) -> tuple[int, int]:
    figure = checks_evaluate(
        school_ids_by_check={"class_chat_coverage": [school.pk]}, today=datetime.date.today()
    )["class_chat_coverage"][school.pk]
    return figure.done, figure.total


def test_the_class_teacher_records_declines_and_coverage_counts_them_apart(
    client, teacher_5a, director, school, class_lists
):
    assert coverage(school) == (20 + 34, 25 + 40)
    client.force_login(teacher_5a)
    form = client.get(declined_url(class_lists))
    assert form.status_code == 200 and "Отказались от МАХ" in form.content.decode()
    response = client.post(
        declined_url(class_lists),
        {"students_declined": "2", "parents_declined": "6", "declined_channel": " телефон  "},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("chats:my_class_detail", args=[class_lists.pk])
    class_lists.refresh_from_db()
    assert (
        class_lists.students_declined,
        class_lists.parents_declined,
        class_lists.declined_channel,
    ) == (2, 6, "телефон")
    # 20 of the 23 students who did not decline, 34 of the 34 parents.
    assert coverage(school) == (20 + 34, 23 + 34)

    page = client.get(reverse("chats:my_class_detail", args=[class_lists.pk])).content.decode()
    assert "Отказавшиеся от МАХ сохранены." in page
    assert "учащихся 2, родителей 6" in page and "связь: телефон" in page
    assert "34 из 34" in page and "20 из 23" in page

    headline = boards_build(schools=School.objects.filter(pk=school.pk))[0].headline
    assert (headline.members_reached, headline.members_expected) == (54, 57)
    assert headline.members_declined == 8
    assert headline.as_dict()["members_declined"] == 8

    client.force_login(director)
    board_page = client.get(reverse("board:board"), {"refresh": "1"}).content.decode()
    assert "54 из 57 (95%)" in board_page and "отказались от МАХ: 8" in board_page


def test_nobody_declined_clears_the_channel(class_lists):
    schoolclass_declined_set(school_class=class_lists, students=1, parents=0, channel="почта")
    schoolclass_declined_set(school_class=class_lists, students=0, parents=0, channel="почта")
    class_lists.refresh_from_db()
    assert (class_lists.declined, class_lists.declined_channel) == (0, "")


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"students_declined": "2", "parents_declined": "0", "declined_channel": ""},
            "declined_channel",
            "Укажите, как школа связывается с отказавшимися",
        ),
        (
            {"students_declined": "26", "parents_declined": "0", "declined_channel": "телефон"},
            "students_declined",
            "Больше, чем по списку класса (25).",
        ),
        (
            {"students_declined": "-1", "parents_declined": "0", "declined_channel": "телефон"},
            "students_declined",
            "больше либо равно 0",
        ),
        (
            {"students_declined": "два", "parents_declined": "0", "declined_channel": "телефон"},
            "students_declined",
            "Введите целое число.",
        ),
        ({}, "students_declined", "Обязательное поле."),
    ],
)
def test_bad_input_is_refused_with_a_russian_message_and_nothing_changes(
    client, teacher_5a, class_lists, data, field, message
):
    client.force_login(teacher_5a)
    response = client.post(declined_url(class_lists), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    # What was typed stays in the form.
    if data.get("declined_channel"):
        assert data["declined_channel"] in response.content.decode()
    class_lists.refresh_from_db()
    assert (class_lists.declined, class_lists.declined_channel) == (0, "")


def test_the_service_refuses_what_the_form_would(class_lists):
    with pytest.raises(ValidationError) as refused:
        schoolclass_declined_set(school_class=class_lists, students=0, parents=41, channel="x")
    assert "parents_declined" in refused.value.message_dict


def test_only_who_edits_the_class_chats_records_declines(
    client, class_lists, teacher_5b, director, operator, other_director
):
    data = {"students_declined": "1", "parents_declined": "1", "declined_channel": "телефон"}
    client.force_login(teacher_5b)  # another class's teacher: not even visible
    assert client.post(declined_url(class_lists), data).status_code == 404
    client.force_login(other_director)  # another school
    assert client.post(declined_url(class_lists), data).status_code == 404
    client.force_login(director)  # sees the class, does not keep its chats
    assert client.get(declined_url(class_lists)).status_code == 403
    assert client.post(declined_url(class_lists), data).status_code == 403
    client.logout()
    response = client.post(declined_url(class_lists), data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    class_lists.refresh_from_db()
    assert class_lists.declined == 0
    client.force_login(operator)  # the school's operator may
    assert client.post(declined_url(class_lists), data).status_code == 302
    assert SchoolClass.objects.get(pk=class_lists.pk).declined == 2


def test_a_list_shortened_after_the_declines_never_expects_below_zero(school, class_lists):
    schoolclass_declined_set(school_class=class_lists, students=5, parents=0, channel="телефон")
    SchoolClass.objects.filter(pk=class_lists.pk).update(students_expected=3)  # e.g. an import
    class_lists.refresh_from_db()
    assert class_lists.students_to_reach == 0
    # Students: none to reach (the chat's 20 count for nothing); parents 34 of 40.
    assert coverage(school) == (0 + 34, 0 + 40)


def test_the_schools_workbook_lists_the_declines_by_class(client, director, school, class_lists):
    import io

    from openpyxl import load_workbook

    schoolclass_declined_set(school_class=class_lists, students=1, parents=3, channel="телефон")
    client.force_login(director)
    response = client.get(reverse("board:board_export_school", args=[school.pk, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = [row for sheet in workbook for row in sheet.iter_rows(values_only=True)]
    heading = next(row for row in rows if row and "Отказались от МАХ" in row)
    line = next(row for row in rows if row and class_lists.name in row)
    column = heading.index("Отказались от МАХ")
    assert (line[column], line[column + 1]) == (4, "телефон")

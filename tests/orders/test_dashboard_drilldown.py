"""The drill-down: what is missing and who answers for it, by check, point or class; paginated."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.models import Finding

from .board_data import build_gappy_school, register_fixed_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def gappy(school, monkeypatch):
    register_fixed_checks(monkeypatch)
    return build_gappy_school(school, today=timezone.localdate())


def _rows(response):
    assert response.status_code == 200
    return response.context["rows"]


def test_all_open_findings_with_who_answers(client, gappy, director):
    client.force_login(director)
    rows = _rows(client.get(reverse("board:drilldown")))
    assert {row["finding"].message for row in rows} == {
        "Нет чата с родителями 6А",
        "Пункт 2 просрочен",
        "Иное",
    }
    by_message = {row["finding"].message: row for row in rows}
    assert (
        by_message["Нет чата с родителями 6А"]["teacher"] == gappy.people["Кл5А"]
    )  # the class teacher answers
    overdue = by_message["Пункт 2 просрочен"]
    assert overdue["point"] == gappy.points["2"]
    assert (
        overdue["people"].in_charge == gappy.people["Костюков"]
    )  # the backup, the primary being away today


def test_filter_by_check_point_and_class(client, gappy, director):
    client.force_login(director)
    url = reverse("board:drilldown_school", args=[gappy.school.pk])
    by_check = _rows(client.get(url, {"check": "class_chats"}))
    assert [row["finding"].message for row in by_check] == ["Нет чата с родителями 6А"]
    html = client.get(url, {"check": "class_chats"}).content.decode()
    assert "Иванова Анна Сергеевна" in html and "классный руководитель" in html

    by_point = _rows(client.get(url, {"point": gappy.points["2"].pk}))
    assert [row["finding"].message for row in by_point] == ["Пункт 2 просрочен"]

    by_class = _rows(client.get(url, {"class": gappy.classes["6А"].pk}))
    assert [row["finding"].message for row in by_class] == ["Нет чата с родителями 6А"]
    assert _rows(client.get(url, {"class": gappy.classes["5А"].pk})) == []


def test_bad_filters_are_404(client, gappy, director, other_school):
    client.force_login(director)
    url = reverse("board:drilldown")
    assert client.get(url, {"point": 999999}).status_code == 404
    assert client.get(url, {"class": "x"}).status_code == 404
    assert client.get(url, {"school": other_school.pk}).status_code == 404


def test_empty_state(client, school, director):
    from django.core.management import call_command

    client.force_login(director)
    response = client.get(reverse("board:drilldown"))
    html = response.content.decode()
    # Before the checks have run, nothing is said to be in order (issue 12, item 1).
    assert response.status_code == 200 and "Проверка ещё не выполнялась" in html
    assert "Открытых замечаний нет" not in html
    call_command("run_job", "--all")
    html = client.get(reverse("board:drilldown")).content.decode()
    assert "Открытых замечаний нет" in html and "Проверка ещё не выполнялась" not in html


@pytest.mark.parametrize(
    "user_fixture, expected",
    [
        ("director", 200),
        ("coordinator", 200),
        ("operator", 200),
        ("inspector", 200),
        ("teacher_5a", 403),
        ("staff_member", 403),
        ("other_director", 404),
    ],
)
def test_drilldown_access(client, request, school, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("board:drilldown_school", args=[school.pk])).status_code == expected


def test_paginated_with_a_fixed_number_of_queries(client, gappy, director):
    now = timezone.now()
    client.force_login(director)
    client.get(reverse("board:drilldown"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("board:drilldown"))
    Finding.objects.bulk_create(
        Finding(
            school=gappy.school,
            check_key="class_chat_missing",
            subject_key=f"extra:{n}",
            school_class=gappy.classes["5Б"],
            message=f"Замечание {n}",
            opened_at=now,
        )
        for n in range(60)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("board:drilldown"), {"page": 2})
    assert len(many) == len(few)
    page = response.context["page"]
    assert page.paginator.count == 63 and page.number == 2 and len(response.context["rows"]) == 25
    assert "page=3" in response.content.decode()


def test_a_missing_school_chat_names_its_owners(client, gappy, director):
    from chats.models import ChatRequirement

    requirement = ChatRequirement.objects.get(school=gappy.school, kind="school_parent_committee")
    requirement.owners.set([gappy.people["Осипов"], gappy.people["Гладкова"]])
    Finding.objects.create(
        school=gappy.school,
        check_key="school_chat_missing",
        subject_key=f"school:{gappy.school.pk}:school_parent_committee",
        chat_kind="school_parent_committee",
        message="Нет чата родительского комитета",
        opened_at=timezone.now(),
    )
    client.force_login(director)
    rows = _rows(client.get(reverse("board:drilldown"), {"check": "school_chats"}))
    assert [row["finding"].message for row in rows] == ["Нет чата родительского комитета"]
    assert rows[0]["owners"] == [gappy.people["Гладкова"], gappy.people["Осипов"]]

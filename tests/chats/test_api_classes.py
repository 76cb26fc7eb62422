"""The classes API (staff/api.py) against API.md: exact shape, missing_chats from the query,
scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import ChatKind
from staff.models import SchoolClass
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/classes/"
CLASS_KEYS = {
    "id",
    "name",
    "grade",
    "letter",
    "school",
    "class_teacher",
    "students_expected",
    "parents_expected",
    "missing_chats",
}


def test_it_requires_credentials(api, class_5a):
    assert api().get(LIST).status_code == 401
    assert api().get(f"{LIST}{class_5a.pk}/").status_code == 401


def test_the_shape_is_exactly_api_md(api, teacher_5a, class_5a, requirements, students_chat_5a):
    body = api(teacher_5a).get(f"{LIST}{class_5a.pk}/").json()
    assert set(body) == CLASS_KEYS
    assert body["name"] == "5А" and body["grade"] == 5 and body["letter"] == "А"
    assert body["school"] == class_5a.school_id
    assert body["class_teacher"] == {
        "id": teacher_5a.person.pk,
        "full_name": teacher_5a.person.full_name,
    }
    assert body["students_expected"] == class_5a.students_expected
    assert body["parents_expected"] == class_5a.parents_expected
    assert body["missing_chats"] == ["class_parents"]


def test_missing_chats_follow_the_requirements(api, operator, class_5a, class_5b, requirements):
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_STUDENTS)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS)
    rows = {row["name"]: row for row in api(operator).get(LIST).json()["results"]}
    assert rows["5А"]["missing_chats"] == ["class_students", "class_parents"]
    assert rows["5Б"]["missing_chats"] == []
    assert rows["5А"]["class_teacher"] is None
    # A grade outside the requirement's range requires nothing.
    requirements.filter(kind__in=["class_students", "class_parents"]).update(min_grade=6)
    rows = {row["name"]: row for row in api(operator).get(LIST).json()["results"]}
    assert rows["5А"]["missing_chats"] == []


def test_archived_chats_do_not_count(api, operator, class_5a, requirements):
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS, status="archived")
    row = api(operator).get(f"{LIST}{class_5a.pk}/").json()
    assert "class_parents" in row["missing_chats"]


def test_class_teacher_sees_only_own_classes(
    api, teacher_5a, class_5a, class_5b, other_school_class
):
    response = api(teacher_5a).get(LIST)
    assert [row["id"] for row in response.json()["results"]] == [class_5a.pk]
    assert api(teacher_5a).get(f"{LIST}{class_5b.pk}/").status_code == 404
    assert api(teacher_5a).get(f"{LIST}{other_school_class.pk}/").status_code == 404


def test_school_wide_roles_see_their_school(
    api, operator, director, class_5a, class_5b, other_school_class
):
    for user in (operator, director):
        assert {row["id"] for row in api(user).get(LIST).json()["results"]} == {
            class_5a.pk,
            class_5b.pk,
        }
    assert api(operator).get(f"{LIST}{other_school_class.pk}/").status_code == 404


def test_inspector_sees_every_school_and_filters(api, inspector, class_5a, other_school_class):
    assert {row["id"] for row in api(inspector).get(LIST).json()["results"]} == {
        class_5a.pk,
        other_school_class.pk,
    }
    filtered = api(inspector).get(LIST, {"school": other_school_class.school_id}).json()["results"]
    assert [row["id"] for row in filtered] == [other_school_class.pk]


def test_staff_without_rights_sees_no_class(api, staff_member, class_5a):
    assert api(staff_member).get(LIST).json()["count"] == 0


@pytest.mark.parametrize("params", [{"grade": "12"}, {"grade": "x"}, {"school": "-3"}])
def test_bad_filters_are_400(api, operator, params):
    assert api(operator).get(LIST, params).status_code == 400


def test_grade_filter(api, operator, school, class_5a):
    six = SchoolClass.objects.create(school=school, academic_year=2025, grade=6, letter="А")
    assert [row["id"] for row in api(operator).get(LIST, {"grade": 6}).json()["results"]] == [
        six.pk
    ]


def test_queries_do_not_grow_with_classes(api, operator, school, requirements):
    def make(count, start):
        SchoolClass.objects.bulk_create(
            SchoolClass(school=school, academic_year=2025, grade=1 + n % 11, letter=f"К{n}")
            for n in range(start, start + count)
        )

    def fresh_client():  # a new user object each time: no permission cache carried over
        return api(type(operator).objects.get(pk=operator.pk))

    make(10, 0)
    with CaptureQueriesContext(connection) as small:
        assert fresh_client().get(LIST).json()["count"] == 10
    make(40, 10)
    with CaptureQueriesContext(connection) as large:
        assert fresh_client().get(LIST).json()["count"] == 50
    assert len(small) == len(large) <= 6

"""The chat compliance checks: figures per school, a fixed number of queries for any number of
schools."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Chat, ChatKind, ChatRequirement, Meeting
from chats.services import chat_owner_assign, chat_requirements_create_defaults
from compliance.registry import Figure, get_check
from staff.models import SchoolClass
from tests.factories import ChatFactory, PersonFactory, SchoolClassFactory, SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 12, 20)


def evaluate(key, *schools, today=TODAY):
    return get_check(key).evaluate(school_ids=[s.pk for s in schools], today=today)


def test_all_four_keys_are_registered():
    for key in ("class_chats", "school_chats", "meetings_this_month", "platform_events"):
        assert get_check(key) is not None, key


def test_class_chats(school, other_school, class_5a, class_5b, requirements):
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS)
    ChatFactory(school_class=class_5b, kind=ChatKind.CLASS_PARENTS)
    SchoolClassFactory(school=school, grade=6, status=SchoolClass.Status.ARCHIVED)
    figures = evaluate("class_chats", school, other_school)
    assert figures == {school.pk: Figure(done=1, total=2), other_school.pk: Figure(done=0, total=0)}


def test_class_chats_counts_only_required_kinds(school, class_5a, requirements):
    ChatRequirement.objects.filter(kind="class_parents").update(is_required=False)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS)
    assert evaluate("class_chats", school)[school.pk] == Figure(done=1, total=1)


def test_school_chats_need_an_owner(school, requirements, general_chat, staff_chat):
    assert evaluate("school_chats", school)[school.pk] == Figure(done=0, total=5)
    chat_owner_assign(chat=general_chat, person=PersonFactory(school=school))
    assert evaluate("school_chats", school)[school.pk] == Figure(done=1, total=5)


def test_meetings_this_month(school, other_school):
    Meeting.objects.create(school=school, held_on=datetime.date(2025, 11, 30), topic="ноябрь")
    Meeting.objects.create(school=school, held_on=TODAY, topic="событие", kind=Meeting.Kind.EVENT)
    assert evaluate("meetings_this_month", school)[school.pk] == Figure(done=0, total=1)
    Meeting.objects.create(school=school, held_on=datetime.date(2025, 12, 1), topic="педсовет")
    Meeting.objects.create(
        school=school, held_on=datetime.date(2025, 12, 2), topic="урок", kind=Meeting.Kind.LESSON
    )
    figures = evaluate("meetings_this_month", school, other_school)
    assert figures == {school.pk: Figure(done=1, total=1), other_school.pk: Figure(done=0, total=1)}


def test_platform_events_this_academic_year(school):
    Meeting.objects.create(
        school=school, held_on=datetime.date(2025, 8, 31), topic="прошлый год", kind="event"
    )
    assert evaluate("platform_events", school)[school.pk] == Figure(done=0, total=1)
    Meeting.objects.create(
        school=school, held_on=datetime.date(2025, 9, 1), topic="семинар", kind="event"
    )
    assert evaluate("platform_events", school)[school.pk] == Figure(done=1, total=1)
    # In spring the academic year still began the previous September.
    assert evaluate("platform_events", school, today=datetime.date(2026, 3, 1))[
        school.pk
    ] == Figure(done=1, total=1)


def test_missing_urls(school):
    assert (
        get_check("class_chats").missing_url(school_id=school.pk)
        == f"/chats/school/?school={school.pk}"
    )
    assert get_check("meetings_this_month").missing_url(school_id=school.pk) == "/chats/meetings/"


@pytest.mark.parametrize(
    "key", ["class_chats", "school_chats", "meetings_this_month", "platform_events"]
)
def test_queries_do_not_grow_with_schools(key):
    def make_schools(count):
        schools = []
        for _ in range(count):
            school = SchoolFactory()
            chat_requirements_create_defaults(school=school)
            for grade in (1, 5, 11):
                school_class = SchoolClassFactory(school=school, grade=grade)
                ChatFactory(school_class=school_class, kind=ChatKind.CLASS_PARENTS)
            Chat.objects.create(
                school=school, kind="school_general", title="g", url="https://x.example/g"
            )
            Meeting.objects.create(school=school, held_on=TODAY, topic="t")
            schools.append(school)
        return schools

    few = make_schools(2)
    many = few + make_schools(8)
    with CaptureQueriesContext(connection) as small:
        evaluate(key, *few)
    with CaptureQueriesContext(connection) as large:
        figures = evaluate(key, *many)
    assert len(small) == len(large) == 1
    assert set(figures) == {s.pk for s in many}

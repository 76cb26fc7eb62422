"""The meetings log (points 5 and 7.3): who may log and correct what, month list, bad input."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chats.models import Meeting
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db

LIST = reverse("chats:meetings")
ADD = reverse("chats:meeting_add")


def today():
    return timezone.localdate()


def data(**overrides):
    values = {
        "held_on": today().isoformat(),
        "kind": "meeting",
        "format": "online",
        "topic": "Педсовет онлайн",
        "chat": "",
        "participants": "42",
    }
    values.update(overrides)
    return values


def test_staff_logs_a_meeting(client, staff_member, school):
    client.force_login(staff_member)
    response = client.post(ADD, data())
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.school, meeting.topic, meeting.participants, meeting.recorded_by) == (
        school,
        "Педсовет онлайн",
        42,
        staff_member,
    )


def test_a_teacher_attaches_own_class_chat_only(client, teacher_5a, class_5a, class_5b):
    own = ChatFactory(school_class=class_5a)
    other = ChatFactory(school_class=class_5b)
    client.force_login(teacher_5a)
    assert client.post(ADD, data(chat=other.pk)).status_code == 400
    assert not Meeting.objects.exists()
    assert client.post(ADD, data(chat=own.pk, format="hybrid", kind="lesson")).status_code == 302
    assert Meeting.objects.get().chat == own


BAD = {
    "future date": {"held_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()},
    "no date": {"held_on": ""},
    "bad date": {"held_on": "31.02.2025"},
    "no topic": {"topic": ""},
    "unknown format": {"format": "offline"},
    "unknown kind": {"kind": "party"},
    "negative participants": {"participants": "-1"},
    "unknown chat": {"chat": "999999"},
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_400_and_nothing_is_written(client, operator, case):
    client.force_login(operator)
    response = client.post(ADD, data(**BAD[case]))
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_month_list_and_its_pagination(client, director, school):
    this_month = today().replace(day=1)
    Meeting.objects.bulk_create(
        Meeting(school=school, held_on=this_month, topic=f"Встреча {n}", kind="meeting")
        for n in range(25)
    )
    Meeting.objects.create(
        school=school, held_on=this_month - datetime.timedelta(days=1), topic="Прошлый месяц"
    )
    client.force_login(director)
    first = client.get(LIST).content.decode()
    assert first.count("Встреча ") == 20 and "Прошлый месяц" not in first
    assert client.get(LIST, {"page": 2}).content.decode().count("Встреча ") == 5
    previous = client.get(
        LIST, {"month": f"{this_month - datetime.timedelta(days=1):%Y-%m}"}
    ).content.decode()
    assert "Прошлый месяц" in previous and "Встреча 1" not in previous


def test_the_list_shows_the_school_only(client, operator, other_school):
    Meeting.objects.create(school=other_school, held_on=today(), topic="Чужая школа")
    client.force_login(operator)
    assert "Чужая школа" not in client.get(LIST).content.decode()


def test_list_queries_do_not_grow(client, operator, school, django_assert_max_num_queries):
    chat = ChatFactory(school_class__school=school)
    Meeting.objects.bulk_create(
        Meeting(school=school, held_on=today(), topic=f"В{n}", chat=chat) for n in range(20)
    )
    client.force_login(operator)
    with django_assert_max_num_queries(11):
        assert client.get(LIST).status_code == 200


def test_a_teacher_corrects_own_entries_only(client, teacher_5a, teacher_5b, school):
    own = Meeting.objects.create(
        school=school, held_on=today(), topic="Моё", recorded_by=teacher_5a
    )
    theirs = Meeting.objects.create(
        school=school, held_on=today(), topic="Чужое", recorded_by=teacher_5b
    )
    client.force_login(teacher_5a)
    edit = reverse("chats:meeting_edit", args=[own.pk])
    assert client.post(edit, data(topic="Моё, исправлено")).status_code == 302
    own.refresh_from_db()
    assert own.topic == "Моё, исправлено"
    assert (
        client.post(reverse("chats:meeting_edit", args=[theirs.pk]), data(topic="x")).status_code
        == 403
    )
    theirs.refresh_from_db()
    assert theirs.topic == "Чужое"


@pytest.mark.parametrize("who", ["director", "operator", "coordinator"])
def test_school_wide_roles_correct_any_entry(client, request, teacher_5a, school, who):
    meeting = Meeting.objects.create(
        school=school, held_on=today(), topic="Запись", recorded_by=teacher_5a
    )
    client.force_login(request.getfixturevalue(who))
    assert (
        client.post(
            reverse("chats:meeting_edit", args=[meeting.pk]), data(topic="Исправлено")
        ).status_code
        == 302
    )


def test_another_schools_entry_is_404(client, operator, other_school):
    meeting = Meeting.objects.create(school=other_school, held_on=today(), topic="Чужая")
    client.force_login(operator)
    assert client.get(reverse("chats:meeting_edit", args=[meeting.pk])).status_code == 404


def test_people_without_a_school_cannot_log(client, inspector):
    client.force_login(inspector)
    assert client.get(LIST).status_code == 403
    assert client.post(ADD, data()).status_code == 403

"""Duplicate requests (issue 12, item 4): the same person (and child) through the same link sees
their earlier request and spends no second use — single-use links stay single-use for everybody
else; the queue marks the same person asking through another link."""

import pytest
from django.urls import reverse

from invitations.models import JoinRequest, Role, person_key
from invitations.services import invitation_use
from tests.factories import InvitationFactory
from tests.invitations.test_concurrency import run_at_once

FORM = {"full_name": "Иванова Ольга Петровна", "child_name": "Иванов Петя", "consent": "on"}


def _post(client, invitation, **changes):
    data = {**FORM, "submission_key": f"form-{len(changes)}-{id(changes)}", **changes}
    return client.post(reverse("invite", kwargs={"token": invitation.token}), data)


def test_person_key_ignores_case_yo_spacing_and_punctuation():
    assert person_key("  Иванова   ОЛЬГА Пётровна ", "иванов  петя.") == person_key(
        "иванова ольга петровна", "Иванов Петя"
    )
    assert person_key("Иванова Ольга", "Петя") != person_key("Иванова Ольга", "Маша")
    assert person_key("", "Петя") == ""


@pytest.mark.django_db
def test_the_same_parent_again_through_the_same_link_sees_the_earlier_request(client, class_5a):
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    first = _post(client, link)
    assert first.status_code == 200 and "ваша заявка записана" in first.content.decode()
    again = _post(client, link, full_name="иванова  ольга пётровна", submission_key="other-form")
    html = again.content.decode()
    assert again.status_code == 200
    assert "Вы уже подавали заявку" in html and "статус: ожидает" in html
    link.refresh_from_db()
    assert link.uses == 1 == JoinRequest.objects.filter(invitation=link).count()


@pytest.mark.django_db
def test_another_child_of_the_same_parent_is_a_new_request(client, class_5a):
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    _post(client, link)
    second = _post(client, link, child_name="Иванова Маша", submission_key="second")
    assert "ваша заявка записана" in second.content.decode()
    link.refresh_from_db()
    assert link.uses == 2


@pytest.mark.django_db
def test_a_used_single_use_link_shows_its_person_the_request_and_refuses_anybody_else(
    client, class_5a
):
    link = InvitationFactory(school_class=class_5a, role=Role.STUDENT, max_uses=1)
    pupil = {"full_name": "Петров Вася", "consent": "on"}
    path = reverse("invite", kwargs={"token": link.token})
    assert client.post(path, {**pupil, "submission_key": "a"}).status_code == 200
    again = client.post(path, {**pupil, "full_name": "ПЕТРОВ  ВАСЯ", "submission_key": "b"})
    assert again.status_code == 200 and "Вы уже подавали заявку" in again.content.decode()
    other = client.post(path, {**pupil, "full_name": "Сидоров Коля", "submission_key": "c"})
    assert other.status_code == 410
    link.refresh_from_db()
    assert (link.uses, link.status) == (1, "used")
    assert JoinRequest.objects.filter(invitation=link).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql("real parallel connections need PostgreSQL's row locks")
def test_the_same_person_from_two_phones_at_once_is_one_request_and_one_use(class_5a):
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=10)

    def work(n: int):
        return invitation_use(
            invitation_id=link.pk,
            full_name="Иванова Ольга" + " " * n,
            child_name="Иванов Петя",
            submission_key=f"phone-{n}",
        ).pk

    results = run_at_once(6, work)
    assert len(set(results)) == 1, results
    link.refresh_from_db()
    assert link.uses == 1 == JoinRequest.objects.filter(invitation=link).count()


@pytest.mark.django_db
def test_the_queue_marks_the_same_person_through_another_link(
    client, coordinator, class_5a, class_5b, django_assert_max_num_queries
):
    meeting = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    another = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    first = invitation_use(invitation_id=meeting.pk, **_names())
    second = invitation_use(
        invitation_id=another.pk, full_name="ИВАНОВА ольга петровна", child_name="Иванов Петя"
    )
    alone = invitation_use(invitation_id=another.pk, full_name="Смирнова Анна", child_name="Коля")
    for n in range(10):
        invitation_use(invitation_id=meeting.pk, full_name=f"Родитель {n}", child_name="Ребёнок")
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("invitations:join_requests"))
    rows = {jr.pk: jr for jr in response.context["page"].object_list}
    assert rows[first.pk].duplicate_of_id == second.pk
    assert rows[second.pk].duplicate_of_id == first.pk
    assert rows[second.pk].duplicate_invitation_id == meeting.pk
    assert rows[alone.pk].duplicate_of_id is None
    html = response.content.decode()
    assert html.count("возможный дубликат") == 2
    assert f"заявке № {first.pk}" in html and f"ссылка № {meeting.pk}" in html


def _names():
    return {"full_name": FORM["full_name"], "child_name": FORM["child_name"]}

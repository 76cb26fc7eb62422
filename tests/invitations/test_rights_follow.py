"""When rights change, links follow (item 9): a replaced class teacher's links into the class and
every link into an archived class are annulled — links issued through the real screens and API."""

import pytest
from django.urls import reverse

from invitations.models import Invitation
from roster.services import class_teacher_assign, schoolclass_archive
from tests.factories import PersonFactory

from .conftest import PLATFORM_URL

pytestmark = pytest.mark.django_db


def issue_via_api(api, user, school_class, role="parent"):
    response = api(user).post(
        "/api/v1/invitations/",
        {"role": role, "school_class": school_class.pk, "platform_url": PLATFORM_URL},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Invitation.objects.get(pk=response.json()["id"])


def issue_via_form(client, user, school_class, role="student"):
    client.force_login(user)
    response = client.post(
        reverse("invitations:create"),
        {
            "role": role,
            "school_class": school_class.pk,
            "max_uses": 30,
            "term_days": 14,
            "platform_url": PLATFORM_URL,
        },
    )
    assert response.status_code == 302
    return Invitation.objects.latest("pk")


def test_replacing_the_class_teacher_annuls_the_links_they_issued_for_the_class(
    api, client, teacher_5a, operator, class_5a, school, coordinator
):
    by_teacher_api = issue_via_api(api, teacher_5a, class_5a)
    by_teacher_form = issue_via_form(client, teacher_5a, class_5a)
    by_operator = issue_via_api(api, operator, class_5a)
    successor = PersonFactory(school=school)

    class_teacher_assign(school_class=class_5a, person=successor, by=coordinator)

    for link in (by_teacher_api, by_teacher_form):
        link.refresh_from_db()
        assert link.status == Invitation.Status.ANNULLED
        assert (
            link.annul_reason == "Смена классного руководителя" and link.annulled_by == coordinator
        )
    by_operator.refresh_from_db()
    assert by_operator.status == Invitation.Status.ACTIVE  # the operator's rights did not change
    # The former teacher no longer sees or acts on the class's links.
    assert api(teacher_5a).get("/api/v1/invitations/").status_code == 403
    # Their annulled link answers 410 to the public.
    assert client.get(reverse("invite", kwargs={"token": by_teacher_api.token})).status_code == 410


def test_archiving_a_class_annuls_every_active_link_into_it(
    api, teacher_5a, operator, class_5a, class_5b
):
    into_5a = [
        issue_via_api(api, teacher_5a, class_5a),
        issue_via_api(api, operator, class_5a, role="student"),
    ]
    into_5b = issue_via_api(api, operator, class_5b)

    schoolclass_archive(school_class=class_5a, by=operator)

    for link in into_5a:
        link.refresh_from_db()
        assert (link.status, link.annul_reason) == (
            Invitation.Status.ANNULLED,
            "Класс переведён в архив",
        )
    into_5b.refresh_from_db()
    assert into_5b.status == Invitation.Status.ACTIVE
    # No new link into an archived class.
    response = api(operator).post(
        "/api/v1/invitations/",
        {"role": "parent", "school_class": class_5a.pk, "platform_url": PLATFORM_URL},
        format="json",
    )
    assert response.status_code == 400


def test_used_links_stay_used_when_rights_change(api, client, teacher_5a, class_5a, school):
    link = issue_via_api(api, teacher_5a, class_5a)
    client.post(
        reverse("invite", kwargs={"token": link.token}),
        {"full_name": "Родитель", "child_name": "Ребёнок", "consent": "on"},
    )
    class_teacher_assign(school_class=class_5a, person=PersonFactory(school=school))
    link.refresh_from_db()
    assert link.status == Invitation.Status.USED

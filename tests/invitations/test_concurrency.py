"""Using a link is atomic: real parallel connections (threads, each with its own PostgreSQL
connection, through the whole view), committed data (``transactional_db``)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from invitations.models import Invitation, JoinRequest, Role
from invitations.services import InvitationNotActive, invitation_use
from tests.factories import InvitationFactory, SchoolClassFactory, SchoolFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work) -> list:
    """Start ``count`` threads that call ``work(n)`` at the same instant; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(n: int):
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except Exception as error:  # noqa: BLE001 — the test inspects it
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post_form(invitation):
    path = reverse("invite", kwargs={"token": invitation.token})

    def work(n: int) -> int:
        client = Client()
        data = {"full_name": f"Родитель {n}", "child_name": f"Ребёнок {n}", "consent": "on"}
        return client.post(path, data).status_code

    return work


@pytest.fixture
def school_class():
    return SchoolClassFactory(school=SchoolFactory(), grade=7, letter="В")


def test_twenty_people_at_once_on_a_single_use_link_exactly_one_succeeds(school_class):
    invitation = InvitationFactory(school_class=school_class, role=Role.PARENT, max_uses=1)
    statuses = run_at_once(20, post_form(invitation))
    assert sorted(statuses) == [200] + [410] * 19
    invitation.refresh_from_db()
    assert (invitation.uses, invitation.status) == (1, Invitation.Status.USED)
    assert JoinRequest.objects.filter(invitation=invitation).count() == 1


def test_twenty_people_at_once_on_a_five_use_link_exactly_five_succeed(school_class):
    invitation = InvitationFactory(school_class=school_class, role=Role.PARENT, max_uses=5)
    statuses = run_at_once(20, post_form(invitation))
    assert statuses.count(200) == 5 and statuses.count(410) == 15
    invitation.refresh_from_db()
    assert (invitation.uses, invitation.status) == (5, Invitation.Status.USED)
    assert JoinRequest.objects.filter(invitation=invitation).count() == 5


def test_the_service_alone_is_atomic_too(school_class):
    invitation = InvitationFactory(school_class=school_class, role=Role.STUDENT, max_uses=3)

    def work(n: int):
        try:
            invitation_use(invitation_id=invitation.pk, full_name=f"Ученик {n}")
        except InvitationNotActive:
            return "gone"
        return "ok"

    results = run_at_once(12, work)
    assert results.count("ok") == 3 and results.count("gone") == 9
    invitation.refresh_from_db()
    assert invitation.uses == 3 == JoinRequest.objects.filter(invitation=invitation).count()


def test_the_same_form_sent_twice_at_once_is_one_request(school_class):
    invitation = InvitationFactory(school_class=school_class, role=Role.PARENT, max_uses=10)

    def work(n: int):
        return invitation_use(
            invitation_id=invitation.pk,
            full_name="Родитель",
            child_name="Ребёнок",
            submission_key="same-form-key",
        ).pk

    results = run_at_once(6, work)
    assert len(set(results)) == 1, results
    invitation.refresh_from_db()
    assert invitation.uses == 1 == JoinRequest.objects.filter(invitation=invitation).count()


def test_annulling_while_people_use_the_link_keeps_counter_and_requests_in_step(
    school_class, django_user_model
):
    """Annul and use race: whatever wins, the link ends annulled and the counter agrees with the
    requests."""
    from invitations.services import invitation_annul

    invitation = InvitationFactory(school_class=school_class, role=Role.PARENT, max_uses=50)
    user = django_user_model.objects.create_user("annuller")
    use = post_form(invitation)

    def work(n: int):
        if n == 0:
            invitation_annul(
                invitation=Invitation.objects.get(pk=invitation.pk), by=user, reason="тест"
            )
            return "annulled"
        return use(n)

    results = run_at_once(15, work)
    assert "annulled" in results
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANNULLED
    requests = JoinRequest.objects.filter(invitation=invitation)
    assert invitation.uses == requests.count() == results.count(200)
    assert set(results) <= {"annulled", 200, 410}

"""The personal data lifecycle (issue 15, item 6): consent stored with the exact text version shown
and when, the text configurable per school, withdrawal recorded by the coordinator, and a recorded
job erasing the personal fields after the retention term while the audit facts stay."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_celery_beat.models import PeriodicTask

from compliance.models import JobRun
from gymnasium_portal.jobs import JOB_TABLE
from invitations.consent import ERASED, consent_text_publish, personal_data_erase
from invitations.models import ConsentText, JoinRequest, Role
from invitations.selectors import invitation_by_token
from staff.models import Person

from ..factories import InvitationFactory, JoinRequestFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _join(client, invitation, version=None, **extra):
    page = client.get(reverse("invite", args=[invitation.token]))
    assert page.status_code == 200
    data = {
        "full_name": "Петрова Анна Сергеевна",
        "child_name": "Петров Ваня",
        "consent": "on",
        "consent_version": version if version is not None else page.context["consent_version"],
        **extra,
    }
    return page, client.post(reverse("invite", args=[invitation.token]), data)


# --- Consent with its version ----------------------------------------------------------------


def test_consent_is_stored_with_the_version_shown_and_when(client, class_5a):
    invitation = InvitationFactory(school_class=class_5a)
    before = timezone.now()
    page, response = _join(client, invitation)
    assert response.status_code == 200
    request = JoinRequest.objects.get()
    assert request.consent_text.version == 1 and request.consent_text.school == class_5a.school
    assert before <= request.consent_given_at <= timezone.now()
    # The page showed exactly the stored text for a parent (the school's name in it).
    shown = request.consent_text.text_for(Role.PARENT)
    assert class_5a.school.name in shown and "ребёнка" in shown
    assert escape(shown) in page.content.decode()


def test_a_text_changed_while_the_page_was_open_keeps_the_version_agreed_to(
    client, class_5a, coordinator
):
    invitation = InvitationFactory(school_class=class_5a, max_uses=5)
    page = client.get(reverse("invite", args=[invitation.token]))
    assert page.context["consent_version"] == 1
    consent_text_publish(
        school=class_5a.school, text="Новый текст 2", parent_text="Новый текст 2 (родители)"
    )
    _page, response = _join(client, invitation, version=1)
    assert response.status_code == 200
    assert JoinRequest.objects.get().consent_text.version == 1
    # The next visitor sees version 2 and agrees to it.
    fresh = client.get(reverse("invite", args=[invitation.token]))
    assert fresh.context["consent_version"] == 2
    assert "Новый текст 2 (родители)" in fresh.content.decode()


def test_the_text_is_the_schools_own(client, class_5a, other_school_class, coordinator):
    consent_text_publish(
        school=other_school_class.school, text="Согласие другой школы", parent_text="Родители ДШ"
    )
    mine = client.get(reverse("invite", args=[InvitationFactory(school_class=class_5a).token]))
    theirs = client.get(
        reverse("invite", args=[InvitationFactory(school_class=other_school_class).token])
    )
    assert "Родители ДШ" in theirs.content.decode()
    assert "Родители ДШ" not in mine.content.decode()


def test_the_coordinator_writes_a_new_version_in_the_admin(client, coordinator, school):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:invitations_consenttext_add"),
        {"school": school.pk, "text": "Текст школы, версия А", "parent_text": "Для родителей А"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("admin:invitations_consenttext_add"),
        {"school": school.pk, "text": "Текст школы, версия Б", "parent_text": "Для родителей Б"},
    )
    assert response.status_code == 302
    versions = sorted(ConsentText.objects.filter(school=school).values_list("version", "text"))
    # Version 1 stays the portal's wording, which link pages may already have shown.
    assert versions[0][0] == 1 and school.name in versions[0][1]
    assert versions[1:] == [(2, "Текст школы, версия А"), (3, "Текст школы, версия Б")]
    assert ConsentText.objects.get(version=3).created_by == coordinator


def test_showing_the_page_or_a_refused_form_writes_nothing(client, class_5a):
    invitation = InvitationFactory(school_class=class_5a)
    assert client.get(reverse("invite", args=[invitation.token])).status_code == 200
    assert client.post(reverse("invite", args=[invitation.token]), {}).status_code == 400
    assert not ConsentText.objects.exists() and not JoinRequest.objects.exists()


def test_a_refused_form_shows_the_schools_wording_again(client, class_5a):
    # A use reads the link without the consent's wording (only its version is stored); a form sent
    # back with its errors still shows the school's own text, for the parent, in full.
    consent_text_publish(
        school=class_5a.school, text="Текст школы Б", parent_text="Родителям школы Б"
    )
    invitation = InvitationFactory(school_class=class_5a)
    refused = client.post(reverse("invite", args=[invitation.token]), {"full_name": "Петрова Анна"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Родителям школы Б" in page and "Текст школы Б" not in page
    assert refused.context["consent_version"] == 2


def test_a_use_reads_the_consents_version_without_its_wording(class_5a, django_assert_num_queries):
    consent_text_publish(school=class_5a.school, text="Т", parent_text="Р")
    current = ConsentText.objects.get(school=class_5a.school, version=2)
    invitation = InvitationFactory(school_class=class_5a)
    with django_assert_num_queries(1):
        found = invitation_by_token(invitation.token, wording=False)
        consent = ConsentText.of_link(found)
        assert (consent.pk, consent.version, consent.school) == (current.pk, 2, class_5a.school)
    assert consent.get_deferred_fields() >= {"text", "parent_text"}
    with django_assert_num_queries(1):  # asked for, the wording is read then
        assert consent.text_for(Role.PARENT) == "Р"


# --- Withdrawal ------------------------------------------------------------------------------


@pytest.fixture
def joined(client, class_5a):
    invitation = InvitationFactory(school_class=class_5a)
    _join(Client(), invitation)
    return JoinRequest.objects.get()


def test_the_coordinator_records_a_withdrawal_from_a_paper_request(client, coordinator, joined):
    url = reverse("invitations:join_request_withdraw_consent", args=[joined.pk])
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Записать отзыв" in page.content.decode()
    assert client.post(url, {"note": ""}).status_code == 400
    response = client.post(url, {"note": "Заявление № 12 от 01.12.2026"})
    assert response.status_code == 302
    joined.refresh_from_db()
    assert joined.consent_withdrawn_at is not None
    assert joined.consent_withdrawn_by == coordinator
    assert joined.consent_withdrawal_note == "Заявление № 12 от 01.12.2026"
    # Recorded once: a second time changes nothing.
    first = joined.consent_withdrawn_at
    client.post(url, {"note": "ещё раз"})
    joined.refresh_from_db()
    assert joined.consent_withdrawn_at == first and joined.consent_withdrawal_note.startswith("Зая")


@pytest.mark.parametrize(
    "who, status",
    [("teacher_5a", 403), ("operator", 403), ("director", 403), ("other_director", 404)],
)
def test_only_the_coordinator_of_the_school_records_it(request, client, joined, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("invitations:join_request_withdraw_consent", args=[joined.pk])
    assert client.post(url, {"note": "x"}).status_code == status
    joined.refresh_from_db()
    assert joined.consent_withdrawn_at is None


def test_anonymous_is_sent_to_login(client, joined):
    url = reverse("invitations:join_request_withdraw_consent", args=[joined.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Erasure after the retention term --------------------------------------------------------


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def lifecycle(class_5a, coordinator, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    invitation = InvitationFactory(school_class=class_5a)
    rows = {}

    def request(key, **fields):
        rows[key] = JoinRequestFactory(
            invitation=invitation, full_name=f"ФИО-{key}", child_name=f"Ребёнок-{key}"
        )
        JoinRequest.objects.filter(pk=rows[key].pk).update(**fields)

    request("withdrawn_old", consent_withdrawn_at=_ago(31), consent_withdrawn_by=coordinator)
    request("withdrawn_recent", consent_withdrawn_at=_ago(5))
    request("rejected_old", status="rejected", reviewed_at=_ago(31), reviewed_by=coordinator)
    request("rejected_recent", status="rejected", reviewed_at=_ago(5))
    request("stale_pending", created_at=_ago(31))
    request("fresh_pending")
    request("approved_old", status="approved", reviewed_at=_ago(400), created_at=_ago(400))
    school = class_5a.school
    people = {
        "left_old": PersonFactory(
            school=school,
            full_name="Уволен Давно",
            email="old@school.example",
            phone="+79120000001",
            is_active=False,
            left_on=timezone.localdate() - datetime.timedelta(days=31),
        ),
        "left_recent": PersonFactory(
            school=school,
            full_name="Уволен Недавно",
            email="new@school.example",
            is_active=False,
            left_on=timezone.localdate() - datetime.timedelta(days=5),
        ),
        "working": PersonFactory(school=school, full_name="Работает", email="w@school.example"),
    }
    return invitation, rows, people


def test_the_job_erases_personal_fields_past_the_term_and_keeps_the_audit_facts(lifecycle):
    invitation, rows, people = lifecycle
    call_command("run_job", "erase_personal_data")

    run = JobRun.objects.get(name="erase_personal_data")
    assert run.status == JobRun.Status.SUCCESS
    assert run.details == {"join_requests_erased": 3, "people_erased": 1}

    erased = {"withdrawn_old", "rejected_old", "stale_pending"}
    for key, row in rows.items():
        row = JoinRequest.objects.get(pk=row.pk)
        if key in erased:
            assert (row.full_name, row.child_name) == (ERASED, ERASED), key
            assert row.personal_data_erased_at is not None
            # The audit facts: which link, role, class, when, who reviewed or recorded it.
            assert row.invitation_id == invitation.pk and row.role == Role.PARENT
            assert row.school_class_id == invitation.school_class_id
            assert row.created_at is not None
        else:
            assert row.full_name == f"ФИО-{key}" and row.personal_data_erased_at is None, key
    assert JoinRequest.objects.get(pk=rows["rejected_old"].pk).reviewed_by is not None
    assert JoinRequest.objects.get(pk=rows["withdrawn_old"].pk).consent_withdrawn_by is not None

    left_old = Person.objects.get(pk=people["left_old"].pk)
    assert "Уволен" not in left_old.full_name and ERASED in left_old.full_name
    assert (left_old.email, left_old.phone) == ("", "")
    assert left_old.left_on is not None and left_old.personal_data_erased_at is not None
    for key in ("left_recent", "working"):
        person = Person.objects.get(pk=people[key].pk)
        assert person.email and person.personal_data_erased_at is None

    # Safe to run again: nothing more to erase, and the run is recorded.
    call_command("run_job", "erase_personal_data")
    assert JobRun.objects.filter(name="erase_personal_data").count() == 2
    assert JobRun.objects.order_by("-pk").first().rows_changed == 0


def test_the_term_is_a_setting(lifecycle, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 3
    result = personal_data_erase()
    assert result == {"join_requests_erased": 5, "people_erased": 2}


def test_the_job_is_in_the_table_and_scheduled():
    assert JOB_TABLE["erase_personal_data"].task == "invitations.tasks.erase_personal_data"
    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.filter(task="invitations.tasks.erase_personal_data").exists()


def test_the_join_requests_list_leads_the_coordinator_to_the_withdrawal(
    client, coordinator, operator, joined
):
    url = reverse("invitations:join_request_withdraw_consent", args=[joined.pk])
    client.force_login(coordinator)
    assert url in client.get(reverse("invitations:join_requests")).content.decode()
    client.post(url, {"note": "Заявление № 12 от 01.12.2026"})
    page = client.get(reverse("invitations:join_requests")).content.decode()
    assert url not in page and "согласие отозвано" in page
    client.force_login(operator)  # reviews requests, does not record withdrawals
    assert url not in client.get(reverse("invitations:join_requests")).content.decode()

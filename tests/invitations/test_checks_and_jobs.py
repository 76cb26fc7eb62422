"""Compliance checks of point 3 and the hourly expiry job."""

import datetime

import pytest
from django.utils import timezone

from compliance.models import JobRun
from compliance.registry import Figure, get_check
from invitations.models import Invitation, JoinRequest
from invitations.services import (
    EXPIRED_PARTLY_USED_REASON,
    EXPIRED_UNUSED_REASON,
    invitation_use,
    invitations_expire_unused,
)
from tests.factories import InvitationFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def test_checks_are_registered():
    assert get_check("no_stale_invitations") is not None
    assert get_check("join_requests_timely") is not None


def test_no_stale_invitations(
    school, other_school, class_5a, other_school_class, django_assert_num_queries
):
    InvitationFactory.create_batch(2, school_class=class_5a)
    stale = InvitationFactory(school_class=class_5a)
    Invitation.objects.filter(pk=stale.pk).update(expires_at=NOW - datetime.timedelta(hours=1))
    InvitationFactory(
        school_class=class_5a,
        status="annulled",
        annulled_at=NOW,
        expires_at=NOW - datetime.timedelta(days=1),
    )  # not active: not counted
    empty_school_id = other_school.pk
    with django_assert_num_queries(1):
        figures = get_check("no_stale_invitations").evaluate(
            school_ids=[school.pk, empty_school_id], today=timezone.localdate()
        )
    assert figures == {school.pk: Figure(done=2, total=3), empty_school_id: Figure(done=0, total=0)}
    assert figures[empty_school_id].complete
    invitations_expire_unused()
    assert get_check("no_stale_invitations").evaluate(
        school_ids=[school.pk], today=timezone.localdate()
    )[school.pk] == Figure(done=2, total=2)


def test_join_requests_timely_uses_each_schools_allowed_wait(
    school, other_school, class_5a, other_school_class, django_assert_num_queries
):
    school.join_request_max_pending_days = 3
    school.save()
    other_school.join_request_max_pending_days = 10
    other_school.save()
    link = InvitationFactory(school_class=class_5a, max_uses=10)
    foreign = InvitationFactory(school_class=other_school_class, max_uses=10)
    fresh = JoinRequestFactory(invitation=link)
    old = JoinRequestFactory(invitation=link)
    reviewed_old = JoinRequestFactory(invitation=link, status="approved", reviewed_at=NOW)
    five_days = JoinRequestFactory(invitation=foreign)
    JoinRequest.objects.filter(pk__in=[old.pk, reviewed_old.pk, five_days.pk]).update(
        created_at=NOW - datetime.timedelta(days=5)
    )
    # One grouped count, each school's wait joined in: fixed whatever the number of schools.
    with django_assert_num_queries(1):
        figures = get_check("join_requests_timely").evaluate(
            school_ids=[school.pk, other_school.pk], today=timezone.localdate()
        )
    assert figures[school.pk] == Figure(done=1, total=2)  # the 5-day-old one waits too long here
    assert figures[other_school.pk] == Figure(done=1, total=1)  # but not there (10 days allowed)
    assert fresh.status == "pending"


def test_expire_job_is_set_based_idempotent_and_recorded(class_5a, django_assert_num_queries):
    from gymnasium_portal.jobs import job_task

    unused = InvitationFactory(school_class=class_5a)
    partly = InvitationFactory(school_class=class_5a, max_uses=5)
    invitation_use(invitation_id=partly.pk, full_name="Родитель", child_name="Ребёнок")
    current = InvitationFactory(school_class=class_5a)
    Invitation.objects.filter(pk__in=[unused.pk, partly.pk]).update(
        expires_at=NOW - datetime.timedelta(minutes=5)
    )

    job_task("expire_invitations")()
    job_task("expire_invitations")()  # a second run (or a second worker) changes nothing

    unused.refresh_from_db()
    partly.refresh_from_db()
    current.refresh_from_db()
    assert (unused.status, unused.annul_reason) == ("expired", EXPIRED_UNUSED_REASON)
    assert (partly.status, partly.annul_reason, partly.uses) == (
        "expired",
        EXPIRED_PARTLY_USED_REASON,
        1,
    )
    assert current.status == "active"
    runs = list(JobRun.objects.filter(name="expire_invitations").order_by("started_at"))
    assert [run.details.get("expired") for run in runs] == [2, 0]
    with django_assert_num_queries(1):
        assert invitations_expire_unused() == 0


# --- Findings for unused links about to expire (DESIGN §6) ----------------------------------------


def _expiring_findings(**filters):
    from compliance.models import Finding
    from invitations.services import INVITATION_EXPIRING_UNUSED

    return Finding.objects.filter(check_key=INVITATION_EXPIRING_UNUSED, **filters)


def test_unused_links_about_to_expire_get_a_finding_until_used_or_retired(
    class_5a, other_school_class, settings, django_assert_max_num_queries
):
    from invitations.services import invitation_annul, invitations_flag_expiring_unused

    settings.INVITATION_EXPIRY_WARNING_DAYS = 2
    now = timezone.now()
    soon = InvitationFactory(school_class=class_5a, expires_at=now + datetime.timedelta(days=1))
    will_be_used = InvitationFactory(
        school_class=class_5a, max_uses=5, expires_at=now + datetime.timedelta(hours=5)
    )
    will_be_annulled = InvitationFactory(
        school_class=other_school_class, expires_at=now + datetime.timedelta(days=2)
    )
    not_yet = InvitationFactory(school_class=class_5a, expires_at=now + datetime.timedelta(days=3))
    partly_used = InvitationFactory(
        school_class=class_5a, max_uses=5, expires_at=now + datetime.timedelta(days=1)
    )
    invitation_use(
        invitation_id=partly_used.pk, full_name="Родитель", child_name="Ребёнок"
    )  # handed out: fine
    InvitationFactory(
        school_class=class_5a,
        status="annulled",
        annulled_at=now,
        expires_at=now + datetime.timedelta(days=1),
    )  # already retired

    with django_assert_max_num_queries(
        2
    ):  # one INSERT … SELECT, one UPDATE, whatever the number of links
        assert invitations_flag_expiring_unused(now=now) == 3
    findings = {f.subject_key: f for f in _expiring_findings(resolved_at__isnull=True)}
    assert set(findings) == {
        f"invitation:{link.pk}" for link in (soon, will_be_used, will_be_annulled)
    }
    assert findings[f"invitation:{soon.pk}"].school_class == class_5a
    assert findings[f"invitation:{will_be_annulled.pk}"].school == other_school_class.school
    assert invitations_flag_expiring_unused(now=now) == 0  # a second run (or worker) opens nothing

    invitation_use(invitation_id=will_be_used.pk, full_name="Родитель", child_name="Ребёнок")
    invitation_annul(invitation=will_be_annulled, by=None, reason="не нужна")
    invitations_flag_expiring_unused(now=now)
    still_open = set(
        _expiring_findings(resolved_at__isnull=True).values_list("subject_key", flat=True)
    )
    assert still_open == {f"invitation:{soon.pk}"}

    later = now + datetime.timedelta(days=2)  # the job retires the link, then its finding closes
    invitations_expire_unused(now=later)
    invitations_flag_expiring_unused(now=later)
    still_open = set(
        _expiring_findings(resolved_at__isnull=True).values_list("subject_key", flat=True)
    )
    assert still_open == {f"invitation:{not_yet.pk}"}  # and the next link's turn has come
    assert _expiring_findings().count() == 4  # the resolved ones kept on record


def test_the_hourly_job_flags_them_and_the_board_lists_them_under_point_3(school, class_5a):
    from board.findings import finding_list
    from invitations.tasks import expire_unused_invitations

    InvitationFactory(
        school_class=class_5a, expires_at=timezone.now() + datetime.timedelta(hours=3)
    )
    details = expire_unused_invitations()
    assert details["expiring_flagged"] == 1
    assert finding_list(school=school, check="no_stale_invitations").count() == 1

"""Compliance checks of point 3 and the hourly expiry job."""

import datetime

import pytest
from django.utils import timezone

from invitations.models import Invitation, InviteGuessCounter, JoinRequest
from invitations.services import (
    EXPIRED_PARTLY_USED_REASON,
    EXPIRED_UNUSED_REASON,
    invitation_use,
    invitations_expire_unused,
)
from orders.compliance import Figure, get_check
from orders.models import JobRun
from tests.factories import InvitationFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def test_checks_are_registered():
    assert get_check("no_stale_invitations") is not None
    assert get_check("join_requests_timely") is not None


def test_no_stale_invitations(school, other_school, class_5a, other_school_class, django_assert_num_queries):
    InvitationFactory.create_batch(2, school_class=class_5a)
    stale = InvitationFactory(school_class=class_5a)
    Invitation.objects.filter(pk=stale.pk).update(expires_at=NOW - datetime.timedelta(hours=1))
    InvitationFactory(school_class=class_5a, status="annulled", annulled_at=NOW,
                      expires_at=NOW - datetime.timedelta(days=1))  # not active: not counted
    empty_school_id = other_school.pk
    with django_assert_num_queries(1):
        figures = get_check("no_stale_invitations").evaluate(
            school_ids=[school.pk, empty_school_id], today=timezone.localdate())
    assert figures == {school.pk: Figure(done=2, total=3), empty_school_id: Figure(done=0, total=0)}
    assert figures[empty_school_id].complete
    invitations_expire_unused()
    assert get_check("no_stale_invitations").evaluate(
        school_ids=[school.pk], today=timezone.localdate())[school.pk] == Figure(done=2, total=2)


def test_join_requests_timely_uses_each_schools_allowed_wait(school, other_school, class_5a, other_school_class,
                                                            django_assert_num_queries):
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
        created_at=NOW - datetime.timedelta(days=5))
    # One grouped count, each school's wait joined in: fixed whatever the number of schools.
    with django_assert_num_queries(1):
        figures = get_check("join_requests_timely").evaluate(
            school_ids=[school.pk, other_school.pk], today=timezone.localdate())
    assert figures[school.pk] == Figure(done=1, total=2)  # the 5-day-old one waits too long here
    assert figures[other_school.pk] == Figure(done=1, total=1)  # but not there (10 days allowed)
    assert fresh.status == "pending"


def test_expire_job_is_set_based_idempotent_and_recorded(class_5a, django_assert_num_queries):
    from orders.jobs import job_task

    unused = InvitationFactory(school_class=class_5a)
    partly = InvitationFactory(school_class=class_5a, max_uses=5)
    invitation_use(invitation_id=partly.pk, full_name="Родитель", child_name="Ребёнок")
    current = InvitationFactory(school_class=class_5a)
    Invitation.objects.filter(pk__in=[unused.pk, partly.pk]).update(expires_at=NOW - datetime.timedelta(minutes=5))
    InviteGuessCounter.objects.create(address="192.0.2.1", window_number=1, hits=3)

    job_task("expire_invitations")()
    job_task("expire_invitations")()  # a second run (or a second worker) changes nothing

    unused.refresh_from_db()
    partly.refresh_from_db()
    current.refresh_from_db()
    assert (unused.status, unused.annul_reason) == ("expired", EXPIRED_UNUSED_REASON)
    assert (partly.status, partly.annul_reason, partly.uses) == ("expired", EXPIRED_PARTLY_USED_REASON, 1)
    assert current.status == "active"
    runs = list(JobRun.objects.filter(name="expire_invitations").order_by("started_at"))
    assert [run.details.get("expired") for run in runs] == [2, 0]
    assert not InviteGuessCounter.objects.exists()
    with django_assert_num_queries(1):
        assert invitations_expire_unused() == 0

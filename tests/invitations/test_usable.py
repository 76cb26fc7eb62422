"""«This link can be used» is one rule: ``Invitation.objects.usable()`` for queries and
``invitation.gone_reason()`` for a row already read, and the two always agree."""

import datetime

import pytest
from django.utils import timezone

from invitations.models import Invitation
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def links(class_5a):
    """One link in every state a link can be in, by the reason it is gone (None: usable)."""
    now = timezone.now()
    make = InvitationFactory
    return {
        "fresh": (make(school_class=class_5a), None),
        "partly used": (make(school_class=class_5a, max_uses=5, uses=4), None),
        "past its term, job not run yet": (
            make(school_class=class_5a, expires_at=now - HOUR),
            Invitation.Status.EXPIRED,
        ),
        "no use left, status not moved": (
            make(school_class=class_5a, max_uses=2, uses=2),
            Invitation.Status.USED,
        ),
        "used": (
            make(school_class=class_5a, max_uses=1, uses=1, status=Invitation.Status.USED),
            Invitation.Status.USED,
        ),
        "expired by the job": (
            make(
                school_class=class_5a,
                expires_at=now - HOUR,
                status=Invitation.Status.EXPIRED,
                annulled_at=now,
            ),
            Invitation.Status.EXPIRED,
        ),
        "annulled": (
            make(school_class=class_5a, status=Invitation.Status.ANNULLED, annulled_at=now),
            Invitation.Status.ANNULLED,
        ),
    }


def test_gone_reason_names_why_a_link_cannot_be_used(links):
    for name, (link, reason) in links.items():
        assert link.gone_reason() == reason, name


def test_usable_selects_exactly_the_links_without_a_gone_reason(links):
    usable = set(Invitation.objects.usable().values_list("pk", flat=True))
    assert usable == {link.pk for link, reason in links.values() if reason is None}


def test_both_take_the_same_moment(links):
    """At a later moment the links within their term are gone too, by both answers alike."""
    later = timezone.now() + datetime.timedelta(days=30)
    assert not Invitation.objects.usable(later).exists()
    assert {link.gone_reason(later) for link, _reason in links.values()} == {
        Invitation.Status.EXPIRED,
        Invitation.Status.USED,
        Invitation.Status.ANNULLED,
    }
    earlier = timezone.now() - 2 * HOUR
    usable_earlier = set(Invitation.objects.usable(earlier).values_list("pk", flat=True))
    assert usable_earlier == {
        link.pk for link, _reason in links.values() if link.gone_reason(earlier) is None
    }
    assert links["past its term, job not run yet"][0].pk in usable_earlier

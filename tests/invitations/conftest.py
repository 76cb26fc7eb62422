"""Fixtures of the invitations tests: links in the standing schools, API clients per user."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from invitations.models import Invitation, Role
from tests.factories import InvitationFactory

PLATFORM_URL = "https://sferum.ru/?invite=demo-5a-parents"


@pytest.fixture
def api():
    """``api(user)``: a DRF client authenticated as ``user`` (or anonymous with None)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def link_5a(class_5a, operator):
    """A single-use parents' link into 5А issued by the operator."""
    return InvitationFactory(
        school_class=class_5a, role=Role.PARENT, created_by=operator, platform_url=PLATFORM_URL
    )


@pytest.fixture
def meeting_link_5a(class_5a, operator):
    """A parent-meeting link into 5А: forty uses."""
    return InvitationFactory(
        school_class=class_5a,
        role=Role.PARENT,
        max_uses=40,
        created_by=operator,
        platform_url=PLATFORM_URL,
    )


@pytest.fixture
def link_5b(class_5b, operator):
    return InvitationFactory(school_class=class_5b, role=Role.STUDENT, created_by=operator)


@pytest.fixture
def teacher_link(school, operator):
    return InvitationFactory(
        school=school, school_class=None, role=Role.TEACHER, created_by=operator
    )


@pytest.fixture
def other_school_link(other_school_class):
    return InvitationFactory(school_class=other_school_class, role=Role.PARENT)


def expired(invitation: Invitation) -> Invitation:
    """Move the term of a link into the past without the job having run (status still active)."""
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    invitation.refresh_from_db()
    return invitation

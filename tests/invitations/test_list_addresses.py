"""The list pages build their addresses right: the bulk annulment keeps every filter (no «??» that
turned the first one into «?status»), pagination keeps the filters, and the confirmation names the
links it will annul."""

import pytest
from django.urls import reverse

from invitations.models import Invitation, Role
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_the_bulk_annul_address_keeps_the_first_filter(client, coordinator, class_5a):
    InvitationFactory(school_class=class_5a, role=Role.PARENT)
    client.force_login(coordinator)
    response = client.get(reverse("invitations:list"), {"status": "active", "role": "parent"})
    html = response.content.decode()
    assert "??" not in html
    assert 'href="/invitations/annul/?status=active&amp;role=parent"' in html


def test_pagination_keeps_the_filters(client, coordinator, class_5a):
    for _ in range(26):
        InvitationFactory(school_class=class_5a, role=Role.PARENT)
    client.force_login(coordinator)
    html = client.get(reverse("invitations:list"), {"role": "parent"}).content.decode()
    assert 'href="?role=parent&amp;page=2"' in html
    assert "??" not in html


def test_the_confirmation_lists_exactly_the_links_it_will_annul(
    client, coordinator, class_5a, class_5b, django_assert_max_num_queries
):
    parents = [InvitationFactory(school_class=c, role=Role.PARENT) for c in (class_5a, class_5b)]
    pupils = InvitationFactory(school_class=class_5a, role=Role.STUDENT)
    InvitationFactory(school_class=class_5a, role=Role.PARENT, status=Invitation.Status.ANNULLED)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("invitations:annul_bulk"), {"status": "active", "role": "parent"}
        )
    html = response.content.decode()
    for invitation in parents:
        assert f'data-invitation="{invitation.pk}"' in html
    assert f'data-invitation="{pupils.pk}"' not in html
    assert html.count("data-invitation=") == 2


def test_the_confirmation_of_another_school_shows_nothing_of_it(client, other_director, class_5a):
    InvitationFactory(school_class=class_5a, role=Role.PARENT)
    client.force_login(other_director)
    response = client.get(reverse("invitations:annul_bulk"), {"status": "active"})
    assert response.status_code in (200, 403)
    assert "data-invitation=" not in response.content.decode()

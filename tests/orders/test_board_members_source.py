"""The board says where the number of chat members comes from: МАХ (with when it confirmed it) or
typed in by the class teacher (issue 14, «What people see»)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chats.models import ChatKind, MembersSource
from tests.factories import ChatFactory

pytestmark = pytest.mark.django_db


def members_detail(client, director) -> str:
    client.force_login(director)
    response = client.get(reverse("board:board") + "?refresh=1")
    assert response.status_code == 200
    item = next(i for i in response.context["headline"] if i.key == "members")
    return item.detail


def chats(school_class, *, verified_at=None, source=MembersSource.MANUAL, students=20, parents=30):
    ChatFactory(
        school_class=school_class,
        kind=ChatKind.CLASS_STUDENTS,
        members_count=students,
        members_source=source,
        verified_at=verified_at,
    )
    ChatFactory(
        school_class=school_class,
        kind=ChatKind.CLASS_PARENTS,
        members_count=parents,
        members_source=source,
        verified_at=verified_at,
    )


def test_typed_in_numbers_say_so(client, director, class_5a):
    chats(class_5a)
    assert members_detail(client, director) == "50 из 65 (77%) — вручную"


def test_numbers_max_confirmed_say_so_with_the_time(client, director, class_5a):
    at = timezone.localtime().replace(hour=9, minute=5, second=0, microsecond=0)
    chats(class_5a, verified_at=at, source=MembersSource.PLATFORM)
    assert members_detail(client, director) == "50 из 65 (77%) — по данным МАХ, 09:05"


def test_an_older_confirmation_names_its_day(client, director, class_5a):
    at = timezone.localtime() - datetime.timedelta(days=3)
    chats(class_5a, verified_at=at, source=MembersSource.PLATFORM)
    assert members_detail(client, director).endswith(f"по данным МАХ, {at:%d.%m.%Y %H:%M}")


def test_a_mix_says_how_many_of_each(client, director, class_5a, class_5b):
    chats(class_5a, verified_at=timezone.now(), source=MembersSource.PLATFORM)
    chats(class_5b, students=10, parents=10)
    assert members_detail(client, director) == ("70 из 130 (54%) — по данным МАХ: 50, вручную: 20")

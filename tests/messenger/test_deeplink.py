"""A person binds their MAX account through a one-time deep link (API.md: GET /api/v1/me/max-link/,
bot_started with the payload)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from devtools.fake_max import update_body
from messenger.client import MaxClient
from messenger.inbox import inbox_store, inbox_sweep
from messenger.models import LinkCode, MaxAccount

from .schema import validate_update

MAX_USER = 700000123


def link_of(user) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/me/max-link/")
    assert response.status_code == 200
    return response.json()


def start_bot(payload: str, *, user_id: int = MAX_USER, timestamp: int | None = None) -> None:
    update = update_body("bot_started", chat_id=5550001, user_id=user_id, payload=payload)
    if timestamp is not None:
        update["timestamp"] = timestamp
    validate_update(update)
    inbox_store(update)
    with MaxClient.from_settings() as client:
        inbox_sweep(client=client)


@pytest.mark.django_db
def test_the_deep_link_binds_once(max_on, teacher_5a, client):
    link = link_of(teacher_5a)
    assert link["bound"] is False and link["enabled"] is True
    assert link["deep_link"] == f"https://max.ru/gymnasium_portal_bot?start={link['code']}"
    assert len(link["code"]) <= 128
    assert link_of(teacher_5a)["code"] == link["code"]  # the same until used or expired
    client.force_login(teacher_5a)
    page = client.get(reverse("messenger:my_account")).content.decode()
    assert link["deep_link"] in page

    start_bot(link["code"])
    account = MaxAccount.objects.get(person=teacher_5a.person)
    assert account.max_user_id == MAX_USER
    after = link_of(teacher_5a)
    assert after["bound"] is True and after["code"] != link["code"]  # a used code is not offered

    # The same code again (another MAX user) binds nobody.
    start_bot(link["code"], user_id=MAX_USER + 1, timestamp=1)
    assert not MaxAccount.objects.filter(max_user_id=MAX_USER + 1).exists()
    assert max_on.state.requests == []  # binding a person needs no call to MAX


@pytest.mark.django_db
def test_an_expired_code_binds_nobody(max_on, teacher_5a):
    code = link_of(teacher_5a)["code"]
    LinkCode.objects.filter(code=code).update(expires_at=timezone.now() - datetime.timedelta(1))
    start_bot(code)
    assert not MaxAccount.objects.exists()
    assert link_of(teacher_5a)["code"] != code  # a new code once the old expired


@pytest.mark.django_db
def test_an_unknown_code_binds_nobody(max_on, teacher_5a):
    start_bot("no-such-code")
    start_bot("")
    assert not MaxAccount.objects.exists()


@pytest.mark.django_db
def test_the_link_needs_a_signed_in_person(max_on, inspector):
    assert APIClient().get("/api/v1/me/max-link/").status_code == 401
    api = APIClient()
    api.force_authenticate(inspector)  # an account with no staff record
    assert api.get("/api/v1/me/max-link/").status_code == 404

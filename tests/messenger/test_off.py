"""With MAX_BOT_TOKEN unset the integration is off (API.md): every page works and says so, the
jobs and commands do nothing and exit cleanly, and no request leaves for MAX."""

from __future__ import annotations

import io

import httpx
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from chats.models import ChatKind
from chats.services import chat_requirements_create_defaults
from compliance.models import JobRun
from devtools.fake_max import update_body
from messenger.models import InboxUpdate
from tests.factories import ChatFactory

from .helpers import post_update

OFF = "Интеграция с МАХ выключена"


@pytest.fixture
def no_request_leaves(monkeypatch, max_off):
    def refuse(*args, **kwargs):
        raise AssertionError("a request to MAX with the integration off")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    yield
    assert max_off.state.requests == []


@pytest.mark.django_db
def test_every_page_works_and_says_the_integration_is_off(
    client, no_request_leaves, school, class_5a, operator, teacher_5a, director
):
    chat_requirements_create_defaults(school=school)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS, members_count=20)
    pages = {
        operator: ["/max/unbound/", "/max/account/", "/chats/school/", "/"],
        teacher_5a: ["/max/account/", f"/chats/my-class/{class_5a.pk}/", "/"],
        director: ["/max/account/", "/orders/", "/chats/school/"],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url, response.status_code)
            if url.startswith("/max/"):
                assert OFF in response.content.decode(), url
    api = APIClient()
    api.force_authenticate(teacher_5a)
    link = api.get("/api/v1/me/max-link/").json()
    assert link == {
        "deep_link": None,
        "code": None,
        "expires_at": None,
        "bound": False,
        "enabled": False,
    }
    chat = api.get("/api/v1/chats/").json()["results"][0]
    assert (chat["platform_chat_id"], chat["verified_at"], chat["members_source"]) == (
        None,
        None,
        "manual",
    )


@pytest.mark.django_db
def test_jobs_commands_and_the_webhook_do_nothing(client, no_request_leaves):
    assert post_update(client, update_body("bot_added", chat_id=-1)).status_code == 404
    assert not InboxUpdate.objects.exists()
    for job in ("max_sync", "send_max_outbox"):
        call_command("run_job", job, stdout=io.StringIO())
        assert JobRun.objects.get(name=job).status == JobRun.Status.SUCCESS
    for command, args in (("max_poll", ["--once"]), ("max_setup", ["https://p.example/max/"])):
        out = io.StringIO()
        call_command(command, *args, stdout=out)
        assert OFF in out.getvalue()

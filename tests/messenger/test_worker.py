"""The webhook's update processed by a REAL Celery worker on the real Redis broker (API.md: «a valid
update → 200 at once, processed by a worker»), with the worker calling the local fake MAX."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from chats.models import Chat, ChatKind
from devtools.fake_max import FakeMax, chat_body, update_body
from messenger.models import InboxUpdate
from tests.factories import ChatFactory
from tests.test_celery_worker import queue, wait_for, worker  # noqa: F401  (the worker fixtures)

from .conftest import REDIS_URL, SECRET, TOKEN
from .helpers import post_update

pytestmark = pytest.mark.worker

CHAT_ID = -72000000000999
ENV = {
    "MAX_BOT_TOKEN": TOKEN,
    "MAX_WEBHOOK_SECRET": SECRET,
    "MAX_REDIS_URL": REDIS_URL,
    "MAX_BOT_USERNAME": "gymnasium_portal_bot",
}


@pytest.fixture(scope="module")
def max_env():
    """The fake MAX, and the environment the worker starts with pointing at it."""
    with FakeMax(TOKEN) as fake:
        saved = {name: os.environ.get(name) for name in (*ENV, "MAX_API_URL")}
        os.environ.update(ENV, MAX_API_URL=fake.url)
        try:
            yield fake
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.mark.django_db(transaction=True)
def test_the_worker_processes_a_webhook_update(max_env, worker, settings, school, class_5a):  # noqa: F811
    settings.MAX_BOT_TOKEN, settings.MAX_WEBHOOK_SECRET = TOKEN, SECRET
    settings.MAX_API_URL = max_env.url
    chat = ChatFactory(
        school_class=class_5a, kind=ChatKind.CLASS_PARENTS, url="https://max.ru/join/w5a"
    )
    max_env.state.chats[CHAT_ID] = chat_body(
        CHAT_ID, link="https://max.ru/join/w5a", participants_count=31
    )
    response = post_update(Client(), update_body("bot_added", chat_id=CHAT_ID))
    assert response.status_code == 200
    wait_for(
        lambda: InboxUpdate.objects.filter(processed_at__isnull=False).exists(),
        worker=worker,
        what="the worker's processing of the update",
    )
    chat = Chat.objects.get(pk=chat.pk)
    assert (chat.platform_chat_id, chat.members_count, chat.members_source) == (
        CHAT_ID,
        31,
        "platform",
    )

"""POST /max/webhook/ (API.md): the secret, malformed bodies, redelivery, and answering at once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections
from django.test import Client

from chats.models import Chat, ChatKind
from devtools.fake_max import chat_body, update_body
from messenger.client import MaxClient
from messenger.inbox import inbox_sweep
from messenger.models import InboxUpdate, PlatformChat
from tests.factories import ChatFactory

from .helpers import post_update
from .schema import validate_update

CHAT_ID = -72000000000123  # group chats have negative 64-bit ids


@pytest.fixture
def parents_chat(class_5a):
    return ChatFactory(
        school_class=class_5a,
        kind=ChatKind.CLASS_PARENTS,
        title="5А — родители",
        url="https://max.ru/join/AbCdEf123",
        members_count=10,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "webhook-secret-5d2"])
def test_it_refuses_a_wrong_or_missing_secret_and_stores_nothing(client, max_on, secret):
    response = post_update(client, update_body("bot_added", chat_id=CHAT_ID), secret=secret)
    assert response.status_code == 401
    assert InboxUpdate.objects.count() == 0
    assert max_on.state.requests == []


@pytest.mark.django_db
def test_it_refuses_everything_when_no_secret_is_configured(client, max_on, settings):
    settings.MAX_WEBHOOK_SECRET = ""
    response = post_update(client, update_body("bot_added", chat_id=CHAT_ID), secret="")
    assert response.status_code == 401
    assert InboxUpdate.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b"[1, 2]",
        b'"bot_added"',
        b'{"update_type": "bot_added"}',
        b'{"update_type": "bot_added", "timestamp": "yesterday"}',
        b'{"update_type": "", "timestamp": 1}',
        b'{"update_type": "bot_added", "timestamp": 1, "chat_id": 99999999999999999999}',
    ],
)
def test_malformed_json_is_400_and_nothing_is_stored(client, max_on, raw):
    response = post_update(client, None, raw=raw)
    assert response.status_code == 400
    assert InboxUpdate.objects.count() == 0


@pytest.mark.django_db
def test_get_is_not_allowed(client, max_on):
    assert client.get("/max/webhook/").status_code == 405


@pytest.mark.django_db
def test_off_the_webhook_stores_nothing(client, max_off):
    response = post_update(client, update_body("bot_added", chat_id=CHAT_ID))
    assert response.status_code == 404
    assert InboxUpdate.objects.count() == 0


@pytest.mark.django_db
def test_the_same_update_twice_is_stored_and_processed_once(
    client, max_on, parents_chat, django_capture_on_commit_callbacks
):
    max_on.state.chats[CHAT_ID] = chat_body(
        CHAT_ID, link="https://MAX.ru/join/AbCdEf123/", participants_count=27
    )
    update = update_body("bot_added", chat_id=CHAT_ID)
    validate_update(update)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = post_update(client, update)
        second = post_update(client, update)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == {"success": True}
    assert InboxUpdate.objects.count() == 1
    assert len(queued) == 1  # the redelivery queues nothing
    stored = InboxUpdate.objects.get()
    assert (stored.chat_id, stored.update_type, stored.payload) == (CHAT_ID, "bot_added", update)
    with MaxClient.from_settings() as max_client:
        assert inbox_sweep(client=max_client) == (1, 0)
        assert inbox_sweep(client=max_client) == (0, 0)  # done: a second sweep does nothing
    chat_reads = [r for r in max_on.state.requests if r.path == f"/chats/{CHAT_ID}"]
    assert len(chat_reads) == 1
    parents_chat.refresh_from_db()
    assert parents_chat.platform_chat_id == CHAT_ID


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql("holds a table lock from a second connection")
def test_it_answers_200_while_the_database_is_slow(max_on, parents_chat):
    """Processing locks chats and MAX chats; a transaction holding those tables (a slow migration,
    a long report) must not hold up the webhook: it only inserts into the inbox."""
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link=parents_chat.url)
    locked = threading.Event()
    release = threading.Event()

    def hold_locks():
        locker = connections.create_connection("default")
        with locker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                f"LOCK TABLE {Chat._meta.db_table}, {PlatformChat._meta.db_table} "
                "IN ACCESS EXCLUSIVE MODE"
            )
            locked.set()
            release.wait(30)
            cursor.execute("ROLLBACK")
        locker.close()

    holder = threading.Thread(target=hold_locks)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        response = post_update(Client(), update_body("bot_added", chat_id=CHAT_ID))
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed < 5, f"the webhook waited {elapsed:.1f} s for the locked tables"
        assert InboxUpdate.objects.filter(processed_at__isnull=True).count() == 1
    finally:
        release.set()
        holder.join(30)
    with MaxClient.from_settings() as max_client:
        assert inbox_sweep(client=max_client) == (1, 0)
    parents_chat.refresh_from_db()
    assert parents_chat.platform_chat_id == CHAT_ID

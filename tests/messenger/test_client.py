"""The MAX client against the local server: bodies valid against the published schema, 429 with
Retry-After, 5xx with back-off, 404, the token only in the Authorization header, the limiter."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from devtools.fake_max import chat_body, most_within_a_second, update_body
from messenger.client import MaxClient, MaxError, MaxNotFound, MaxUnavailable
from messenger.ratelimit import RedisRateLimiter

from .conftest import REDIS_URL, TOKEN
from .schema import validate, validate_update

CHAT_ID = -72000000000777


def test_the_fake_servers_answers_are_valid_against_the_schema(max_on):
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link="https://max.ru/join/x")
    for kind in ("bot_added", "bot_removed", "user_added", "user_removed", "chat_title_changed"):
        max_on.state.updates.append(update_body(kind, chat_id=CHAT_ID))
    max_on.state.updates.append(update_body("bot_started", chat_id=1, payload="code"))
    with MaxClient.from_settings() as client:
        validate("Chat", client.chat(CHAT_ID))
        validate("BotInfo", client.me())
        updates = client.updates(marker=None, timeout=0)
        validate("UpdateList", updates)
        for update in updates["updates"]:
            validate_update(update)
        validate("SendMessageResult", client.send_message(user_id=42, text="Напоминание"))
        validate(
            "SimpleQueryResult",
            client.subscribe(
                url="https://portal.example/max/webhook/",
                update_types=["bot_added"],
                secret="secret-12345",
            ),
        )
        validate("GetSubscriptionsResult", client.subscriptions())
        with pytest.raises(MaxNotFound) as gone:
            client.chat(12345)
    assert gone.value.status == 404 and gone.value.code == "chat.not.found"
    import httpx

    answer = httpx.get(f"{max_on.url}/chats/12345", headers={"Authorization": TOKEN})
    validate("Error", answer.json())
    validate("Error", httpx.get(f"{max_on.url}/chats/1").json())  # 401 without a token


def test_429_waits_for_retry_after_and_retries(max_on):
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID)
    max_on.state.throttle_next[f"/chats/{CHAT_ID}"] = 1
    max_on.state.retry_after = "1"
    with MaxClient.from_settings() as client:
        assert client.chat(CHAT_ID)["chat_id"] == CHAT_ID
    first, second = [r.at for r in max_on.state.requests]
    assert second - first >= 1.0, "the retry came before Retry-After"


def test_5xx_backs_off_then_gives_up(max_on, settings):
    settings.MAX_BACKOFF_SECONDS = 0.2
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID)
    max_on.state.fail_next[f"/chats/{CHAT_ID}"] = 2
    with MaxClient.from_settings() as client:
        assert client.chat(CHAT_ID)["chat_id"] == CHAT_ID
    times = [r.at for r in max_on.state.requests]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.15 and times[2] - times[1] >= 0.3  # doubling, with jitter
    max_on.state.requests.clear()
    max_on.state.fail_next[f"/chats/{CHAT_ID}"] = 10
    settings.MAX_BACKOFF_SECONDS = 0.01
    with MaxClient.from_settings() as client, pytest.raises(MaxUnavailable):
        client.chat(CHAT_ID)
    assert len(max_on.state.requests) == 1 + settings.MAX_RETRIES


def test_a_refused_request_is_not_retried(max_on, settings):
    settings.MAX_BOT_TOKEN = "not-the-token"
    with MaxClient.from_settings() as client, pytest.raises(MaxError) as refused:
        client.chat(CHAT_ID)
    assert refused.value.status == 401
    assert len(max_on.state.requests) == 1


def test_time_outs_are_retried(max_on, settings):
    settings.MAX_TIMEOUT_SECONDS = 0.2
    settings.MAX_RETRIES = 1
    max_on.state.delay = 0.5
    with MaxClient.from_settings() as client, pytest.raises(MaxUnavailable):
        client.chat(CHAT_ID)
    assert len(max_on.state.requests) == 2


def test_the_token_is_only_in_the_authorization_header_and_never_logged(max_on, caplog):
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID)
    max_on.state.fail_next["/messages"] = 1
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    with MaxClient.from_settings() as client:
        client.chat(CHAT_ID)
        client.send_message(user_id=7, text="текст")
        with pytest.raises(MaxNotFound):
            client.chat(1)
    assert max_on.state.requests
    for seen in max_on.state.requests:
        assert seen.headers["Authorization"] == TOKEN
        assert TOKEN not in seen.path and TOKEN not in str(seen.query)
        assert "access_token" not in seen.query
    assert caplog.records, "the client logs its requests"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in str(record.args)


@pytest.mark.parametrize("workers", [3])
def test_the_shared_limiter_never_lets_more_than_the_limit_into_any_second(max_on, workers):
    """Three clients (as three workers would, each its own limiter object) share one Redis log."""
    limit = 10
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID)

    grants: list[float] = []

    class Recording(RedisRateLimiter):
        def acquire(self) -> float:
            granted = super().acquire()
            grants.append(granted)
            return granted

    def work():
        limiter = Recording(url=REDIS_URL, limit=limit, key="portal:max:test-limiter")
        with MaxClient.from_settings(limiter=limiter) as client:
            for _ in range(10):
                client.chat(CHAT_ID)

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    elapsed = time.monotonic() - started
    assert len(max_on.state.requests) == 30
    # The starts granted, on the clock every worker shares (Redis's): never 11 within a second.
    # (What this process's own server thread records also carries the machine's scheduling
    # jitter; bench_max_sync counts arrivals in a server process of its own.)
    assert len(grants) == 30
    assert most_within_a_second(grants) <= limit
    assert max(grants) - min(grants) >= 2.0  # 30 starts at 10 per second span two seconds
    assert elapsed >= 2.0

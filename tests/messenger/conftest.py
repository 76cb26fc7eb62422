"""Fixtures of the MAX tests: a real local HTTP server playing MAX, the integration switched on
against it (token, secret, a Redis database for the shared limiter)."""

from __future__ import annotations

import os

import pytest
import redis

from devtools.fake_max import FakeMax

TOKEN = "test-bot-token-0c9f4e7a1b"
SECRET = "webhook-secret-5d2b"
REDIS_URL = os.environ.get("MAX_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def fake_max():
    with FakeMax(TOKEN) as fake:
        yield fake


def _clear_limiter() -> None:
    connection = redis.Redis.from_url(REDIS_URL)
    # Only the tests' own keys: a benchmark running beside them keeps its own log.
    keys = [b"portal:max:requests", b"portal:max:test-limiter"]
    keys += list(connection.scan_iter("portal:max:chat:*"))
    if keys:
        connection.delete(*keys)


@pytest.fixture
def max_on(settings, fake_max):
    """The integration on, calling the local fake MAX."""
    settings.MAX_BOT_TOKEN = TOKEN
    settings.MAX_API_URL = fake_max.url
    settings.MAX_WEBHOOK_SECRET = SECRET
    settings.MAX_BOT_USERNAME = "gymnasium_portal_bot"
    settings.MAX_REDIS_URL = REDIS_URL
    settings.MAX_RATE_LIMIT = 1000
    settings.MAX_RETRIES = 3
    settings.MAX_BACKOFF_SECONDS = 0.01
    settings.MAX_TIMEOUT_SECONDS = 5
    _clear_limiter()
    yield fake_max
    _clear_limiter()


@pytest.fixture
def max_off(settings, fake_max):
    """The integration off (no token), the fake server listening: to see nothing reaches it."""
    settings.MAX_BOT_TOKEN = ""
    settings.MAX_API_URL = fake_max.url
    settings.MAX_WEBHOOK_SECRET = SECRET
    return fake_max

"""A small synchronous client of the MAX Bot API, for the endpoints the portal uses.

Why not a library: ``maxapi`` (aiohttp), ``maxo`` and ``python-max-bot`` are asynchronous bot
frameworks (dispatchers, FSM, their own polling loops); a Celery worker and a management command
want a plain blocking call with the portal's own limiter, retries and logging. httpx gives
timeouts and connection reuse; the rest is below.

- The token goes only in the ``Authorization`` header (API.md), never in the address, and no log
  line carries a header.
- Every attempt first takes its turn from the shared rate limiter (``messenger.ratelimit``).
- 429: waits ``Retry-After`` (seconds or an HTTP date, at most ``MAX_RETRY_AFTER_CAP``) and retries;
  5xx, time-outs and refused connections: retries with exponential back-off and jitter;
  404 → ``MaxNotFound``; other 4xx → ``MaxError`` at once (retrying will not help).
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from django.conf import settings

from .ratelimit import rate_limiter

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER_CAP = 120.0  # seconds: a longer Retry-After is MAX being down, not busy
MAX_BACKOFF_CAP = 30.0


class Limiter(Protocol):
    def acquire(self) -> float: ...


class MaxError(Exception):
    """MAX answered with an error (the ``Error`` object of the schema: ``code``, ``message``)."""

    def __init__(self, status: int | None, code: str, message: str):
        super().__init__(f"{status or '-'} {code}: {message}"[:500])
        self.status, self.code, self.message = status, code, message


class MaxNotFound(MaxError):
    """404: the chat (user, message) is not there for this bot."""


class MaxUnavailable(MaxError):
    """MAX did not answer usefully after every retry (5xx, 429, time-out, no connection)."""


class MaxDisabled(Exception):
    """The integration is off (``MAX_BOT_TOKEN`` unset): nothing may call MAX."""


def integration_enabled() -> bool:
    return bool(settings.MAX_BOT_TOKEN)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_CAP)


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code), response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("code") or response.status_code), str(body.get("message") or "")
    return str(response.status_code), ""


class MaxClient:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        limiter: Limiter,
        timeout: float = 10.0,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not token:
            raise MaxDisabled("MAX_BOT_TOKEN is not set")
        self.limiter, self.retries, self.backoff, self.sleep = limiter, retries, backoff, sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": token, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    @classmethod
    def from_settings(cls, **overrides) -> MaxClient:
        options: dict[str, Any] = {
            "base_url": settings.MAX_API_URL,
            "token": settings.MAX_BOT_TOKEN,
            "timeout": settings.MAX_TIMEOUT_SECONDS,
            "retries": settings.MAX_RETRIES,
            "backoff": settings.MAX_BACKOFF_SECONDS,
        }
        options.update(overrides)
        if "limiter" not in options:
            options["limiter"] = rate_limiter()
        return cls(**options)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MaxClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the endpoints ---------------------------------------------------------------------------

    def me(self) -> dict:
        return self._request("GET", "/me")

    def chat(self, chat_id: int) -> dict:
        """``GET /chats/{chatId}`` → the schema's ``Chat``."""
        return self._request("GET", f"/chats/{int(chat_id)}")

    def subscribe(self, *, url: str, update_types: list[str], secret: str) -> dict:
        body = {"url": url, "update_types": update_types, "secret": secret}
        return self._request("POST", "/subscriptions", json=body)

    def subscriptions(self) -> dict:
        return self._request("GET", "/subscriptions")

    def unsubscribe(self, *, url: str) -> dict:
        return self._request("DELETE", "/subscriptions", params={"url": url})

    def updates(self, *, marker: int | None, timeout: int = 30, limit: int = 100) -> dict:
        """``GET /updates`` (long polling) → ``UpdateList``; waits up to ``timeout`` seconds."""
        params: dict[str, Any] = {"timeout": timeout, "limit": limit}
        if marker is not None:
            params["marker"] = marker
        return self._request("GET", "/updates", params=params, read_timeout=timeout + 10)

    def send_message(self, *, user_id: int, text: str) -> dict:
        """``POST /messages?user_id=…`` with a ``NewMessageBody`` → ``SendMessageResult``."""
        body = {"text": text[:4000], "attachments": None, "link": None}
        return self._request("POST", "/messages", params={"user_id": int(user_id)}, json=body)

    # --- one request, with its retries -----------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: dict | None = None,
        read_timeout: float | None = None,
    ) -> dict:
        timeout: httpx.Timeout | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT
        if read_timeout is not None:
            timeout = httpx.Timeout(self._http.timeout.connect, read=read_timeout)
        failure: MaxError = MaxUnavailable(None, "unavailable", "no attempt made")
        for attempt in range(self.retries + 1):
            self.limiter.acquire()
            try:
                response = self._http.request(
                    method, path, params=params, json=json, timeout=timeout
                )
            except httpx.TransportError as exc:  # time-out, refused, reset
                failure = MaxUnavailable(None, type(exc).__name__, "no answer from MAX")
                logger.warning("MAX %s %s: %s (attempt %d)", method, path, failure, attempt + 1)
                self._back_off(attempt)
                continue
            status = response.status_code
            if status < 400:
                try:
                    return response.json() if response.content else {}
                except ValueError as exc:
                    raise MaxError(status, "bad_json", "MAX answered with no JSON") from exc
            code, message = _error_of(response)
            if status == 404:
                raise MaxNotFound(status, code, message)
            if status == 429 or status >= 500:
                failure = MaxUnavailable(status, code, message)
                logger.warning("MAX %s %s: %s (attempt %d)", method, path, failure, attempt + 1)
                wait = _retry_after(response) if status == 429 else None
                if attempt < self.retries:
                    if wait is not None:
                        self.sleep(wait)
                    else:
                        self._back_off(attempt)
                continue
            raise MaxError(status, code, message)
        raise failure

    def _back_off(self, attempt: int) -> None:
        if attempt >= self.retries:
            return
        delay = min(self.backoff * (2**attempt), MAX_BACKOFF_CAP)
        self.sleep(delay * random.uniform(0.8, 1.2))

"""The ``max_sync`` job: every bound chat read from MAX within the rate limit (API.md).

One ``GET /chats/{id}`` per bound chat, in turn; the shared limiter spaces them so that no second
sees more than ``MAX_RATE_LIMIT`` across all workers, the client waits out a 429's ``Retry-After``
and backs off on 5xx and time-outs. A 404 or a status other than ``active`` marks the chat gone (a
finding opens); an error that outlasts the retries is recorded on the chat and the job goes on.
Updates the inbox still holds (a task lost, MAX down earlier) are processed first.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.utils import timezone

from chats.platform import bound_chats, chats_platform_error, chats_platform_findings_sync
from compliance.jobs import RunReport

from .bindings import platform_chat_apply
from .client import MaxClient, MaxError, MaxNotFound
from .inbox import inbox_sweep
from .models import PlatformChat

# Requests in flight at once: the next chat's answer is fetched while the last one is written, so
# the database's time does not add to the limiter's (the rate is the limiter's either way).
FETCHERS = 2


def max_sync(*, client: MaxClient, report: RunReport, only: set[int] | None = None) -> RunReport:
    """Read every bound chat (or those of ``only``, MAX chat ids: a share of several workers)."""
    processed, failed = inbox_sweep(client=client)
    report.add("updates_processed", processed)
    report.add("updates_failed", failed)
    chat_ids = list(
        bound_chats().order_by("pk").values_list("platform_chat_id", flat=True).distinct()
    )
    if only is not None:
        chat_ids = [chat_id for chat_id in chat_ids if chat_id in only]
    with ThreadPoolExecutor(max_workers=FETCHERS, thread_name_prefix="max-sync") as pool:
        for chat_id, data, error in pool.map(partial(_fetch, client), chat_ids):
            _apply(chat_id, data, error, report)
    opened, resolved = chats_platform_findings_sync(now=timezone.now())
    report.add("findings_opened", opened)
    report.add("findings_resolved", resolved)
    return report


def _fetch(client: MaxClient, chat_id: int) -> tuple[int, dict | None, MaxError | None]:
    """``GET /chats/{id}`` in a fetching thread: HTTP only, the database is the caller's."""
    try:
        return chat_id, client.chat(chat_id), None
    except MaxNotFound:
        return chat_id, None, None
    except MaxError as exc:
        return chat_id, None, exc


def _apply(chat_id: int, data: dict | None, error: MaxError | None, report: RunReport) -> None:
    now = timezone.now()
    if error is not None:
        chats_platform_error(platform_chat_id=chat_id, error=str(error), now=now)
        PlatformChat.objects.filter(chat_id=chat_id).update(last_error=str(error)[:500])
        report.add("chats_failed", 1)
        return
    platform_chat_apply(chat_id=chat_id, data=data, now=now)
    verified = data is not None and data.get("status") == "active"
    report.add("chats_verified" if verified else "chats_gone", 1)

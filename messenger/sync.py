"""The ``max_sync`` job: every bound chat read from MAX within the rate limit (API.md).

One ``GET /chats/{id}`` per bound chat, in turn; the shared limiter spaces them so that no second
sees more than ``MAX_RATE_LIMIT`` across all workers, the client waits out a 429's ``Retry-After``
and backs off on 5xx and time-outs. A 404 or a status other than ``active`` marks the chat gone (a
finding opens); an error that outlasts the retries is recorded on the chat and the job goes on.
Updates the inbox still holds (a task lost, MAX down earlier) are processed first.
"""

from __future__ import annotations

from django.utils import timezone

from chats.platform import bound_chats, chats_platform_error, chats_platform_findings_sync
from compliance.jobs import RunReport

from .bindings import platform_chat_apply
from .client import MaxClient, MaxError, MaxNotFound
from .inbox import inbox_sweep
from .models import PlatformChat


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
    for chat_id in chat_ids:
        assert chat_id is not None  # bound_chats() has a platform_chat_id
        try:
            data: dict | None = client.chat(chat_id)
        except MaxNotFound:
            data = None
        except MaxError as exc:
            now = timezone.now()
            chats_platform_error(platform_chat_id=chat_id, error=str(exc), now=now)
            PlatformChat.objects.filter(chat_id=chat_id).update(last_error=str(exc)[:500])
            report.add("chats_failed", 1)
            continue
        platform_chat_apply(chat_id=chat_id, data=data, now=timezone.now())
        verified = data is not None and data.get("status") == "active"
        report.add("chats_verified" if verified else "chats_gone", 1)
    opened, resolved = chats_platform_findings_sync(now=timezone.now())
    report.add("findings_opened", opened)
    report.add("findings_resolved", resolved)
    return report

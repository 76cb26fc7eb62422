"""The inbox: every MAX update stored as it arrived, then processed by a worker, once.

The webhook (and ``max_poll``) only store; what an update means (read the chat, bind it, bind a
person) is ``inbox_process``'s, in a worker, so the webhook answers MAX at once whatever the
database or MAX itself is doing (a bot whose webhook fails for 8 hours is unsubscribed).
"""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chats.platform import chats_platform_findings_sync, chats_platform_lost

from .bindings import person_bind_by_code, platform_chat_read
from .client import MaxClient, MaxError
from .models import InboxUpdate, PlatformChat

logger = logging.getLogger(__name__)

# The updates that make the portal read the chat again (API.md).
CHAT_READ_UPDATES = ("bot_added", "user_added", "user_removed", "chat_title_changed")
UPDATE_TYPES = (*CHAT_READ_UPDATES, "bot_removed", "bot_started")


class BadUpdate(ValueError):
    """Not a MAX ``Update``: no ``update_type`` string or no integer ``timestamp``."""


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _user_id(update: dict) -> int | None:
    for holder in (update.get("user"), (update.get("message") or {}).get("sender")):
        if isinstance(holder, dict) and _int_or_none(holder.get("user_id")) is not None:
            return holder["user_id"]
    return None


def update_identity(update: dict) -> tuple[str, int, int | None, int | None, str]:
    """(update_type, timestamp, chat id, user id, dedupe key) of ``update``: the same four values
    are one update delivered again (API.md)."""
    if not isinstance(update, dict):
        raise BadUpdate("an Update is a JSON object")
    update_type, timestamp = update.get("update_type"), _int_or_none(update.get("timestamp"))
    if not isinstance(update_type, str) or not update_type or len(update_type) > 40:
        raise BadUpdate("update_type must be a non-empty string")
    if timestamp is None:
        raise BadUpdate("timestamp must be an integer (milliseconds)")
    chat_id, user_id = _int_or_none(update.get("chat_id")), _user_id(update)
    if chat_id is not None and not -(2**63) <= chat_id < 2**63:
        raise BadUpdate("chat_id must be a 64-bit integer")
    if user_id is not None and not -(2**63) <= user_id < 2**63:
        raise BadUpdate("user_id must be a 64-bit integer")
    identity = f"{update_type}:{timestamp}:{chat_id}:{user_id}"
    key = hashlib.sha256(identity.encode()).hexdigest()
    return update_type, timestamp, chat_id, user_id, key


def inbox_store(update: dict) -> tuple[InboxUpdate, bool]:
    """Store ``update`` unless it is stored already; return (row, stored now)."""
    update_type, timestamp, chat_id, user_id, key = update_identity(update)
    return InboxUpdate.objects.get_or_create(
        dedupe_key=key,
        defaults={
            "update_type": update_type,
            "timestamp": timestamp,
            "chat_id": chat_id,
            "user_id": user_id,
            "payload": update,
        },
    )


def _apply(update: InboxUpdate, client: MaxClient) -> None:
    now = timezone.now()
    if update.update_type in CHAT_READ_UPDATES and update.chat_id is not None:
        added_by = update.user_id if update.update_type == "bot_added" else None
        platform_chat_read(client=client, chat_id=update.chat_id, now=now, added_by=added_by)
    elif update.update_type == "bot_removed" and update.chat_id is not None:
        PlatformChat.objects.filter(chat_id=update.chat_id).update(status="removed")
        chats_platform_lost(platform_chat_id=update.chat_id, status="removed", now=now)
        chats_platform_findings_sync(now=now)
    elif update.update_type == "bot_started" and update.user_id is not None:
        payload = update.payload.get("payload")
        if isinstance(payload, str) and payload:
            person_bind_by_code(code=payload, max_user_id=update.user_id, now=now)
    # Other updates (messages, dialogs) mean nothing to the portal: processed as read.


def inbox_process(*, update_id: int, client: MaxClient) -> bool:
    """Process one stored update unless it was processed already; True if this call did.

    The row is locked for the processing (``skip_locked``: a second worker given the same update
    skips it), and its effect and ``processed_at`` commit together: redelivery, a duplicate task
    or a sweep after a crash all find it done. A failure (MAX down) leaves it unprocessed with the
    error and the number of attempts; ``inbox_sweep`` takes it up again.
    """
    try:
        with transaction.atomic():
            update = (
                InboxUpdate.objects.select_for_update(skip_locked=True)
                .filter(pk=update_id, processed_at__isnull=True)
                .first()
            )
            if update is None:
                return False
            _apply(update, client)
            InboxUpdate.objects.filter(pk=update.pk).update(
                processed_at=timezone.now(), attempts=F("attempts") + 1, error=""
            )
    except MaxError as exc:
        InboxUpdate.objects.filter(pk=update_id).update(
            error=str(exc)[:500], attempts=F("attempts") + 1
        )
        logger.warning("MAX update %s not processed: %s", update_id, exc)
        raise
    return True


# An update MAX keeps refusing to explain (a 4xx on reading its chat) is given up after this many
# attempts; it stays in the inbox with its error for the administrator.
MAX_ATTEMPTS = 20


def inbox_pending_ids(limit: int = 1000) -> list[int]:
    return list(
        InboxUpdate.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("timestamp", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def inbox_sweep(*, client: MaxClient) -> tuple[int, int]:
    """Process what is still waiting (a task lost with the broker down, MAX down before);
    return (processed, failed)."""
    processed = failed = 0
    for update_id in inbox_pending_ids():
        try:
            processed += inbox_process(update_id=update_id, client=client)
        except MaxError:
            failed += 1
    return processed, failed

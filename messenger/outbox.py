"""Reminders as bot messages: stored in the outbox first, sent by a worker, sent once.

``outbox_enqueue`` stores a reminder under its key (unique: the same reminder queued again is a
no-op) for a person with a bound MAX account — and says False for the others, whom the caller
e-mails. ``outbox_send`` takes the due messages, each claimed by a compare-and-swap lease (two
workers never hold the same one), sends it at most 2 per second per recipient (MAX's per-chat
limit, shared through the same Redis limiter) and marks it sent; MAX down → retried later with a
growing delay; a refusal (4xx) → failed, never retried.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from staff.models import Person

from .client import MaxClient, MaxError, MaxUnavailable, integration_enabled
from .models import MaxAccount, OutboxMessage
from .ratelimit import LocalRateLimiter, RedisRateLimiter

logger = logging.getLogger(__name__)

PER_CHAT_LIMIT = 2  # messages per second to one chat (MAX's limit)
LEASE = datetime.timedelta(minutes=5)  # a claimed message is another worker's for this long
MAX_ATTEMPTS = 10
RETRY_DELAY = datetime.timedelta(minutes=1)
RETRY_DELAY_CAP = datetime.timedelta(hours=1)


def person_reachable_in_max(person: Person) -> bool:
    """Has ``person`` a bound MAX account (reminders go there instead of e-mail)? Never with the
    integration off: nothing would send them."""
    return integration_enabled() and MaxAccount.objects.filter(person=person).exists()


def outbox_enqueue(*, key: str, person: Person, text: str) -> bool:
    """Queue ``text`` to ``person`` in MAX under ``key``; False if they have no bound account."""
    account = MaxAccount.objects.filter(person=person).first() if integration_enabled() else None
    if account is None:
        return False
    OutboxMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "person": person,
            "max_user_id": account.max_user_id,
            "text": text[:4000],
            "next_attempt_at": timezone.now(),
        },
    )
    return True


def _per_chat_limiter(user_id: int):
    if settings.MAX_REDIS_URL:
        return RedisRateLimiter(
            url=settings.MAX_REDIS_URL,
            limit=PER_CHAT_LIMIT,
            key=f"portal:max:chat:{user_id}",
        )  # the window a second and a margin, as the shared limiter's: delivery jitter
    return _local_chat_limiters.setdefault(user_id, LocalRateLimiter(limit=PER_CHAT_LIMIT))


_local_chat_limiters: dict[int, LocalRateLimiter] = {}


def _claim(message_id: int, *, seen_next_attempt_at, now) -> bool:
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id,
            status=OutboxMessage.Status.PENDING,
            next_attempt_at=seen_next_attempt_at,
        ).update(next_attempt_at=now + LEASE)
    )


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_DELAY * (2 ** max(attempts - 1, 0)), RETRY_DELAY_CAP)


def outbox_send(*, client: MaxClient, limit: int = 500) -> dict[str, int]:
    """Send the messages due now; return counts of sent, retried later, failed."""
    now = timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")[:limit]
    )
    for message in due:
        if not _claim(message.pk, seen_next_attempt_at=message.next_attempt_at, now=now):
            continue  # another worker has it
        _per_chat_limiter(message.max_user_id).acquire()
        attempts = message.attempts + 1
        try:
            client.send_message(user_id=message.max_user_id, text=message.text)
        except MaxUnavailable as exc:
            final = attempts >= MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1,
                last_error=str(exc)[:500],
                next_attempt_at=timezone.now() + _retry_delay(attempts),
                status=OutboxMessage.Status.FAILED if final else OutboxMessage.Status.PENDING,
            )
            counts["failed" if final else "retry"] += 1
            logger.warning("MAX message %s not sent (attempt %d): %s", message.pk, attempts, exc)
            continue
        except MaxError as exc:  # refused (the user stopped the bot, 403, 404): not retried
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1,
                last_error=str(exc)[:500],
                status=OutboxMessage.Status.FAILED,
            )
            counts["failed"] += 1
            continue
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1,
            status=OutboxMessage.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
        )
        counts["sent"] += 1
    return counts

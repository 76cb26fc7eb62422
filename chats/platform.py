"""Chats as MAX confirms them: binding a portal chat to a MAX chat, the numbers MAX reports, a chat
MAX no longer shows (API.md «MAX messenger integration»).

The messenger app (above chats) talks to MAX and calls these writes; the chats API and pages read
the fields they fill (``platform_chat_id``, ``verified_at``, ``members_source``) without knowing
MAX exists.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from compliance.services import findings_sync

from .models import Chat, MembersSource

# The check whose findings name a bound chat MAX no longer confirms (bot removed, chat gone).
CHAT_LOST_CHECK = "max_chat_lost"
# What MAX's Chat.status is when the bot is a member (ChatStatus of the published schema).
PLATFORM_ACTIVE = "active"
PLATFORM_GONE = "gone"  # GET /chats/{id} answered 404


def chat_link_normalized(link: str) -> str:
    """A chat link compared as API.md says: without scheme case, host case or trailing slash."""
    parts = urlsplit((link or "").strip())
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def chat_find_by_link(link: str) -> Chat | None:
    """The active portal chat, not yet bound, whose ``url`` is ``link``."""
    wanted = chat_link_normalized(link)
    path = urlsplit(link or "").path.rstrip("/")
    if not path:
        return None
    candidates = Chat.objects.filter(
        status=Chat.Status.ACTIVE, platform_chat_id__isnull=True, url__icontains=path
    ).order_by("pk")
    for chat in candidates:
        if chat_link_normalized(chat.url) == wanted:
            return chat
    return None


def _confirmed_fields(*, participants_count: int | None, now: datetime.datetime) -> dict:
    return {
        "members_count": participants_count,
        "members_source": MembersSource.PLATFORM,
        "verified_at": now,
        "last_verified_at": now,
        "platform_status": PLATFORM_ACTIVE,
        "platform_error": "",
        "updated_at": now,
    }


@transaction.atomic
def chat_platform_bind(
    *,
    chat: Chat,
    platform_chat_id: int,
    status: str,
    participants_count: int | None,
    now: datetime.datetime,
) -> Chat:
    """Bind ``chat`` to the MAX chat ``platform_chat_id``, taking MAX's figures when the bot is in
    it. A MAX chat bound elsewhere before is released from there (one binding per MAX chat)."""
    Chat.objects.filter(platform_chat_id=platform_chat_id).exclude(pk=chat.pk).update(
        platform_chat_id=None, verified_at=None, platform_status="", updated_at=now
    )
    fields: dict = {"platform_chat_id": platform_chat_id}
    if status == PLATFORM_ACTIVE:
        fields.update(_confirmed_fields(participants_count=participants_count, now=now))
    else:
        fields.update(verified_at=None, platform_status=status, updated_at=now)
    Chat.objects.filter(pk=chat.pk).update(**fields)
    chat.refresh_from_db()
    return chat


def chats_platform_confirm(
    *, platform_chat_id: int, participants_count: int | None, now: datetime.datetime
) -> int:
    """MAX shows the chat, the bot in it: take its participants count; return chats updated."""
    return Chat.objects.filter(platform_chat_id=platform_chat_id).update(
        **_confirmed_fields(participants_count=participants_count, now=now)
    )


def chats_platform_lost(*, platform_chat_id: int, status: str, now: datetime.datetime) -> int:
    """MAX no longer confirms the chat (the bot removed, the chat closed or gone): it stays bound
    but is not verified. The finding opens with ``chats_platform_findings_sync``."""
    return Chat.objects.filter(platform_chat_id=platform_chat_id).update(
        verified_at=None, platform_status=status, platform_error="", updated_at=now
    )


def chats_platform_error(*, platform_chat_id: int, error: str, now: datetime.datetime) -> int:
    """Reading the chat failed for a reason other than the chat itself (MAX down, time-out)."""
    return Chat.objects.filter(platform_chat_id=platform_chat_id).update(
        platform_error=error[:500], updated_at=now
    )


def bound_chats() -> QuerySet[Chat]:
    """Active portal chats bound to a MAX chat: what ``max_sync`` reads."""
    return Chat.objects.filter(status=Chat.Status.ACTIVE, platform_chat_id__isnull=False)


def lost_chats() -> QuerySet[Chat]:
    """Bound active chats MAX does not confirm: the bot was removed or the chat is gone."""
    return bound_chats().filter(verified_at__isnull=True).exclude(platform_status="")


def chats_platform_findings_sync(*, now: datetime.datetime) -> tuple[int, int]:
    """Open a finding per bound chat MAX does not confirm; resolve those confirmed again."""
    subjects = lost_chats().values(
        "school",
        "school_class",
        subject_key=Concat(
            Value("chat:"), Cast("pk", output_field=CharField()), output_field=CharField()
        ),
        chat_kind=Cast("kind", output_field=CharField()),
        message=Concat(
            Value(_("Чат не подтверждён в МАХ (бот удалён или чат закрыт): ")),
            "title",
            output_field=CharField(),
        ),
    )
    return findings_sync(check=CHAT_LOST_CHECK, subjects=subjects, now=now)


def verified_chat_q(prefix: str = "") -> Q:
    """A chat MAX confirms (for point 4 counted only on verified chats)."""
    return Q(**{f"{prefix}verified_at__isnull": False})

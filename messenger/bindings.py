"""Binding MAX to the portal: a MAX chat to a portal chat (by link, or by hand), a MAX account to a
person (a one-time deep-link code that ``bot_started`` brings back)."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.models import Chat
from chats.platform import (
    PLATFORM_ACTIVE,
    PLATFORM_GONE,
    chat_find_by_link,
    chat_platform_bind,
    chats_platform_confirm,
    chats_platform_findings_sync,
    chats_platform_lost,
)
from staff.models import Person, School

from .client import MaxClient, MaxNotFound
from .models import LinkCode, MaxAccount, PlatformChat

# --- Chats ----------------------------------------------------------------------------------------


def _platform_chat_store(*, data: dict, chat_id: int, now: datetime.datetime) -> PlatformChat:
    count = data.get("participants_count")
    platform_chat, _created = PlatformChat.objects.update_or_create(
        chat_id=chat_id,
        defaults={
            "title": (data.get("title") or "")[:300],
            "link": (data.get("link") or "")[:500],
            "status": str(data.get("status") or "")[:16],
            "participants_count": count if isinstance(count, int) and count >= 0 else None,
            "owner_id": data.get("owner_id") if isinstance(data.get("owner_id"), int) else None,
            "last_event_time": data.get("last_event_time")
            if isinstance(data.get("last_event_time"), int)
            else None,
            "fetched_at": now,
            "last_error": "",
        },
    )
    return platform_chat


def platform_chat_apply(*, chat_id: int, data: dict | None, now: datetime.datetime) -> None:
    """Take what ``GET /chats/{chat_id}`` said (``data``, or None for a 404) into the portal: the
    MAX chat's record and the portal chat bound to it (``max_sync`` and the inbox alike)."""
    if data is None:
        PlatformChat.objects.filter(chat_id=chat_id).update(status=PLATFORM_GONE, fetched_at=now)
        chats_platform_lost(platform_chat_id=chat_id, status=PLATFORM_GONE, now=now)
        return
    platform_chat = _platform_chat_store(data=data, chat_id=chat_id, now=now)
    status = platform_chat.status
    if Chat.objects.filter(platform_chat_id=chat_id).exists():
        if status == PLATFORM_ACTIVE:
            chats_platform_confirm(
                platform_chat_id=chat_id,
                participants_count=platform_chat.participants_count,
                now=now,
            )
        else:
            chats_platform_lost(platform_chat_id=chat_id, status=status, now=now)
        return
    chat = chat_find_by_link(platform_chat.link) if platform_chat.link else None
    if chat is not None:
        chat_platform_bind(
            chat=chat,
            platform_chat_id=chat_id,
            status=status,
            participants_count=platform_chat.participants_count,
            now=now,
        )
        PlatformChat.objects.filter(pk=platform_chat.pk).update(school=chat.school_id)


def platform_chat_read(
    *, client: MaxClient, chat_id: int, now: datetime.datetime, added_by: int | None = None
) -> None:
    """Read the chat from MAX and apply it; ``added_by``: who added the bot (``bot_added``)."""
    try:
        data: dict | None = client.chat(chat_id)
    except MaxNotFound:
        data = None
    platform_chat_apply(chat_id=chat_id, data=data, now=now)
    if added_by is not None:
        PlatformChat.objects.filter(chat_id=chat_id).update(added_by_user_id=added_by)
    _platform_chats_adopt(
        PlatformChat.objects.filter(chat_id=chat_id),
        max_user_ids=[added_by, (data or {}).get("owner_id")],
    )
    chats_platform_findings_sync(now=now)


def _platform_chats_adopt(platform_chats: QuerySet[PlatformChat], *, max_user_ids: list) -> None:
    """Give MAX chats of no known school the school of whoever added the bot or owns the chat,
    when that MAX account is bound to a person of the portal (the adder first; ids that are not
    integers — none given, or MAX's ``null`` — are skipped)."""
    max_user_ids = [user_id for user_id in max_user_ids if isinstance(user_id, int)]
    platform_chats = platform_chats.filter(school__isnull=True)
    if not max_user_ids or not platform_chats.exists():
        return
    for max_user_id in max_user_ids:
        school_id = (
            Person.objects.filter(max_account__max_user_id=max_user_id)
            .values_list("school_id", flat=True)
            .first()
        )
        if school_id is not None:
            platform_chats.update(school=school_id)
            return


def unbound_platform_chats(*, school: School) -> QuerySet[PlatformChat]:
    """MAX chats of the school the bot is in that no portal chat is bound to.

    A chat of no known school (the bot added by someone whose MAX account is not bound to the
    portal, in a chat none of whose owners is either) is nobody's to see: its title and members
    are another school's as likely as this one's. It becomes its school's once that MAX account is
    bound (``person_bind_by_code``); until then the superuser may set its school in the admin.
    """
    bound = Chat.objects.filter(platform_chat_id=OuterRef("chat_id"))
    return (
        PlatformChat.objects.filter(school=school)
        .filter(~Exists(bound))
        .exclude(status=PLATFORM_GONE)
        .order_by("-added_at", "pk")
    )


@transaction.atomic
def platform_chat_bind_by_hand(*, platform_chat: PlatformChat, chat: Chat) -> Chat:
    """The operator binds an unbound MAX chat to a portal chat of their school."""
    if chat.status != Chat.Status.ACTIVE:
        raise ValidationError(_("Чат в архиве: привязать можно только действующий чат."))
    if chat.platform_chat_id is not None and chat.platform_chat_id != platform_chat.chat_id:
        raise ValidationError(_("Этот чат портала уже привязан к другому чату МАХ."))
    now = timezone.now()
    chat = chat_platform_bind(
        chat=chat,
        platform_chat_id=platform_chat.chat_id,
        status=platform_chat.status,
        participants_count=platform_chat.participants_count,
        now=now,
    )
    PlatformChat.objects.filter(pk=platform_chat.pk).update(school=chat.school_id)
    chats_platform_findings_sync(now=now)
    return chat


# --- People ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaxLink:
    deep_link: str | None
    code: str | None
    expires_at: datetime.datetime | None
    bound: bool


def deep_link_base() -> str:
    """The bot's deep-link address; the code goes after ``?start=``."""
    return f"https://max.ru/{quote(settings.MAX_BOT_USERNAME)}"


def _new_code() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, within MAX's 128 for a payload


def person_max_link(*, person: Person, now: datetime.datetime | None = None) -> MaxLink:
    """The person's deep link with their one-time code: the same code until it is used or
    expires, then a new one."""
    now = now or timezone.now()
    bound = MaxAccount.objects.filter(person=person).exists()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one code at a time
        code = (
            LinkCode.objects.filter(person=person, used_at__isnull=True, expires_at__gt=now)
            .order_by("-expires_at")
            .first()
        )
        if code is None:
            minutes = settings.MAX_LINK_CODE_MINUTES
            code = LinkCode.objects.create(
                person=person,
                code=_new_code(),
                expires_at=now + datetime.timedelta(minutes=minutes),
            )
    return MaxLink(
        deep_link=f"{deep_link_base()}?start={code.code}",
        code=code.code,
        expires_at=code.expires_at,
        bound=bound,
    )


def person_bind_by_code(*, code: str, max_user_id: int, now: datetime.datetime) -> Person | None:
    """``bot_started`` with ``payload`` = a code: bind that MAX user to the code's person, if the
    code is unused and unexpired; the code is used up either way it succeeds. Returns the person."""
    used = LinkCode.objects.filter(code=code, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not used:
        return None
    person = Person.objects.get(link_codes_of(code))
    # One MAX account per person and one person per MAX account: the newest binding wins.
    MaxAccount.objects.filter(max_user_id=max_user_id).exclude(person=person).delete()
    try:
        MaxAccount.objects.update_or_create(
            person=person, defaults={"max_user_id": max_user_id, "bound_at": now}
        )
    except IntegrityError:  # a concurrent binding of the same MAX user: keep theirs
        return None
    # The chats this account added the bot to (or owns) before it was bound are now its school's.
    _platform_chats_adopt(
        PlatformChat.objects.filter(Q(added_by_user_id=max_user_id) | Q(owner_id=max_user_id)),
        max_user_ids=[max_user_id],
    )
    return person


def link_codes_of(code: str) -> Q:
    return Q(max_link_codes__code=code)


def person_max_unbind(*, person: Person) -> int:
    deleted, _details = MaxAccount.objects.filter(person=person).delete()
    return deleted

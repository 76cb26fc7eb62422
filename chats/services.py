"""Writes for chats: the chats themselves with the order's rules, owners' rights, requirements,
meetings.

Who may call what is decided by the caller (view, serializer) with ``chats.selectors``; the rules of
the data (a class chat needs a class, https links only, one active chat of a kind) are enforced
here, once, for the HTML forms and the API alike, and again by the database constraints behind them.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from gymnasium_portal.platform_links import is_platform_link, platform_link_error
from staff.models import Person, School, SchoolClass
from staff.roles import Role

from .models import (
    CLASS_KINDS,
    SCHOOL_KINDS,
    SINGLE_CLASS_KINDS,
    Chat,
    ChatKind,
    ChatRequirement,
    Meeting,
    MembersSource,
)

# --- Requirements ---------------------------------------------------------------------------------


def chat_requirements_create_defaults(*, school: School) -> None:
    """The requirements of order No. 883: students and parents chats for grades 1–11, five school
    chats."""
    for kind in (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS):
        ChatRequirement.objects.get_or_create(
            school=school, kind=kind, defaults={"min_grade": 1, "max_grade": 11, "basis": "п. 4"}
        )
    for kind in SCHOOL_KINDS:
        ChatRequirement.objects.get_or_create(school=school, kind=kind, defaults={"basis": "п. 6"})


# --- Chats ----------------------------------------------------------------------------------------

CHAT_FIELDS = ("kind", "school_class", "title", "url", "members_count", "status")


def chat_validate(
    *,
    school: School,
    kind: str,
    school_class: SchoolClass | None,
    url: str,
    status: str = Chat.Status.ACTIVE,
    exclude_pk: int | None = None,
    check_domain: bool = True,
) -> None:
    """Raise ``ValidationError`` (by field) unless the chat keeps the rules of API.md and the
    order. ``check_domain``: the link must be on the platform's domains (a link already on record
    is not asked again while it is not changed)."""
    errors: dict[str, str] = {}
    if kind not in ChatKind.values:
        errors["kind"] = _("Неизвестный вид чата.")
    elif kind in CLASS_KINDS and school_class is None:
        errors["school_class"] = _("Чат класса должен быть привязан к классу.")
    elif kind in SCHOOL_KINDS and school_class is not None:
        errors["school_class"] = _("Общешкольный чат не привязывается к классу.")
    if school_class is not None and school_class.school_id != school.pk:
        errors["school_class"] = _("Класс относится к другой школе.")
    elif (
        school_class is not None
        and status == Chat.Status.ACTIVE
        and school_class.status != SchoolClass.Status.ACTIVE
    ):
        errors["school_class"] = _("Класс переведён в архив: действующий чат ему не нужен.")
    if not (url or "").startswith("https://"):
        errors["url"] = _("Ссылка на чат должна начинаться с https://")
    elif check_domain and not is_platform_link(url):
        errors["url"] = platform_link_error()
    if status not in Chat.Status.values:
        errors["status"] = _("Неизвестный статус.")
    if not errors and status == Chat.Status.ACTIVE:
        duplicate = _active_duplicate(
            school=school, kind=kind, school_class=school_class, exclude_pk=exclude_pk
        )
        if duplicate is not None:
            errors[NON_FIELD_ERRORS] = _duplicate_message(
                kind=kind, school_class=school_class, duplicate=duplicate
            )
    if errors:
        raise ValidationError(errors)


def _active_duplicate(*, school, kind, school_class, exclude_pk) -> Chat | None:
    if kind in SINGLE_CLASS_KINDS:
        clash = Chat.objects.filter(school_class=school_class, kind=kind, status=Chat.Status.ACTIVE)
    elif kind in SCHOOL_KINDS:
        clash = Chat.objects.filter(school=school, kind=kind, status=Chat.Status.ACTIVE)
    else:  # «иные чаты» of a class may repeat
        return None
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return clash.only("pk", "title").first()


def _duplicate_message(*, kind, school_class, duplicate: Chat) -> str:
    if school_class is not None:
        return _(
            "У класса %(class)s уже есть действующий чат вида «%(kind)s» («%(title)s»). "
            "Измените его или сначала отправьте в архив."
        ) % {"class": school_class.name, "kind": ChatKind(kind).label, "title": duplicate.title}
    return _(
        "В школе уже есть действующий чат вида «%(kind)s» («%(title)s»). "
        "Измените его или сначала отправьте в архив."
    ) % {"kind": ChatKind(kind).label, "title": duplicate.title}


def _save_guarded(chat: Chat, *, update_fields=None) -> None:
    """Save; a race that the validation could not see still ends as a ValidationError, not a 500."""
    try:
        with transaction.atomic():
            chat.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Такой действующий чат уже есть — обновите страницу и проверьте.")}
        ) from exc


def _default_owner(*, school: School, kind: str) -> Person | None:
    """A new school-wide chat goes to the first person the order names for it (changeable later)."""
    requirement = ChatRequirement.objects.filter(school=school, kind=kind).first()
    if requirement is None:
        return None
    return requirement.owners.filter(is_active=True, school=school).order_by("full_name").first()


@transaction.atomic
def chat_create(
    *,
    school: School,
    kind: str,
    title: str,
    url: str,
    by,
    school_class: SchoolClass | None = None,
    members_count: int | None = None,
    owner: Person | None = None,
) -> Chat:
    """Record a chat. A school-wide chat without an owner given gets its named owner (п. 6)."""
    chat_validate(school=school, kind=kind, school_class=school_class, url=url)
    now = timezone.now()
    chat = Chat(
        school=school,
        kind=kind,
        school_class=school_class,
        title=title,
        url=url,
        members_count=members_count,
        members_source=MembersSource.MANUAL if members_count is not None else None,
        last_verified_at=now if members_count is not None else None,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _save_guarded(chat)
    if owner is None and kind in SCHOOL_KINDS:
        owner = _default_owner(school=school, kind=kind)
    if owner is not None:
        chat = chat_owner_assign(chat=chat, person=owner, by=by)
    return chat


@transaction.atomic
def chat_update(*, chat: Chat, by, **changes) -> Chat:
    """Change the fields given (any of ``CHAT_FIELDS`` and ``owner``), keeping every rule."""
    unknown = set(changes) - set(CHAT_FIELDS) - {"owner"}
    if unknown:
        raise TypeError(f"chat_update() got unknown fields: {sorted(unknown)}")
    owner_given = "owner" in changes
    owner = changes.pop("owner", None)
    chat = Chat.objects.select_for_update().get(pk=chat.pk)
    changed = [name for name, value in changes.items() if getattr(chat, name) != value]
    if "members_count" in changed and chat.verified_at is not None:
        # A chat MAX confirms counts MAX's participants (API.md), not a number typed in.
        changed.remove("members_count")
    for name in changed:
        setattr(chat, name, changes[name])
    if changed:
        chat_validate(
            school=chat.school,
            kind=chat.kind,
            school_class=chat.school_class,
            url=chat.url,
            status=chat.status,
            exclude_pk=chat.pk,
            check_domain="url" in changed,
        )
        if "members_count" in changed:
            chat.last_verified_at = timezone.now()
            chat.members_source = MembersSource.MANUAL if chat.members_count is not None else None
            changed += ["last_verified_at", "members_source"]
        _save_guarded(chat, update_fields=[*changed, "updated_at"])
    if owner_given:
        chat = chat_owner_assign(chat=chat, person=owner, by=by)
    return chat


def chat_archive(*, chat: Chat, by) -> Chat:
    """Archive a chat (it no longer counts for the order); the record stays."""
    Chat.objects.filter(pk=chat.pk, status=Chat.Status.ACTIVE).update(
        status=Chat.Status.ARCHIVED, updated_at=timezone.now()
    )
    chat.refresh_from_db()
    return chat


def chats_archive_for_classes(*, class_ids: list[int]) -> list[int]:
    """Archive every active chat of these classes in one UPDATE; the ids (to undo it)."""
    queryset = Chat.objects.filter(school_class_id__in=class_ids, status=Chat.Status.ACTIVE)
    ids = list(queryset.values_list("pk", flat=True))
    Chat.objects.filter(pk__in=ids).update(status=Chat.Status.ARCHIVED, updated_at=timezone.now())
    return ids


def chats_restore(*, ids: list[int]) -> int:
    """Undo ``chats_archive_for_classes``."""
    return Chat.objects.filter(pk__in=ids, status=Chat.Status.ARCHIVED).update(
        status=Chat.Status.ACTIVE, updated_at=timezone.now()
    )


def chats_owned_in_classes(*, class_ids: list[int], owner: Person) -> list[Chat]:
    """The active chats of these classes that ``owner`` answers for (a new class teacher takes
    them over)."""
    return list(
        Chat.objects.filter(school_class_id__in=class_ids, owner=owner, status=Chat.Status.ACTIVE)
    )


CHAT_OWNER_PERMS = ("chats.view_chat", "chats.change_chat")


@transaction.atomic
def chat_owner_assign(*, chat: Chat, person: Person | None, by=None) -> Chat:
    """Make ``person`` the owner of ``chat``; the object rights move from the previous owner."""
    chat = Chat.objects.select_for_update().get(pk=chat.pk)
    previous = chat.owner
    if previous == person:
        return chat
    if person is not None and person.school_id != chat.school_id:
        raise ValueError("The chat owner must work at the chat's school.")
    chat.owner = person
    chat.save(update_fields=["owner", "updated_at"])
    if previous is not None and previous.user_id:
        _revoke_chat(previous.user, chat)
    if person is not None and person.user_id:
        _grant_chat(person.user, chat)
    return chat


def chat_owner_rights_move(*, person: Person, previous_user, user) -> None:
    """The person's account changed (``roster.services.person_account_link``): the rights on the
    chats they own go from the previous account to the new one."""
    for chat in Chat.objects.filter(owner=person):
        if previous_user is not None:
            _revoke_chat(previous_user, chat)
        if user is not None:
            _grant_chat(user, chat)


def _grant_chat(user, chat: Chat) -> None:
    for perm in CHAT_OWNER_PERMS:
        assign_perm(perm, user, chat)
    user.groups.add(Group.objects.get(name=Role.CHAT_OWNER))


def _revoke_chat(user, chat: Chat) -> None:
    for perm in CHAT_OWNER_PERMS:
        remove_perm(perm, user, chat)
    if not Chat.objects.filter(owner__user=user).exists():
        user.groups.remove(Group.objects.get(name=Role.CHAT_OWNER))


# --- Meetings (points 5 and 7.3) ------------------------------------------------------------------

MEETING_FIELDS = ("kind", "format", "held_on", "topic", "chat", "participants")


def meeting_validate(
    *, school: School, held_on: datetime.date, chat: Chat | None, today: datetime.date | None = None
):
    errors = {}
    if held_on > (today or timezone.localdate()):
        errors["held_on"] = _(
            "В журнал вносятся проведённые встречи: дата не может быть в будущем."
        )
    if chat is not None and chat.school_id != school.pk:
        errors["chat"] = _("Чат относится к другой школе.")
    if errors:
        raise ValidationError(errors)


def meeting_create(
    *,
    school: School,
    by,
    held_on: datetime.date,
    topic: str,
    kind: str = Meeting.Kind.MEETING,
    format: str = Meeting.Format.ONLINE,
    chat: Chat | None = None,
    participants: int = 0,
) -> Meeting:
    meeting_validate(school=school, held_on=held_on, chat=chat)
    return Meeting.objects.create(
        school=school,
        kind=kind,
        format=format,
        held_on=held_on,
        topic=topic,
        chat=chat,
        participants=participants,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )


def meeting_update(*, meeting: Meeting, by, **changes) -> Meeting:
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() got unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting_validate(school=meeting.school, held_on=meeting.held_on, chat=meeting.chat)
    meeting.save(update_fields=[*changes, "updated_at"])
    return meeting

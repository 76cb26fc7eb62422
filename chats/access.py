"""Who sees and changes chats and meetings (registered in ``staff.access``).

Who sees which chats (applied in the query, never per row):
- the inspector and superusers: every chat;
- a global ``chats.view_chat`` (director, coordinator, operator): every chat of their school;
- a class teacher: the chats of the classes they lead (object permission on the class);
- a chat owner (п. 6): the chats they own (object permission on the chat) and, read-only, the other
  school-wide chats of their school — the five chats are one set they answer for together.

Who changes a chat: the operator and the coordinator (global ``chats.change_chat``, own school),
the class teacher for the chats of their classes, the owner for their chat. Nobody else.

Meetings are a public record of the school: every member of staff sees its log and journals the
meetings they held; the director, coordinator and operator correct any of them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from staff.access import rule, visibility
from staff.models import School, SchoolClass
from staff.roles import Role
from staff.rules import own_school, school_scoped
from staff.selectors import (
    inspected,
    inspects_school,
    led_class_ids,
    object_permission_ids,
    user_school,
    user_sees_all_schools,
)

from .models import (
    SCHOOL_KINDS,
    Chat,
    ChatGroupObjectPermission,
    ChatRequirement,
    ChatUserObjectPermission,
    Meeting,
)

school_scoped(ChatRequirement)
school_scoped(
    ChatUserObjectPermission, ChatGroupObjectPermission, school_field="content_object__school"
)


# --- Chats ---------------------------------------------------------------------------------------


def _is_chat_owner(user) -> bool:
    return user.groups.filter(name=Role.CHAT_OWNER).exists()


@visibility(Chat)
def _chats(user, queryset: QuerySet[Chat]) -> QuerySet[Chat]:
    if user_sees_all_schools(user):
        return inspected(user, queryset)
    if user.has_perm("chats.view_chat"):
        school = user_school(user)
        return queryset.filter(school=school) if school else queryset.none()
    visible = Q(pk__in=object_permission_ids(user=user, model=Chat, codename="view_chat")) | Q(
        school_class__in=led_class_ids(user=user)
    )
    school = user_school(user)
    if school is not None and _is_chat_owner(user):
        visible |= Q(school=school, kind__in=SCHOOL_KINDS)
    return queryset.filter(visible)


def manages_school_chats(user, school_id: int) -> bool:
    """Operator or coordinator of this school: may create any chat there and assign owners."""
    return own_school(user, school_id) and user.has_perm("chats.change_chat")


@rule(School, "manage_chats")
def _manage_chats(user, school: School) -> bool:
    return manages_school_chats(user, school.pk)


@rule(Chat, "manage")
def _manage_chat(user, chat: Chat) -> bool:
    """The school's operator or coordinator: names the chat's owner, changes a school-wide kind."""
    return manages_school_chats(user, chat.school_id)


@rule(Chat, "change")
def _change_chat(user, chat: Chat) -> bool:
    if manages_school_chats(user, chat.school_id):
        return True
    if chat.school_class_id is not None and user.has_perm(
        "staff.lead_schoolclass", chat.school_class
    ):
        return True
    return user.has_perm("chats.change_chat", chat)


@rule(SchoolClass, "add_chat")
def _add_class_chat(user, school_class: SchoolClass) -> bool:
    """A chat of this class: the school's operator or coordinator, or the class teacher.
    (School-wide chats are ``"manage_chats"`` on the school.)"""
    if manages_school_chats(user, school_class.school_id):
        return True
    return user.has_perm("staff.lead_schoolclass", school_class)


@rule(School, "add_class_chats")
def _add_chats_in_any_class(user, school: School) -> bool:
    """Record chats in any class of the school (``chats.add_chat``), not only in the classes one
    leads."""
    return own_school(user, school.pk) and user.has_perm("chats.add_chat")


@rule(Chat, "add")
def _add_chats_at_all(user, _model) -> bool:
    """Does the user create chats anywhere (operator, coordinator, a class teacher)?"""
    return user.has_perm("chats.add_chat") or led_class_ids(user=user).exists()


@rule(School, "view_chat_matrix")
def _view_matrix(user, school: School) -> bool:
    """The school at a glance: the school's staff with ``chats.view_chat`` (the inspector: any)."""
    return inspects_school(user, school.pk) or (
        own_school(user, school.pk) and user.has_perm("chats.view_chat")
    )


# --- Meetings ------------------------------------------------------------------------------------


@visibility(Meeting)
def _meetings(user, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Every member of staff sees the meetings log of their school (a public record)."""
    if user_sees_all_schools(user):
        return inspected(user, queryset)
    school = user_school(user)
    return queryset.filter(school=school) if school else queryset.none()


def manages_meetings(user, school_id: int) -> bool:
    """Director, coordinator, operator of the school: may log and correct any meeting of it."""
    return own_school(user, school_id) and user.has_perm("chats.view_meeting")


@rule(School, "manage_meetings")
def _manage_meetings(user, school: School) -> bool:
    return manages_meetings(user, school.pk)


@rule(Meeting, "change")
def _change_meeting(user, meeting: Meeting) -> bool:
    return manages_meetings(user, meeting.school_id) or (
        meeting.recorded_by_id is not None and meeting.recorded_by_id == user.pk
    )


def meeting_chat_choices(user) -> QuerySet[Chat]:
    """Chats a meeting may be attached to: the school's for managers, else the user's own chats."""
    school = user_school(user)
    if school is None:
        return Chat.objects.none()
    active = Chat.objects.filter(school=school, status=Chat.Status.ACTIVE).select_related(
        "school_class"
    )
    if manages_meetings(user, school.pk):
        return active
    return active.filter(
        Q(school_class__in=led_class_ids(user=user))
        | Q(pk__in=object_permission_ids(user=user, model=Chat, codename="change_chat"))
    )

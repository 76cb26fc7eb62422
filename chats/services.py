"""Writes for chats, and the job that flags classes missing a required chat (points 4 and 6)."""

from __future__ import annotations

import datetime

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.functions import Cast, Concat
from guardian.shortcuts import assign_perm, remove_perm
from django.utils import timezone

from orders.jobs import RunReport
from orders.models import Finding
from orders.sql import insert_from_select
from staff.models import Person, School, SchoolClass
from staff.roles import Role

from .models import CLASS_KINDS, SCHOOL_KINDS, Chat, ChatKind, ChatRequirement

CLASS_CHAT_MISSING = "class_chat_missing"
SCHOOL_CHAT_MISSING = "school_chat_missing"

_FINDING_COLUMNS = ("school", "check_key", "subject_key", "school_class", "chat_kind", "message", "opened_at")


def _required_for_class(kind: str):
    return ChatRequirement.objects.filter(
        school=OuterRef("school"),
        kind=kind,
        is_required=True,
        min_grade__lte=OuterRef("grade"),
        max_grade__gte=OuterRef("grade"),
    )


def _past_grace(now: datetime.datetime) -> Q:
    """Classes created longer ago than their school's grace period.

    Schools differ in the setting, but only a handful of values exist, so the condition is a short
    OR over them (portable, where interval arithmetic in SQL is not).
    """
    graces = School.objects.order_by().values_list("new_class_grace_days", flat=True).distinct()
    condition = Q(pk__in=[])
    for days in graces:
        condition |= Q(school__new_class_grace_days=days, created_at__lte=now - datetime.timedelta(days=days))
    return condition


def _missing_class_chats(*, kind: str, now: datetime.datetime):
    """Active classes past their grace period that must have a chat of ``kind`` and have none."""
    active_chat = Chat.objects.filter(school_class=OuterRef("pk"), kind=kind, status=Chat.Status.ACTIVE)
    return (
        SchoolClass.objects.filter(status=SchoolClass.Status.ACTIVE)
        .filter(_past_grace(now))
        .filter(Exists(_required_for_class(kind)), ~Exists(active_chat))
        .order_by()
        .annotate(
            f_school=F("school_id"),
            f_check_key=Value(CLASS_CHAT_MISSING, output_field=CharField()),
            f_subject_key=Concat(
                Value("class:"), Cast("pk", CharField()), Value(f":{kind}"), output_field=CharField()
            ),
            f_school_class=F("pk"),
            f_chat_kind=Value(kind, output_field=CharField()),
            f_message=Value(f"Нет обязательного чата (п. 4): {ChatKind(kind).label}", output_field=CharField()),
            f_opened_at=Value(now, output_field=DateTimeField()),
        )
        .values_list(*(f"f_{column}" for column in _FINDING_COLUMNS))
    )


def _missing_school_chats(*, now: datetime.datetime):
    active_chat = Chat.objects.filter(school=OuterRef("school"), kind=OuterRef("kind"), status=Chat.Status.ACTIVE)
    return (
        ChatRequirement.objects.filter(kind__in=SCHOOL_KINDS, is_required=True)
        .filter(~Exists(active_chat))
        .order_by()
        .annotate(
            f_school=F("school_id"),
            f_check_key=Value(SCHOOL_CHAT_MISSING, output_field=CharField()),
            f_subject_key=Concat(
                Value("school:"), Cast("school_id", CharField()), Value(":"), F("kind"), output_field=CharField()
            ),
            f_school_class=Cast(Value(None), BigIntegerField()),
            f_chat_kind=F("kind"),
            f_message=Case(
                *(When(kind=kind, then=Value(f"Нет общешкольного чата (п. 6): {ChatKind(kind).label}")) for kind in SCHOOL_KINDS),
                output_field=CharField(),
            ),
            f_opened_at=Value(now, output_field=DateTimeField()),
        )
        .values_list(*(f"f_{column}" for column in _FINDING_COLUMNS))
    )


def chats_flag_missing(*, now: datetime.datetime | None = None, report: RunReport | None = None) -> RunReport:
    """Open a finding for every missing required chat; resolve those that are fixed.

    Set-based: one INSERT … SELECT per class chat kind, one for the school-wide kinds, two UPDATEs;
    the partial unique index on open findings makes a second run (or a second worker) a no-op.
    """
    now = now or timezone.now()
    report = report or RunReport()

    opened = 0
    required_class_kinds = set(
        ChatRequirement.objects.filter(kind__in=CLASS_KINDS, is_required=True).values_list("kind", flat=True).distinct()
    )
    for kind in sorted(required_class_kinds):
        opened += insert_from_select(Finding, _FINDING_COLUMNS, _missing_class_chats(kind=kind, now=now))
    opened += insert_from_select(Finding, _FINDING_COLUMNS, _missing_school_chats(now=now))
    report.add("opened", opened)

    open_class_findings = Finding.objects.filter(check_key=CLASS_CHAT_MISSING, resolved_at__isnull=True)
    class_fixed = Exists(
        Chat.objects.filter(school_class=OuterRef("school_class"), kind=OuterRef("chat_kind"), status=Chat.Status.ACTIVE)
    )
    still_required = Exists(
        ChatRequirement.objects.filter(
            school=OuterRef("school"),
            kind=OuterRef("chat_kind"),
            is_required=True,
            min_grade__lte=OuterRef("school_class__grade"),
            max_grade__gte=OuterRef("school_class__grade"),
        )
    )
    resolved = open_class_findings.filter(
        class_fixed | ~still_required | Q(school_class__status=SchoolClass.Status.ARCHIVED)
    ).update(resolved_at=now)

    school_fixed = Exists(
        Chat.objects.filter(school=OuterRef("school"), kind=OuterRef("chat_kind"), status=Chat.Status.ACTIVE)
    )
    school_still_required = Exists(
        ChatRequirement.objects.filter(school=OuterRef("school"), kind=OuterRef("chat_kind"), is_required=True)
    )
    resolved += (
        Finding.objects.filter(check_key=SCHOOL_CHAT_MISSING, resolved_at__isnull=True)
        .filter(school_fixed | ~school_still_required)
        .update(resolved_at=now)
    )
    report.add("resolved", resolved)
    return report


def chat_requirements_create_defaults(*, school: School) -> None:
    """The requirements of order No. 883: students and parents chats for grades 1–11, five school chats."""
    for kind in (ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS):
        ChatRequirement.objects.get_or_create(
            school=school, kind=kind, defaults={"min_grade": 1, "max_grade": 11, "basis": "п. 4"}
        )
    for kind in SCHOOL_KINDS:
        ChatRequirement.objects.get_or_create(school=school, kind=kind, defaults={"basis": "п. 6"})


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
        for perm in CHAT_OWNER_PERMS:
            remove_perm(perm, previous.user, chat)
        if not Chat.objects.filter(owner=previous).exists():
            previous.user.groups.remove(Group.objects.get(name=Role.CHAT_OWNER))
    if person is not None and person.user_id:
        for perm in CHAT_OWNER_PERMS:
            assign_perm(perm, person.user, chat)
        person.user.groups.add(Group.objects.get(name=Role.CHAT_OWNER))
    return chat

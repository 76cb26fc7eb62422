"""The chat reminders in MAX: a class without a required chat, join requests waiting too long —
to the class teacher, when they have bound a MAX account (the outbox sends each once).

The overdue-point reminders are queued by the deadlines job (orders, above this app). These two
come from what the chats and invitations apps already know: open findings of a missing class chat,
and pending join requests older than the school's term. The key names the finding (or the class
and the day), so running this again queues nothing new.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.flagging import CLASS_CHAT_MISSING
from chats.models import ChatKind
from compliance.channels import channel_register
from compliance.models import Finding
from compliance.sql import Days
from invitations.models import JoinRequest
from staff.models import Person, SchoolClass

from .client import integration_enabled
from .models import OutboxMessage


def _bound_teachers() -> dict[int, tuple[int, int]]:
    """Class id → (class teacher's person id, MAX user id) for the classes whose teacher bound."""
    rows = SchoolClass.objects.filter(
        status=SchoolClass.Status.ACTIVE,
        class_teacher__is_active=True,
        class_teacher__max_account__isnull=False,
    ).values_list("pk", "class_teacher_id", "class_teacher__max_account__max_user_id")
    return {pk: (person_id, user_id) for pk, person_id, user_id in rows}


def persons_bound(person_ids: set[int]) -> set[int]:
    """Of these people, those the bot reminds instead of e-mail (a bound МАХ account, the
    integration on): the chats digest leaves them out (``compliance.channels``)."""
    if not integration_enabled() or not person_ids:
        return set()
    return set(
        Person.objects.filter(pk__in=person_ids, max_account__isnull=False).values_list(
            "pk", flat=True
        )
    )


def _queue(rows: list[OutboxMessage]) -> int:
    before = OutboxMessage.objects.count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)  # the key: each reminder once
    return OutboxMessage.objects.count() - before


def max_reminders_queue(*, now: datetime.datetime | None = None) -> int:
    """Queue the chat reminders due now to bound class teachers; return how many were new."""
    if not integration_enabled():
        return 0
    now = now or timezone.now()
    teachers = _bound_teachers()
    if not teachers:
        return 0
    rows: list[OutboxMessage] = []
    missing = Finding.objects.filter(
        check_key=CLASS_CHAT_MISSING,
        resolved_at__isnull=True,
        school_class_id__in=list(teachers),
    ).values("pk", "school_class_id", "chat_kind", "school_class__grade", "school_class__letter")
    for finding in missing:
        person_id, user_id = teachers[finding["school_class_id"]]
        name = f"{finding['school_class__grade']}{finding['school_class__letter']}"
        kind = ChatKind(finding["chat_kind"]).label if finding["chat_kind"] else _("чат")
        rows.append(
            OutboxMessage(
                key=f"finding:{finding['pk']}:person:{person_id}",
                person_id=person_id,
                max_user_id=user_id,
                text=_("Класс %(name)s: нет обязательного чата — %(kind)s (п. 4 приказа).")
                % {"name": name, "kind": kind},
                next_attempt_at=now,
            )
        )
    waiting = (
        JoinRequest.objects.filter(
            status=JoinRequest.Status.PENDING,
            school_class_id__in=list(teachers),
            created_at__lt=Value(now) - Days("school__join_request_max_pending_days"),
        )
        .values("school_class_id", "school_class__grade", "school_class__letter")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    )
    today = timezone.localdate(now)
    for group in waiting:
        person_id, user_id = teachers[group["school_class_id"]]
        name = f"{group['school_class__grade']}{group['school_class__letter']}"
        rows.append(
            OutboxMessage(
                key=f"join-requests:{group['school_class_id']}:{today}:person:{person_id}",
                person_id=person_id,
                max_user_id=user_id,
                text=_("Класс %(name)s: заявок на присоединение ждут рассмотрения — %(n)d.")
                % {"name": name, "n": group["n"]},
                next_attempt_at=now,
            )
        )
    return _queue(rows)


channel_register(persons_bound)

"""The chat compliance checks of order No. 883: points 4, 5, 6 and 7.3.

Each counts any number of schools in one grouped query and returns a figure per school. The choices
behind the figures:

- ``class_chats`` (п. 4): of the active classes for which the school requires any class chat, how
  many have an active chat of every kind required for their grade. New classes still in their
  grace period count too: the figure is the state of the school, the grace only delays the findings.
- ``school_chats`` (п. 6): of the school-wide kinds the school requires, how many have an active
  chat with an owner on record (``Chat.owner``: the person whose rights the portal manages).
- ``meetings_this_month`` (п. 5): at least one online or hybrid working meeting or lesson with
  distance technologies logged in the current calendar month — «1 из 1» when there is, «0 из 1»
  otherwise. The order asks for the practice, not a quota, so one logged meeting is the bar.
- ``platform_events`` (п. 7.3): at least one event on using the platform held in the current
  academic year (from 1 September), in the same «1 из 1» form.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compliance.registry import Check, Figure, register
from staff.models import SchoolClass

from .models import Chat, ChatKind, ChatRequirement, Meeting
from .selectors import academic_year_start, month_bounds

MEETINGS_PER_MONTH = 1
EVENTS_PER_YEAR = 1


class _MatrixLink:
    def missing_url(self, *, school_id: int) -> str | None:
        return f"{reverse('chats:school_matrix')}?school={school_id}"


class _MeetingsLink:
    def missing_url(self, *, school_id: int) -> str | None:
        return reverse("chats:meetings")


@register
class ClassChatsCheck(_MatrixLink, Check):
    key = "class_chats"
    title = _("У каждого класса есть чат с учащимися и чат с родителями")
    unit = _("классов")

    def figure_rows(self, *, school_ids, today):
        required = ChatRequirement.objects.required_for_class(OuterRef("pk"))
        missing = ChatRequirement.objects.missing_for_class(OuterRef("pk"))
        return (
            SchoolClass.objects.current()
            .filter(school_id__in=school_ids)
            .filter(Exists(required))
            .annotate(missing_any=Exists(missing))
            .order_by()
            .values("school_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(missing_any=False)))
        )


def _members_of(kind: str):
    """Members of the class's active chat of ``kind`` (0 without one)."""
    return Coalesce(
        Subquery(
            Chat.objects.filter(school_class=OuterRef("pk"), kind=kind, status=Chat.Status.ACTIVE)
            .order_by()
            .values("school_class")
            .annotate(total=Sum("members_count"))
            .values("total"),
            output_field=IntegerField(),
        ),
        0,
    )


@register
class ChatCoverageCheck(_MatrixLink, Check):
    """Coverage (DESIGN.md §9): of the students and parents the class lists expect (less those who
    declined МАХ, counted apart), how many are in the class chats — MAX's participants for a
    verified chat, the typed number otherwise; a chat's surplus (teachers, relatives) never makes up
    for another class's shortfall."""

    key = "class_chat_coverage"
    title = _("Учащиеся и родители состоят в чатах своих классов")
    unit = _("участников")

    def figure_rows(self, *, school_ids, today):
        required = ChatRequirement.objects.required_for_class(OuterRef("pk"))
        number = IntegerField()
        # Those who declined МАХ are counted apart: the chats are to reach the rest of the list.
        students = Least(
            _members_of(ChatKind.CLASS_STUDENTS),
            SchoolClass.to_reach("students"),
            output_field=number,
        )
        parents = Least(
            _members_of(ChatKind.CLASS_PARENTS),
            SchoolClass.to_reach("parents"),
            output_field=number,
        )
        return (
            SchoolClass.objects.filter(school_id__in=school_ids, status=SchoolClass.Status.ACTIVE)
            .filter(Exists(required))
            .annotate(
                present=ExpressionWrapper(students + parents, output_field=number),
                expected=ExpressionWrapper(
                    SchoolClass.to_reach("students") + SchoolClass.to_reach("parents"),
                    output_field=number,
                ),
            )
            .order_by()
            .values("school_id")
            .annotate(total=Sum("expected"), done=Sum("present"))
        )


@register
class SchoolChatsCheck(_MatrixLink, Check):
    key = "school_chats"
    title = _("Общешкольные чаты созданы и у каждого есть ответственный")
    unit = _("чатов")

    def figure_rows(self, *, school_ids, today):
        owned_chat = Exists(
            Chat.objects.filter(
                school=OuterRef("school"),
                kind=OuterRef("kind"),
                status=Chat.Status.ACTIVE,
                owner__isnull=False,
            )
        )
        return (
            ChatRequirement.objects.school_wide()
            .filter(school_id__in=school_ids)
            .annotate(owned=owned_chat)
            .order_by()
            .values("school_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(owned=True)))
        )


class _AtLeast(Check):
    """«Held at least ``target`` times»: done is the count up to the target (0 with none held)."""

    target = 1

    @property
    def absent(self) -> Figure:
        return Figure(done=0, total=self.target)

    def counted(self, meetings):
        return (
            meetings.order_by()
            .values("school_id")
            .annotate(held=Count("pk"))
            .annotate(done=Least(F("held"), Value(self.target)), total=Value(self.target))
        )


@register
class MeetingsThisMonthCheck(_MeetingsLink, _AtLeast):
    key = "meetings_this_month"
    title = _("В этом месяце проведена онлайн- или гибридная встреча")
    unit = _("встреч")
    target = MEETINGS_PER_MONTH

    def figure_rows(self, *, school_ids, today: datetime.date):
        start, following = month_bounds(today)
        return self.counted(
            Meeting.objects.filter(
                school_id__in=school_ids,
                kind__in=(Meeting.Kind.MEETING, Meeting.Kind.LESSON),
                held_on__gte=start,
                held_on__lt=following,
            )
        )


@register
class PlatformEventsCheck(_MeetingsLink, _AtLeast):
    key = "platform_events"
    title = _("В учебном году проведено мероприятие по использованию «Сферума»")
    unit = _("мероприятий")
    target = EVENTS_PER_YEAR

    def figure_rows(self, *, school_ids, today: datetime.date):
        return self.counted(
            Meeting.objects.filter(
                school_id__in=school_ids,
                kind=Meeting.Kind.EVENT,
                held_on__gte=academic_year_start(today),
                held_on__lte=today,
            )
        )

"""Reads for chats: the lists a user may see, the chat state of classes in one query, meetings.

Who sees and changes what is ``chats/access.py``'s rule, asked through ``staff.access``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance.freshness import checked_at
from compliance.models import Finding
from invitations.models import Invitation, JoinRequest
from invitations.selectors import (
    InvitationFilters,
    JoinRequestFilters,
    invitation_list,
    join_request_list,
)
from staff.access import user_can, visible_to
from staff.models import School, SchoolClass
from staff.selectors import filter_by_permission, led_class_ids, user_school

from .models import (
    CLASS_KINDS,
    SINGLE_CLASS_KINDS,
    Chat,
    ChatKind,
    ChatRequirement,
)

# The jobs that open and resolve the findings of a class: the hourly chat flagging and the link
# expiry (an unused link about to lapse).
CLASS_FINDING_JOBS = ("flag_missing_chats", "expire_invitations")

# --- Chats ---------------------------------------------------------------------------------------


def chat_list(*, user) -> QuerySet[Chat]:
    """The chats ``user`` may see (``chats/access.py``)."""
    return visible_to(user, Chat.objects.select_related("school_class", "owner"))


def user_manages_school_chats(*, user, school_id: int) -> bool:
    """Left for ``class_checklist`` only, whose body the chat-rules rework owns for now: everything
    else asks ``user_can(user, "manage_chats", school)``. Remove once the checklist asks it too."""
    return user_can(user, "manage_chats", School(pk=school_id))


# --- Chat state of classes ------------------------------------------------------------------------


def _active_class_chats(kind: str):
    return Chat.objects.filter(school_class=OuterRef("pk"), kind=kind, status=Chat.Status.ACTIVE)


def schoolclass_annotate_chats(queryset: QuerySet[SchoolClass]) -> QuerySet[SchoolClass]:
    """Annotate each class, in the same query, with per class chat kind: ``requires_<kind>``,
    ``has_<kind>`` and ``members_<kind>`` (members of its active chats of that kind, or None).

    Constant work per page whatever the number of classes: correlated subqueries, no N+1.
    """
    annotations: dict[str, Subquery] = {}  # Exists is a Subquery
    for kind in CLASS_KINDS:
        annotations[f"requires_{kind}"] = Exists(
            ChatRequirement.objects.required_for_class(OuterRef("pk")).filter(kind=kind)
        )
        annotations[f"has_{kind}"] = Exists(_active_class_chats(kind))
        # When MAX confirmed the members of every active chat of the kind (the oldest such time);
        # None when any of them is typed in: the figure is then «вручную».
        annotations[f"verified_{kind}"] = Subquery(
            _active_class_chats(kind)
            .order_by()
            .values("school_class")
            .annotate(
                oldest=Min("verified_at"),
                unverified=Count("pk", filter=Q(verified_at__isnull=True)),
            )
            .filter(unverified=0)
            .values("oldest"),
            output_field=DateTimeField(),
        )
        annotations[f"members_{kind}"] = Subquery(
            _active_class_chats(kind)
            .order_by()
            .values("school_class")
            .annotate(total=Sum("members_count"))
            .values("total"),
            output_field=IntegerField(),
        )
    return queryset.annotate(**annotations)


def missing_chat_kinds(school_class: SchoolClass) -> list[str]:
    """Required class chat kinds the class has no active chat of (needs
    ``schoolclass_annotate_chats``)."""
    return [
        str(kind)
        for kind in CLASS_KINDS
        if getattr(school_class, f"requires_{kind}") and not getattr(school_class, f"has_{kind}")
    ]


def expected_members(school_class: SchoolClass, kind: str) -> int | None:
    """Whom the class's chat of ``kind`` is to reach: the list less those who declined МАХ."""
    if kind == ChatKind.CLASS_STUDENTS:
        return school_class.students_to_reach
    if kind == ChatKind.CLASS_PARENTS:
        return school_class.parents_to_reach
    return None


@dataclass(frozen=True)
class Coverage:
    """Members of a chat against the number expected from the class list."""

    members: int | None
    expected: int | None
    verified_at: datetime.datetime | None = None  # MAX confirmed ``members`` then (else typed in)

    @property
    def source(self) -> str | None:
        """API.md's ``members_source``: «platform» (MAX's count), «manual», or None (no number)."""
        if self.members is None:
            return None
        return "platform" if self.verified_at is not None else "manual"

    @property
    def percent(self) -> int | None:
        if self.members is None or not self.expected:
            return None
        return min(100, round(100 * self.members / self.expected))

    @property
    def complete(self) -> bool:
        return self.percent is not None and self.percent >= 100


@dataclass(frozen=True)
class KindState:
    kind: str
    label: str
    required: bool
    present: bool
    coverage: Coverage

    @property
    def missing(self) -> bool:
        return self.required and not self.present


def class_kind_states(school_class: SchoolClass, kinds) -> list[KindState]:
    return [
        KindState(
            kind=str(kind),
            label=str(ChatKind(kind).label),
            required=bool(getattr(school_class, f"requires_{kind}")),
            present=bool(getattr(school_class, f"has_{kind}")),
            coverage=Coverage(
                getattr(school_class, f"members_{kind}"),
                expected_members(school_class, kind),
                getattr(school_class, f"verified_{kind}", None),
            ),
        )
        for kind in kinds
    ]


# --- «Мой класс» ----------------------------------------------------------------------------------


def checklist_classes(*, user) -> QuerySet[SchoolClass]:
    """Classes whose checklist the user may open: their own as class teacher, any of their school
    for the school's director, coordinator and operator, any for the inspector."""
    queryset = SchoolClass.objects.filter(status=SchoolClass.Status.ACTIVE).select_related(
        "school", "class_teacher"
    )
    return filter_by_permission(queryset=queryset, user=user, codename="view_schoolclass")


@dataclass
class Checklist:
    school_class: SchoolClass
    kind_states: list[KindState]
    class_chats: list[Chat]
    invitations: list
    more_invitations: bool
    join_requests: list
    more_join_requests: bool
    findings: list[Finding]
    recently_resolved: list[Finding]
    may_edit: bool
    led_classes: Sequence[SchoolClass]  # the switcher: the classes the user leads
    # Pending join requests in the user's classes, for the navigation badge, when the user reviews
    # them as a class teacher; None when the navigation must ask itself (school-wide reviewers).
    nav_pending_join_requests: int | None = None
    nav_pending_known: bool = False
    # When the jobs that open a class's findings had all run (None: not yet — no «all clear»).
    checked_at: datetime.datetime | None = None

    @property
    def done(self) -> int:
        return sum(1 for state in self.kind_states if state.required and state.present)

    @property
    def required(self) -> int:
        return sum(1 for state in self.kind_states if state.required)


CHECKLIST_PREVIEW = 10
RECENTLY_RESOLVED_DAYS = 7


def _class_links(*, user, school_class: SchoolClass, leads: bool):
    """Active links and pending join requests of the class, narrowed to the user.

    The rule is the invitations app's (``invitations.selectors``): staff with school-wide rights on
    links, or the class's teacher. For the class's own teacher the narrowing is already known here
    (they lead this class), which keeps the page at its fixed number of queries.
    """
    links: QuerySet[Invitation]
    if leads:
        links = Invitation.objects.filter(
            school_class=school_class, status=Invitation.Status.ACTIVE
        )
        requests = JoinRequest.objects.filter(
            school_class=school_class, status=JoinRequest.Status.PENDING
        )
    else:
        links = invitation_list(
            user=user,
            filters=InvitationFilters(
                status=Invitation.Status.ACTIVE, school_class=school_class.pk
            ),
        )
        requests = join_request_list(
            user=user,
            filters=JoinRequestFilters(
                status=JoinRequest.Status.PENDING, school_class=school_class.pk
            ),
        )
    return links.order_by("expires_at", "pk"), requests.order_by("created_at", "pk")


def _first(queryset: QuerySet, limit: int) -> tuple[list, bool]:
    """The first ``limit`` rows and whether there are more (one query, no COUNT)."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


_CHAT_ROW_FIELDS = ("pk", "title", "url", "last_verified_at")


def _pending_requests_count():
    return Coalesce(
        Subquery(
            JoinRequest.objects.filter(
                school_class=OuterRef("pk"), status=JoinRequest.Status.PENDING
            )
            .order_by()
            .values("school_class")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _single_chat_fields() -> dict:
    """The active chat of each single kind (at most one: a database constraint) as columns of the
    class row."""
    return {
        f"chat_{kind}_{field}": Subquery(_active_class_chats(kind).order_by().values(field)[:1])
        for kind in SINGLE_CLASS_KINDS
        for field in _CHAT_ROW_FIELDS
    }


def _chats_from_row(school_class: SchoolClass) -> list[Chat]:
    chats = []
    for kind in SINGLE_CLASS_KINDS:
        pk = getattr(school_class, f"chat_{kind}_pk")
        if pk is None:
            continue
        chats.append(
            Chat(
                pk=pk,
                kind=kind,
                school_id=school_class.school_id,
                school_class=school_class,
                title=getattr(school_class, f"chat_{kind}_title"),
                url=getattr(school_class, f"chat_{kind}_url"),
                members_count=getattr(school_class, f"members_{kind}"),
                last_verified_at=getattr(school_class, f"chat_{kind}_last_verified_at"),
                status=Chat.Status.ACTIVE,
            )
        )
    return chats


class _ClassOtherState(Protocol):
    """A class row annotated by ``schoolclass_annotate_chats``: ``has_class_other`` among them."""

    has_class_other: bool


def class_checklist(*, user, school_class_id: int) -> Checklist | None:
    """Everything «Мой класс» shows for one class, or None when the class is outside the user's
    scope.

    A fixed number of queries whatever the size of the school: the class with its chat state, its
    two chats of point 4 and the classes of the switcher (one query); links, join requests,
    findings; and «иные чаты» only when the class has any.
    """
    led = led_class_ids(user=user)
    rows = list(
        schoolclass_annotate_chats(checklist_classes(user=user))
        .filter(Q(pk=school_class_id) | Q(pk__in=led))
        .annotate(
            is_led=ExpressionWrapper(Q(pk__in=led), output_field=BooleanField()),
            pending_requests=_pending_requests_count(),
            **_single_chat_fields(),
        )
        .order_by("grade", "letter")
    )
    school_class = next((row for row in rows if row.pk == school_class_id), None)
    if school_class is None:
        return None
    # The two chats of point 4 always show; «иные чаты» only where the school made them required.
    states = [
        state
        for state in class_kind_states(school_class, CLASS_KINDS)
        if state.required or state.kind in SINGLE_CLASS_KINDS
    ]
    class_chats = _chats_from_row(school_class)
    # Only then: «иные чаты» may be several, the row cannot carry them.
    if cast(_ClassOtherState, school_class).has_class_other:
        class_chats += list(
            Chat.objects.filter(
                school_class=school_class, kind=ChatKind.CLASS_OTHER, status=Chat.Status.ACTIVE
            ).order_by("title", "pk")
        )
    links, requests = _class_links(user=user, school_class=school_class, leads=school_class.is_led)
    invitations, more_invitations = _first(links, CHECKLIST_PREVIEW)
    join_requests, more_join_requests = _first(requests, CHECKLIST_PREVIEW)
    since = timezone.now() - datetime.timedelta(days=RECENTLY_RESOLVED_DAYS)
    findings = list(
        Finding.objects.filter(school_class=school_class)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
        .order_by("opened_at", "pk")
    )
    manager = user_manages_school_chats(user=user, school_id=school_class.school_id)
    led_rows = [row for row in rows if row.is_led]
    # The navigation's badge (invitations.selectors.join_request_pending_count) for a class teacher
    # is the pending requests of the classes they lead: this query already has them.
    school = user_school(user)
    school_wide_reviewer = user.is_superuser or (
        school is not None and user.has_perm("invitations.change_joinrequest")
    )
    return Checklist(
        school_class=school_class,
        kind_states=states,
        class_chats=class_chats,
        invitations=invitations,
        more_invitations=more_invitations,
        join_requests=join_requests,
        more_join_requests=more_join_requests,
        findings=[f for f in findings if f.resolved_at is None],
        recently_resolved=sorted(
            (f for f in findings if f.resolved_at),
            key=lambda f: cast(datetime.datetime, f.resolved_at),  # set: filtered just before
            reverse=True,
        ),
        may_edit=manager or school_class.is_led,
        led_classes=led_rows,
        checked_at=checked_at(CLASS_FINDING_JOBS),
        nav_pending_join_requests=sum(row.pending_requests for row in led_rows)
        if led_rows
        else None,
        nav_pending_known=not school_wide_reviewer,
    )


# --- Calendar (the meeting checks and the meetings log) -------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following


def academic_year_start(today: datetime.date) -> datetime.date:
    """1 September of the academic year ``today`` belongs to."""
    year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(year, 9, 1)

"""The order board (DESIGN.md §2): the school's current order point by point, live, with its
headline figures.

Everything here is built for many schools at once in a fixed number of queries, so the director's
board (one school), the inspector's table (every school), the exports and the daily snapshot job
share one builder, ``boards_build``, and cost the same whatever the number of schools or classes:
one query for the schools with their counters, one for the orders, one for the points, one for the
people responsible, one grouped query over classes, one grouped query over links, and one query for
every compliance check the points name (``points_evaluate``).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Protocol, cast

from django.conf import settings
from django.core.cache import caches
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Least
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.flagging import CLASS_CHAT_MISSING, SCHOOL_CHAT_MISSING
from chats.models import Chat, ChatKind, ChatRequirement, MembersSource
from compliance.models import Finding
from compliance.registry import (
    Figure,
    PointStatus,
    done_late,
    get_check,
    points_evaluate,
    status_label,
)
from compliance.sql import count_subquery
from invitations.models import JoinRequest
from invitations.selectors import invitation_counts_by_school
from invitations.services import INVITATION_EXPIRING_UNUSED
from orders.models import Acknowledgement, Order, OrderPoint
from orders.selectors import PointPeople, current_order_subquery, point_people
from staff.access import user_can
from staff.models import Person, School, SchoolClass, TrainingRecord
from staff.selectors import school_list

from .freshness import Freshness, jobs_freshness
from .terms import STATUS_CODES, unit_after_of

# Worst first: the order in which statuses sort on the inspector's table and in the totals.
STATUS_SEVERITY = {
    PointStatus.OVERDUE: 0,
    PointStatus.NOT_DONE: 1,
    PointStatus.PARTIAL: 2,
    PointStatus.NOT_MEASURED: 3,
    PointStatus.DONE: 4,
}

# Findings are raised by jobs under their own keys; these are the compliance checks they belong to,
# so a point (or a headline figure) can list "what is missing" for its check.
FINDING_KEYS_BY_CHECK: dict[str, tuple[str, ...]] = {
    "class_chats": (CLASS_CHAT_MISSING,),
    "school_chats": (SCHOOL_CHAT_MISSING,),
    "no_stale_invitations": (INVITATION_EXPIRING_UNUSED,),
}


# --- What one school's board holds ---------------------------------------------------------------


@dataclass
class PointRow:
    point: OrderPoint
    status: PointStatus
    figure: Figure | None
    unit: str = ""
    check_title: str = ""
    missing_url: str | None = None
    people: PointPeople = field(default_factory=PointPeople)

    @property
    def figure_text(self) -> str:
        if self.figure is None:
            return ""
        return _("%(done)s из %(total)s %(unit)s") % {
            "done": self.figure.done,
            "total": self.figure.total,
            "unit": unit_after_of(self.figure.total, self.unit),
        }

    @property
    def is_subpoint(self) -> bool:
        return self.point.parent_id is not None

    @property
    def status_code(self) -> str:
        return STATUS_CODES[self.status]

    @property
    def status_label(self) -> str:
        return status_label(self.status, self.figure)

    @property
    def done_late(self) -> bool:
        return done_late(self.status, self.figure)


def share(done: int, total: int) -> int | None:
    """Whole percent, or None where there is nothing to count."""
    return round(100 * done / total) if total else None


@dataclass
class Headline:
    classes_total: int = 0
    classes_compliant: int = 0
    class_chats_required: int = 0
    class_chats_present: int = 0
    members_expected: int = 0
    members_reached: int = 0
    members_verified: int = 0  # of members_reached: in chats МАХ confirmed (the rest typed in)
    members_verified_at: datetime.datetime | None = None  # МАХ's latest confirmation of those
    members_declined: int = 0  # of the class lists, who declined МАХ: not in members_expected
    invitations: dict[str, int] = field(default_factory=dict)
    join_requests_pending: int = 0
    findings_open: int = 0
    teaching_total: int = 0
    teaching_trained: int = 0
    acknowledgements_total: int = 0
    acknowledged: int = 0

    @property
    def classes_share(self) -> int | None:
        return share(self.classes_compliant, self.classes_total)

    @property
    def chats_share(self) -> int | None:
        return share(self.class_chats_present, self.class_chats_required)

    @property
    def members_share(self) -> int | None:
        return share(self.members_reached, self.members_expected)

    @property
    def trained_share(self) -> int | None:
        return share(self.teaching_trained, self.teaching_total)

    @property
    def acknowledged_share(self) -> int | None:
        return share(self.acknowledged, self.acknowledgements_total)

    def as_dict(self) -> dict:
        return {
            "classes_total": self.classes_total,
            "classes_compliant": self.classes_compliant,
            "class_chats_required": self.class_chats_required,
            "class_chats_present": self.class_chats_present,
            "members_expected": self.members_expected,
            "members_reached": self.members_reached,
            "members_verified": self.members_verified,
            "members_declined": self.members_declined,
            "invitations": dict(self.invitations),
            "join_requests_pending": self.join_requests_pending,
            "findings_open": self.findings_open,
            "teaching_total": self.teaching_total,
            "teaching_trained": self.teaching_trained,
            "acknowledgements_total": self.acknowledgements_total,
            "acknowledged": self.acknowledged,
        }


@dataclass
class SchoolBoard:
    school: School
    order: Order | None
    points: list[PointRow]
    headline: Headline

    @property
    def status_counts(self) -> dict[str, int]:
        counts = Counter(row.status for row in self.points)
        return {status.value: counts.get(status, 0) for status in STATUS_SEVERITY}

    @property
    def points_by_number(self) -> dict[str, PointRow]:
        return {row.point.number: row for row in self.points}

    @property
    def severity(self) -> tuple:
        """Sort key, worst school first: overdue, then not done, then partial, then fewest done."""
        counts = self.status_counts
        measured = len(self.points) - counts[PointStatus.NOT_MEASURED]
        return (
            self.order is not None,
            -counts[PointStatus.OVERDUE],
            -counts[PointStatus.NOT_DONE],
            -counts[PointStatus.PARTIAL],
            share(counts[PointStatus.DONE], measured) or 0,
            self.school.short_name,
        )


# --- The board for many schools at once -----------------------------------------------------------


class _SchoolCounters(Protocol):
    """The names ``_schools_with_counters`` annotates on each school."""

    current_order_id: int | None
    join_requests_pending: int
    findings_open: int
    teaching_total: int
    teaching_trained: int
    acknowledgements_total: int
    acknowledged: int
    staff_active: int


def _schools_with_counters(schools: QuerySet[School]) -> list[School]:
    teaching = Person.objects.filter(
        school=OuterRef("pk"), is_active=True, staff_kind=Person.StaffKind.TEACHING
    )
    # As the acknowledgement check counts: people still at work; an order not yet sent to anyone
    # counts the whole active staff as not acknowledged (``staff_active``, in boards_build).
    acknowledgements = Acknowledgement.objects.filter(
        order=OuterRef("current_order_id"), person__is_active=True
    )
    return list(
        schools.select_related("municipality")
        .order_by("short_name", "pk")
        .annotate(
            current_order_id=current_order_subquery(),
            join_requests_pending=count_subquery(
                JoinRequest.objects.filter(school=OuterRef("pk"), status=JoinRequest.Status.PENDING)
            ),
            findings_open=count_subquery(
                Finding.objects.filter(school=OuterRef("pk"), resolved_at__isnull=True)
            ),
            teaching_total=count_subquery(teaching),
            teaching_trained=count_subquery(
                teaching.filter(Exists(TrainingRecord.objects.filter(person=OuterRef("pk"))))
            ),
            acknowledgements_total=count_subquery(acknowledgements),
            acknowledged=count_subquery(acknowledgements.filter(acknowledged_at__isnull=False)),
            staff_active=count_subquery(
                Person.objects.filter(school=OuterRef("pk"), is_active=True)
            ),
        )
    )


def _class_figures(school_ids: list[int]) -> dict[int, dict]:
    """Per school, in one grouped query over active classes: compliance with point 4 and chat
    coverage.

    A class is compliant when it has an active chat of every kind its school requires for its grade.
    Coverage: required class chats that exist, and members reached (capped at the class list) of the
    students' and parents' expected numbers, less those who declined МАХ (counted apart).
    """
    required = ChatRequirement.objects.required_for_class(OuterRef("pk"))
    missing = ChatRequirement.objects.missing_for_class(OuterRef("pk"))

    def members(kind: str, *, verified: bool = False):
        chat = Chat.objects.filter(
            school_class=OuterRef("pk"), kind=kind, status=Chat.Status.ACTIVE
        ).order_by()
        if verified:  # the number МАХ gave, not one typed in
            chat = chat.filter(verified_at__isnull=False, members_source=MembersSource.PLATFORM)
        return Coalesce(Subquery(chat.values("members_count")[:1], output_field=IntegerField()), 0)

    verified_at = (
        Chat.objects.filter(
            school_class=OuterRef("pk"), status=Chat.Status.ACTIVE, verified_at__isnull=False
        )
        .order_by("-verified_at")
        .values("verified_at")[:1]
    )

    rows = (
        SchoolClass.objects.current()
        .filter(school_id__in=school_ids)
        .order_by()
        .annotate(
            n_required=count_subquery(required),
            n_missing=count_subquery(missing),
            students_reached=Least(
                members(ChatKind.CLASS_STUDENTS),
                SchoolClass.to_reach("students"),
                output_field=IntegerField(),
            ),
            parents_reached=Least(
                members(ChatKind.CLASS_PARENTS),
                SchoolClass.to_reach("parents"),
                output_field=IntegerField(),
            ),
            students_verified=Least(
                members(ChatKind.CLASS_STUDENTS, verified=True),
                SchoolClass.to_reach("students"),
                output_field=IntegerField(),
            ),
            parents_verified=Least(
                members(ChatKind.CLASS_PARENTS, verified=True),
                SchoolClass.to_reach("parents"),
                output_field=IntegerField(),
            ),
            last_verified_at=Subquery(verified_at),
        )
        .values("school_id")
        .annotate(
            total=Count("pk"),
            compliant=Count("pk", filter=~Exists(missing)),
            chats_required=Sum("n_required"),
            chats_present=Sum(F("n_required") - F("n_missing")),
            members_expected=Sum(
                SchoolClass.to_reach("students") + SchoolClass.to_reach("parents"),
                output_field=IntegerField(),
            ),
            members_reached=Sum(
                F("students_reached") + F("parents_reached"), output_field=IntegerField()
            ),
            members_verified=Sum(
                F("students_verified") + F("parents_verified"), output_field=IntegerField()
            ),
            members_declined=Sum(
                F("students_declined") + F("parents_declined"), output_field=IntegerField()
            ),
            members_verified_at=Max("last_verified_at"),
        )
    )
    return {
        row["school_id"]: {key: value for key, value in row.items() if key != "school_id"}
        for row in rows
    }


def fix_url(*, check, school_id: int, point: OrderPoint | None = None) -> str | None:
    """Where to fix what a check found missing (narrowed to the point's order where the check can);
    None if that page is not routable (yet): the board must not fail because of a link."""
    try:
        return (
            check.missing_url_for_point(point=point)
            if point is not None
            else check.missing_url(school_id=school_id)
        )
    except NoReverseMatch:
        return None


def boards_build(
    *, schools: QuerySet[School], today: datetime.date | None = None, with_responsible: bool = True
) -> list[SchoolBoard]:
    """The board of every school in ``schools`` (already narrowed to what the user may see)."""
    today = today or timezone.localdate()
    school_rows = _schools_with_counters(schools)
    if not school_rows:
        return []
    school_ids = [school.pk for school in school_rows]
    counters = {school.pk: cast(_SchoolCounters, school) for school in school_rows}
    order_ids = [c.current_order_id for c in counters.values() if c.current_order_id]
    orders = {
        order.pk: order
        for order in Order.objects.filter(pk__in=order_ids).select_related("signed_by")
    }
    points = list(
        OrderPoint.objects.filter(order_id__in=order_ids).order_by("order_id", "position", "pk")
    )
    for point in points:
        point.order = orders[point.order_id]  # points_evaluate reads the school through the order
    results = points_evaluate(points=points, today=today)
    people = point_people(points=points, today=today) if with_responsible else {}
    classes = _class_figures(school_ids)
    invitations = invitation_counts_by_school(school_ids)

    rows_by_order: dict[int, list[PointRow]] = defaultdict(list)
    for point in points:
        result = results[point.pk]
        check = get_check(point.check_key) if point.check_key else None
        rows_by_order[point.order_id].append(
            PointRow(
                point=point,
                status=result.status,
                figure=result.figure,
                unit=str(check.unit) if check else "",
                check_title=str(check.title) if check else "",
                missing_url=fix_url(check=check, school_id=point.order.school_id, point=point)
                if check
                else None,
                people=people.get(point.pk) or PointPeople(),
            )
        )

    boards = []
    for school in school_rows:
        counts = counters[school.pk]
        class_row = classes.get(school.pk, {})
        headline = Headline(
            classes_total=class_row.get("total", 0),
            classes_compliant=class_row.get("compliant", 0),
            class_chats_required=class_row.get("chats_required") or 0,
            class_chats_present=class_row.get("chats_present") or 0,
            members_expected=class_row.get("members_expected") or 0,
            members_reached=class_row.get("members_reached") or 0,
            members_verified=class_row.get("members_verified") or 0,
            members_verified_at=class_row.get("members_verified_at"),
            members_declined=class_row.get("members_declined") or 0,
            invitations=invitations[school.pk],
            join_requests_pending=counts.join_requests_pending,
            findings_open=counts.findings_open,
            teaching_total=counts.teaching_total,
            teaching_trained=counts.teaching_trained,
            acknowledgements_total=counts.acknowledgements_total or counts.staff_active,
            acknowledged=counts.acknowledged,
        )
        order = orders.get(counts.current_order_id) if counts.current_order_id is not None else None
        boards.append(
            SchoolBoard(
                school=school,
                order=order,
                points=rows_by_order.get(order.pk, []) if order else [],
                headline=headline,
            )
        )
    return boards


# --- The board as served: one copy per school and day kept for BOARD_CACHE_SECONDS ---------------


@dataclass
class KeptBoard:
    board: SchoolBoard
    freshness: Freshness  # when the checking jobs last ran, as of the computation
    computed_at: datetime.datetime


def _key(school_id: int, today: datetime.date) -> str:
    return f"board:figures:{school_id}:{today.isoformat()}"


def _stamp_key(school_id: int, today: datetime.date) -> str:
    return f"board:stamp:{school_id}:{today.isoformat()}"


def kept_stamp(*, user, school_id: int, today: datetime.date) -> str | None:
    """When the kept board of the school was computed (ISO), without reading the board itself (a
    whole board of model instances to unpickle); None when no copy is kept or it is not the user's
    to see. What is derived from the board and kept under this stamp (``board.api``) is of that
    very computation."""
    if settings.BOARD_CACHE_SECONDS <= 0 or not user_can(user, "view", School(pk=school_id)):
        return None
    return caches["board"].get(_stamp_key(school_id, today))


def kept_board(
    *, user, school_id: int, today: datetime.date, refresh: bool = False
) -> KeptBoard | None:
    """The school's board as ``user`` may see it (None: not in their scope), from the kept copy
    when there is one and ``refresh`` is not asked for.

    Computing a board is a dozen grouped queries; its figures change at the pace of the school's
    work, not of page views. The copy is kept in the ``board`` cache (Redis when ``CACHE_URL`` is
    set) with when it was computed and how fresh the checking jobs were then: the HTML board and the
    API dashboard serve the same copy; ``refresh`` (the board's «Пересчитать сейчас») computes it
    anew for both readers."""
    seconds = settings.BOARD_CACHE_SECONDS
    # The school's rule without a query (``School(pk=…)``: the rule reads the id only).
    if seconds > 0 and not refresh and user_can(user, "view", School(pk=school_id)):
        kept = caches["board"].get(_key(school_id, today))
        if kept is not None:
            return kept
    boards = boards_build(schools=school_list(user=user).filter(pk=school_id), today=today)
    if not boards:
        return None
    kept = KeptBoard(board=boards[0], freshness=jobs_freshness(), computed_at=timezone.now())
    if seconds > 0:
        caches["board"].set_many(
            {
                _key(school_id, today): kept,
                _stamp_key(school_id, today): kept.computed_at.isoformat(),
            },
            seconds,
        )
    return kept

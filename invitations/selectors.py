"""Reads for invitation links and join requests: lists, history, the navigation's count.

What a user may see and do with them is ``invitations/access.py``'s rule, asked through
``staff.access`` (``visible_to`` narrows every list below in its own query).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TypeAlias

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from staff.access import visible_to
from staff.selectors import led_class_ids, user_school

from .models import ConsentText, Invitation, JoinRequest

# --- Links ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFilters:
    """The filters of the link and join-request lists (HTML and API): status, role, class."""

    status: str = ""
    role: str = ""
    school_class: int | None = None

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.role:
            queryset = queryset.filter(role=self.role)
        if self.school_class:
            queryset = queryset.filter(school_class_id=self.school_class)
        return queryset


InvitationFilters: TypeAlias = UnitFilters
JoinRequestFilters: TypeAlias = UnitFilters


def invitation_list(*, user, filters: InvitationFilters | None = None) -> QuerySet[Invitation]:
    """The links the user may see, newest first, with what a list row shows (no per-row queries)."""
    queryset = visible_to(
        user, Invitation.objects.select_related("school", "school_class", "created_by__person")
    )
    if filters is not None:
        queryset = filters.apply(queryset)
    return queryset.order_by("-created_at", "-pk")


def invitation_get(*, user, pk) -> Invitation | None:
    """One link the user may see, or None (the caller answers 404: never reveal it exists)."""
    return (
        invitation_list(user=user)
        .select_related("annulled_by__person", "replaced_by__created_by__person", "replaces")
        .filter(pk=pk)
        .first()
    )


def invitation_by_token(token: str, *, wording: bool = True) -> Invitation | None:
    """The link behind a public token, with its school and class, in one query.

    The school's current consent comes in the same query (``ConsentText.of_link``): its version,
    and its wording unless ``wording=False`` — a use records which version was agreed to, only a
    page with the form shows the text (two of the four subqueries: a quarter of the lookup's time).
    """
    if not token or len(token) > 64:
        return None
    latest = ConsentText.objects.filter(school=OuterRef("school")).order_by("-version")[:1]
    consent = {
        "consent_id": Subquery(latest.values("pk")),
        "consent_version": Subquery(latest.values("version")),
    }
    if wording:
        consent["consent_text"] = Subquery(latest.values("text"))
        consent["consent_parent_text"] = Subquery(latest.values("parent_text"))
    try:
        return (
            Invitation.objects.select_related("school", "school_class")
            .annotate(**consent)
            .get(token=token)
        )
    except Invitation.DoesNotExist:
        return None


def invitation_status_counts(*, user) -> dict[str, int]:
    """Links by status in the user's scope, in one grouped query (for the list header)."""
    counts = {status: 0 for status in Invitation.Status.values}
    rows = visible_to(user, Invitation.objects.all()).values("status").annotate(n=Count("pk"))
    for row in rows.order_by():
        counts[row["status"]] = row["n"]
    return counts


def invitation_counts_by_school(school_ids: list[int]) -> dict[int, dict[str, int]]:
    """Links of every school by status, in one grouped query."""
    counts = {
        school_id: {status: 0 for status in Invitation.Status.values} for school_id in school_ids
    }
    rows = (
        Invitation.objects.filter(school_id__in=school_ids)
        .order_by()
        .values("school_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["school_id"]][row["status"]] = row["n"]
    return counts


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime.datetime
    kind: (
        str  # created | reissued_from | used | approved | rejected | annulled | expired | replaced
    )
    title: str
    actor: str = ""
    detail: str = ""


def _user_name(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


def invitation_history(
    *, invitation: Invitation, join_requests: list[JoinRequest]
) -> list[HistoryEvent]:
    """The audit history of a link, oldest first, from the rows that record every change.

    A link moves forward only (active → used / expired / annulled) and keeps who and when; every use
    is a join request (``uses`` equals their number), reviewed once with who and when.
    """
    events = [
        HistoryEvent(
            at=invitation.created_at,
            kind="created",
            title=_("Ссылка выдана"),
            actor=_user_name(invitation.created_by),
        ),
    ]
    try:
        replaces = invitation.replaces
    except ObjectDoesNotExist:
        replaces = None
    if replaces is not None:
        events.append(
            HistoryEvent(
                at=invitation.created_at,
                kind="reissued_from",
                title=_("Выдана взамен ссылки № %(id)s") % {"id": replaces.pk},
            )
        )
    for request in join_requests:
        who = request.full_name + (f" ({request.child_name})" if request.child_name else "")
        events.append(
            HistoryEvent(at=request.created_at, kind="used", title=_("Использована"), actor=who)
        )
        if request.status == JoinRequest.Status.APPROVED:
            assert request.reviewed_at is not None  # a database constraint: set once not pending
            events.append(
                HistoryEvent(
                    at=request.reviewed_at,
                    kind="approved",
                    title=_("Заявка принята"),
                    actor=_user_name(request.reviewed_by),
                    detail=who,
                )
            )
        elif request.status == JoinRequest.Status.REJECTED:
            assert request.reviewed_at is not None  # a database constraint: set once not pending
            events.append(
                HistoryEvent(
                    at=request.reviewed_at,
                    kind="rejected",
                    title=_("Заявка отклонена"),
                    actor=_user_name(request.reviewed_by),
                    detail=f"{who}: {request.reason}" if request.reason else who,
                )
            )
    if invitation.status == Invitation.Status.ANNULLED and invitation.annulled_at:
        events.append(
            HistoryEvent(
                at=invitation.annulled_at,
                kind="annulled",
                title=_("Аннулирована"),
                actor=_user_name(invitation.annulled_by) or _("система"),
                detail=invitation.annul_reason,
            )
        )
    elif invitation.status == Invitation.Status.EXPIRED and invitation.annulled_at:
        events.append(
            HistoryEvent(
                at=invitation.annulled_at,
                kind="expired",
                title=_("Истёк срок"),
                actor=_("система"),
                detail=invitation.annul_reason,
            )
        )
    if invitation.replaced_by_id and invitation.replaced_by is not None:
        events.append(
            HistoryEvent(
                at=invitation.replaced_by.created_at,
                kind="replaced",
                title=_("Перевыпущена: новая ссылка № %(id)s") % {"id": invitation.replaced_by_id},
                actor=_user_name(invitation.replaced_by.created_by),
            )
        )
    return sorted(events, key=lambda event: event.at)


def invitation_join_requests(*, invitation: Invitation) -> list[JoinRequest]:
    """The join requests made through a link (who used it), oldest first, with their reviewers."""
    return list(
        JoinRequest.objects.filter(invitation=invitation)
        .select_related("reviewed_by__person")
        .order_by("created_at", "pk")
    )


# --- Join requests ----------------------------------------------------------------------------


def join_request_list(*, user, filters: JoinRequestFilters | None = None) -> QuerySet[JoinRequest]:
    """The join requests the user may see: oldest pending first is the caller's choice of order."""
    queryset = visible_to(
        user,
        JoinRequest.objects.select_related(
            "school", "school_class", "invitation", "reviewed_by__person"
        ),
    )
    if filters is not None:
        queryset = filters.apply(queryset)
    return queryset


def join_requests_mark_duplicates(queryset: QuerySet[JoinRequest]) -> QuerySet[JoinRequest]:
    """Each request with ``duplicate_of_id`` / ``duplicate_invitation_id``: the earliest other
    request of the same school by the same person (and child) — through another link, most likely
    the same family twice; None when there is none. Two correlated subqueries, no query per row."""
    same_person = (
        JoinRequest.objects.filter(school=OuterRef("school"), person_key=OuterRef("person_key"))
        .exclude(pk=OuterRef("pk"))
        .exclude(person_key="")
        .order_by("created_at", "pk")
    )
    return queryset.annotate(
        duplicate_of_id=Subquery(same_person.values("pk")[:1]),
        duplicate_invitation_id=Subquery(same_person.values("invitation_id")[:1]),
    )


def join_request_get(*, user, pk) -> JoinRequest | None:
    return join_request_list(user=user).filter(pk=pk).first()


def join_request_by_submission(
    *, invitation: Invitation, submission_key: str
) -> JoinRequest | None:
    """The request recorded through ``invitation`` by the form with this key (a resend), if any."""
    if not submission_key or len(submission_key) > 64:
        return None
    return JoinRequest.objects.filter(invitation=invitation, submission_key=submission_key).first()


def join_request_pending_count(*, user, leads_class=None) -> int | None:
    """Pending requests the user may review, in one query; None for users who review nothing.

    ``leads_class``: whether the user leads a class, when the caller already knows it (the
    navigation does), so that nobody pays for the question twice.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    pending = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING)
    if user.is_superuser:
        return pending.count()
    school = user_school(user)
    if school is not None and user.has_perm("invitations.change_joinrequest"):
        return pending.filter(school=school).count()
    if leads_class is None:
        leads_class = led_class_ids(user=user).exists()
    if not leads_class:
        return None
    return pending.filter(school_class__in=led_class_ids(user=user)).count()

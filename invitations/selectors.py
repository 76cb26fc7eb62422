"""Reads for invitation links and join requests: who may see and do what, lists, history.

Access is decided once per request by ``invitation_access`` and applied in the query:
- the operator and the coordinator (``invitations.add_invitation`` / ``change_joinrequest``): every
  link and request of their own school, and may act on them;
- the director (``invitations.view_invitation`` only): every link and request of the school, read-only;
- a class teacher (object permission ``staff.lead_schoolclass``): the links and requests of the classes
  they lead, and may issue pupils' and parents' links there, annul them and review the requests;
- everybody else, the inspector included, has no access: links and requests are operational data with
  the names of children and parents, while the inspector reads compliance figures (the dashboard).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from staff.access import visible_to
from staff.models import School, SchoolClass
from staff.selectors import led_class_ids, user_school

from .models import CLASS_ROLES, Invitation, JoinRequest, Role


@dataclass
class InvitationAccess:
    """What one user may do with links and join requests (decided once, applied in queries)."""

    all_schools: bool = False  # superuser
    school: School | None = None  # school-wide access to this school
    classes: bool = False  # a class teacher: the classes they lead
    may_issue: bool = False
    may_annul: bool = False
    may_review: bool = False
    _user: object = field(default=None, repr=False)

    @property
    def may_view(self) -> bool:
        return self.all_schools or self.school is not None or self.classes

    @property
    def school_wide(self) -> bool:
        return self.all_schools or self.school is not None

    def class_ids(self) -> QuerySet:
        return led_class_ids(user=self._user)

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` of links or requests narrowed to what the user may see."""
        if self.all_schools:
            return queryset
        if self.school is not None:
            return queryset.filter(school=self.school)
        if self.classes:
            return queryset.filter(school_class__in=self.class_ids())
        return queryset.none()

    def issuable_roles(self) -> list[str]:
        if not self.may_issue:
            return []
        return list(Role.values) if self.school_wide else [str(r) for r in CLASS_ROLES]

    def issuable_classes(self) -> QuerySet[SchoolClass]:
        """Active classes the user may issue links into (pupils' and parents' links)."""
        queryset = SchoolClass.objects.filter(status=SchoolClass.Status.ACTIVE).select_related(
            "school"
        )
        if not self.may_issue:
            return queryset.none()
        if self.all_schools:
            return queryset
        if self.school is not None:
            return queryset.filter(school=self.school)
        return queryset.filter(pk__in=self.class_ids())

    def visible_classes(self) -> QuerySet[SchoolClass]:
        """Classes offered in the list filters (archived ones too: their links stay on record)."""
        queryset = SchoolClass.objects.all()
        if self.all_schools:
            return queryset
        if self.school is not None:
            return queryset.filter(school=self.school)
        if self.classes:
            return queryset.filter(pk__in=self.class_ids())
        return queryset.none()


def invitation_access(user) -> InvitationAccess:
    """The user's access to links and join requests (at most one query: does the user lead a class).

    What the views still ask; the lists narrow through ``staff.access.visible_to`` by the same rule
    (``invitations/access.py``).

    Not cached on the user object: rights change (a class teacher replaced) while a client object
    lives on, and the answer must follow at once.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return InvitationAccess()
    if user.is_superuser:
        access = InvitationAccess(
            all_schools=True, may_issue=True, may_annul=True, may_review=True, _user=user
        )
    else:
        school = user_school(user)
        if school is not None and user.has_perm("invitations.view_invitation"):
            access = InvitationAccess(
                school=school,
                may_issue=user.has_perm("invitations.add_invitation"),
                may_annul=user.has_perm("invitations.change_invitation"),
                may_review=user.has_perm("invitations.change_joinrequest"),
                _user=user,
            )
        elif (
            school is not None
            and led_class_ids(user=user)
            .filter(content_object__school=school, content_object__status=SchoolClass.Status.ACTIVE)
            .exists()
        ):
            access = InvitationAccess(
                classes=True, may_issue=True, may_annul=True, may_review=True, _user=user
            )
        else:
            access = InvitationAccess(_user=user)
    return access


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


InvitationFilters = JoinRequestFilters = UnitFilters


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


def invitation_by_token(token: str) -> Invitation | None:
    """The link behind a public token, with its school and class, in one query."""
    if not token or len(token) > 64:
        return None
    return Invitation.objects.select_related("school", "school_class").filter(token=token).first()


def invitation_status_counts(*, user) -> dict[str, int]:
    """Links by status in the user's scope, in one grouped query (for the list header)."""
    counts = {status: 0 for status in Invitation.Status.values}
    rows = visible_to(user, Invitation.objects.all()).values("status").annotate(n=Count("pk"))
    for row in rows.order_by():
        counts[row["status"]] = row["n"]
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

    ``leads_class``: whether the user leads a class, when the caller already knows it (the navigation
    does), so that nobody pays for the question twice.
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

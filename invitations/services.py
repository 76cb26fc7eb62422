"""Writes for invitation links and join requests."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from orders.jobs import RunReport
from staff.models import School, SchoolClass

from .models import Invitation, JoinRequest

EXPIRED_UNUSED_REASON = "Срок действия истёк, ссылка не была использована"
EXPIRED_PARTLY_USED_REASON = "Срок действия истёк"


class InvitationNotActive(Exception):
    """The link can no longer be used or annulled (used up, expired or annulled)."""


class JoinRequestNotPending(Exception):
    """The join request was already approved or rejected."""


def invitation_default_expiry(*, school: School, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=school.invitation_term_days)


def invitation_create(
    *,
    school: School,
    role: str,
    platform_url: str,
    by,
    school_class: SchoolClass | None = None,
    max_uses: int = 1,
    expires_at: datetime.datetime | None = None,
) -> Invitation:
    """Issue a link. Validation of who may issue what is the caller's (form / serializer) job."""
    if school_class is not None and school_class.school_id != school.pk:
        raise ValueError("A link never leads into another school's class.")
    return Invitation.objects.create(
        school=school,
        school_class=school_class,
        role=role,
        platform_url=platform_url,
        max_uses=max_uses,
        expires_at=expires_at or invitation_default_expiry(school=school),
        created_by=by,
    )


def invitation_annul(*, invitation: Invitation, by, reason: str = "") -> Invitation:
    """Annul one active link (compare-and-swap on the status: two clicks annul it once)."""
    now = timezone.now()
    changed = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.ACTIVE).update(
        status=Invitation.Status.ANNULLED, annulled_at=now, annulled_by=by,
        annul_reason=reason or "Аннулирована вручную", updated_at=now,
    )
    if not changed:
        raise InvitationNotActive
    invitation.refresh_from_db()
    return invitation


def _annul_queryset(queryset, *, by, reason: str) -> int:
    now = timezone.now()
    return queryset.filter(status=Invitation.Status.ACTIVE).update(
        status=Invitation.Status.ANNULLED, annulled_at=now, annulled_by=by, annul_reason=reason, updated_at=now
    )


def invitations_annul_issued_by(*, user, school_class: SchoolClass, by=None, reason: str) -> int:
    """Annul the active links ``user`` issued for a class (they lost their rights on it)."""
    return _annul_queryset(
        Invitation.objects.filter(created_by=user, school_class=school_class), by=by, reason=reason
    )


def invitations_annul_for_class(*, school_class: SchoolClass, by=None, reason: str) -> int:
    return _annul_queryset(Invitation.objects.filter(school_class=school_class), by=by, reason=reason)


def invitations_expire_unused(*, now: datetime.datetime | None = None, report: RunReport | None = None) -> int:
    """Retire every active link past its term in one UPDATE (point 3: annul unclaimed links).

    Safe to run twice or on two workers: the WHERE re-checks ``status = active`` under the row lock,
    so a link is expired exactly once.
    """
    now = now or timezone.now()
    expired = Invitation.objects.filter(status=Invitation.Status.ACTIVE, expires_at__lte=now).update(
        status=Invitation.Status.EXPIRED,
        annulled_at=now,
        annul_reason=Case(
            When(uses=0, then=Value(EXPIRED_UNUSED_REASON)),
            default=Value(EXPIRED_PARTLY_USED_REASON),
        ),
        updated_at=now,
    )
    if report is not None:
        report.add("expired", expired)
    return expired


@transaction.atomic
def invitation_use(*, invitation_id: int, full_name: str, child_name: str = "") -> JoinRequest:
    """Count one use of a link and record the join request, atomically.

    The conditional UPDATE is the lock: of twenty people using a single-use link at the same
    instant exactly one sees a changed row; the rest get ``InvitationNotActive``.
    """
    now = timezone.now()
    changed = Invitation.objects.filter(
        Q(pk=invitation_id, status=Invitation.Status.ACTIVE, expires_at__gt=now, uses__lt=F("max_uses"))
    ).update(
        uses=F("uses") + 1,
        status=Case(
            When(uses=F("max_uses") - 1, then=Value(Invitation.Status.USED)),
            default=Value(Invitation.Status.ACTIVE),
        ),
        updated_at=now,
    )
    if not changed:
        raise InvitationNotActive
    invitation = Invitation.objects.get(pk=invitation_id)
    return JoinRequest.objects.create(
        school_id=invitation.school_id,
        invitation=invitation,
        role=invitation.role,
        school_class_id=invitation.school_class_id,
        full_name=full_name,
        child_name=child_name,
        consent=True,
    )


def join_request_review(*, join_request: JoinRequest, by, approve: bool, reason: str = "") -> JoinRequest:
    now = timezone.now()
    changed = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED,
        reviewed_by=by, reviewed_at=now, reason=reason, updated_at=now,
    )
    if not changed:
        raise JoinRequestNotPending
    join_request.refresh_from_db()
    return join_request

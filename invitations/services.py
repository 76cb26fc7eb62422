"""Writes for invitation links and join requests.

Every state change is a compare-and-swap (``UPDATE … WHERE status = <expected>``): two clicks, two
workers or twenty phones at the same instant change a row once. The rows keep who and when for
every change (issued, used — a join request per use —, annulled or expired, reviewed, replaced),
and a link or a request only moves forward, so the rows themselves are the audit history
(``selectors.invitation_history``); nothing is deleted.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.jobs import RunReport
from compliance.services import findings_sync
from staff.models import School, SchoolClass

from .models import (
    CLASS_ROLES,
    SCHOOL_ROLES,
    ConsentText,
    Invitation,
    JoinRequest,
    Role,
    person_key,
)

EXPIRED_UNUSED_REASON = "Срок действия истёк, ссылка не была использована"
EXPIRED_PARTLY_USED_REASON = "Срок действия истёк"
MANUAL_ANNUL_REASON = "Аннулирована вручную"
REISSUED_REASON = "Перевыпущена: выдана новая ссылка"
MAX_USES_LIMIT = 10_000


class InvitationNotActive(Exception):
    """The link can no longer be used or annulled (used up, expired or annulled)."""


class InvitationAlreadyReplaced(Exception):
    """The link was already reissued: it has its replacement."""


class JoinRequestNotPending(Exception):
    """The join request was already approved or rejected."""


def invitation_default_expiry(
    *, school: School, now: datetime.datetime | None = None
) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=school.invitation_term_days)


def invitation_validate(
    *,
    school: School,
    role: str,
    platform_url: str,
    school_class: SchoolClass | None = None,
    max_uses: int = 1,
    expires_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """The invariants of a link, as field errors (the form and the serializer show them as they
    are).

    Who may issue what (a class teacher: pupils' and parents' links of their own classes) is a
    question of rights, answered by ``invitations/access.py``; this is about the link itself.
    """
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors.setdefault("role", []).append(_("Неизвестная роль."))
    elif role in CLASS_ROLES and school_class is None:
        errors.setdefault("school_class", []).append(
            _("Для ссылки учащегося или родителя укажите класс.")
        )
    elif role in SCHOOL_ROLES and school_class is not None:
        errors.setdefault("school_class", []).append(
            _("Ссылка для учителя или сотрудника выдаётся на всю школу, без класса.")
        )
    if school_class is not None:
        if school_class.school_id != school.pk:
            errors.setdefault("school_class", []).append(_("Класс не найден."))
        elif school_class.status != SchoolClass.Status.ACTIVE:
            errors.setdefault("school_class", []).append(
                _("Класс в архиве: новые ссылки в него не выдаются.")
            )
    if not (platform_url or "").lower().startswith("https://"):
        errors.setdefault("platform_url", []).append(
            _("Нужна защищённая ссылка платформы, начинающаяся с https://.")
        )
    if (
        not isinstance(max_uses, int)
        or isinstance(max_uses, bool)
        or not 1 <= max_uses <= MAX_USES_LIMIT
    ):
        errors.setdefault("max_uses", []).append(
            _("Число использований — целое число от 1 до %(limit)s.") % {"limit": MAX_USES_LIMIT}
        )
    if expires_at is not None and expires_at <= (now or timezone.now()):
        errors.setdefault("expires_at", []).append(
            _("Срок действия должен заканчиваться в будущем.")
        )
    if errors:
        raise ValidationError(errors)


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
    """Issue a link. Rights are the caller's check; the link's own invariants are checked here."""
    if school_class is not None and school_class.school_id != school.pk:
        raise ValueError("A link never leads into another school's class.")
    invitation_validate(
        school=school,
        role=role,
        platform_url=platform_url,
        school_class=school_class,
        max_uses=max_uses,
        expires_at=expires_at,
    )
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
        status=Invitation.Status.ANNULLED,
        annulled_at=now,
        annulled_by=by,
        annul_reason=(reason or "").strip()[:300] or MANUAL_ANNUL_REASON,
        updated_at=now,
    )
    if not changed:
        raise InvitationNotActive
    invitation.refresh_from_db()
    return invitation


def _annul_queryset(queryset, *, by, reason: str) -> int:
    now = timezone.now()
    return queryset.filter(status=Invitation.Status.ACTIVE).update(
        status=Invitation.Status.ANNULLED,
        annulled_at=now,
        annulled_by=by,
        annul_reason=(reason or "").strip()[:300] or MANUAL_ANNUL_REASON,
        updated_at=now,
    )


def invitations_annul(*, queryset: QuerySet[Invitation], by, reason: str = "") -> int:
    """Annul every active link of ``queryset`` in one UPDATE (bulk annul of a filtered list).

    The caller narrows ``queryset`` to what the user may act on; links that stopped being active
    meanwhile are skipped by the ``status = active`` condition.
    """
    return _annul_queryset(queryset, by=by, reason=reason)


def invitations_annul_issued_by(
    *, user, school_class: SchoolClass | None, by=None, reason: str
) -> int:
    """Annul the active links ``user`` issued for a class, or with None for the whole school (they
    lost their rights on it)."""
    return _annul_queryset(
        Invitation.objects.filter(created_by=user, school_class=school_class), by=by, reason=reason
    )


def invitations_annul_all_issued_by(*, user, by=None, reason: str) -> int:
    """Annul every active link ``user`` issued, whatever its unit, in one UPDATE (they left)."""
    return _annul_queryset(Invitation.objects.filter(created_by=user), by=by, reason=reason)


def invitations_annul_for_class(*, school_class: SchoolClass, by=None, reason: str) -> int:
    return _annul_queryset(
        Invitation.objects.filter(school_class=school_class), by=by, reason=reason
    )


def invitations_annul_into_classes(*, class_ids: list[int], by=None, reason: str) -> list[int]:
    """Annul every active link into these classes; the ids annulled (so that it can be undone)."""
    queryset = Invitation.objects.filter(
        school_class_id__in=class_ids, status=Invitation.Status.ACTIVE
    )
    ids = list(queryset.values_list("pk", flat=True))
    _annul_queryset(Invitation.objects.filter(pk__in=ids), by=by, reason=reason)
    return ids


def invitations_restore(*, ids: list[int], reason: str) -> int:
    """Undo ``invitations_annul_into_classes``: the links annulled for ``reason`` are active again
    (the expiry job annuls those whose term has passed meanwhile)."""
    return Invitation.objects.filter(
        pk__in=ids, status=Invitation.Status.ANNULLED, annul_reason=reason[:300]
    ).update(
        status=Invitation.Status.ACTIVE,
        annulled_at=None,
        annulled_by=None,
        annul_reason="",
        updated_at=timezone.now(),
    )


@transaction.atomic
def invitation_reissue(
    *, invitation: Invitation, by, expires_at: datetime.datetime | None = None
) -> Invitation:
    """A new link for the same unit, role, uses and platform link; the old one annulled and linked.

    The old link may already be used up or expired (the usual reason to reissue); it is annulled
    only if it was still active. A link is reissued once: ``replaced_by`` points at its successor.
    """
    old = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("school", "school_class")
        .get(pk=invitation.pk)
    )
    if old.replaced_by_id is not None:
        raise InvitationAlreadyReplaced
    new = invitation_create(
        school=old.school,
        role=old.role,
        platform_url=old.platform_url,
        by=by,
        school_class=old.school_class,
        max_uses=old.max_uses,
        expires_at=expires_at,
    )
    now = timezone.now()
    Invitation.objects.filter(pk=old.pk, status=Invitation.Status.ACTIVE).update(
        status=Invitation.Status.ANNULLED,
        annulled_at=now,
        annulled_by=by,
        annul_reason=REISSUED_REASON,
    )
    Invitation.objects.filter(pk=old.pk).update(replaced_by=new, updated_at=now)
    invitation.refresh_from_db()
    return new


def invitations_expire_unused(
    *, now: datetime.datetime | None = None, report: RunReport | None = None
) -> int:
    """Retire every active link past its term in one UPDATE (point 3: annul unclaimed links).

    Safe to run twice or on two workers: the WHERE re-checks ``status = active`` under the row lock,
    so a link is expired exactly once.
    """
    now = now or timezone.now()
    expired = Invitation.objects.filter(
        status=Invitation.Status.ACTIVE, expires_at__lte=now
    ).update(
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


# A finding per active link that nobody has used and whose term ends soon (DESIGN §6): the operator
# still has time to hand it out again, or to annul it. Resolved once the link is used or retired.
INVITATION_EXPIRING_UNUSED = "invitation_expiring_unused"
_SUBJECT_PREFIX = "invitation:"


def invitations_flag_expiring_unused(
    *, now: datetime.datetime | None = None, report: RunReport | None = None
) -> int:
    """Open a finding for every unused usable link expiring within
    ``INVITATION_EXPIRY_WARNING_DAYS``; resolve those whose link has been used, annulled or expired
    since (``findings_sync``: a second run, or a second worker, changes nothing)."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=settings.INVITATION_EXPIRY_WARNING_DAYS)
    message = _("Ссылка-приглашение не использована, а срок её действия скоро истекает (п. 3)")
    unused = (
        Invitation.objects.usable(now)
        .filter(uses=0)
        .values(
            "school",
            "school_class",
            subject_key=Concat(
                Value(_SUBJECT_PREFIX), Cast("pk", CharField()), output_field=CharField()
            ),
            message=Value(message, output_field=CharField()),
        )
    )
    opened, resolved = findings_sync(
        check=INVITATION_EXPIRING_UNUSED,
        subjects=unused,
        now=now,
        due=Q(expires_at__lte=soon),
    )
    if report is not None:
        report.add("expiring_flagged", opened)
        report.add("expiring_resolved", resolved)
    return opened


def invitation_use(
    *,
    invitation_id: int,
    full_name: str,
    child_name: str = "",
    submission_key: str = "",
    invitation: Invitation | None = None,
    consent_text: ConsentText | None = None,
) -> JoinRequest:
    """Count one use of a link and record the join request, atomically.

    ``consent_text``: the version of the school's consent the visitor was shown and agreed to,
    stored with the moment (``ConsentText.objects.shown``).

    The use is claimed by a compare-and-swap on the usable link (``UPDATE … WHERE <usable>``): the
    database re-checks the condition on the row it locks, so of twenty people using a single-use
    link at the same instant exactly one changes the row — on PostgreSQL (the row lock) as on SQLite
    (one writer at a time) — and the rest get ``InvitationNotActive``. The request is recorded in
    the same transaction: if it cannot be (a duplicate submission key), the use is not counted.

    ``submission_key`` makes a resubmission of the same form (a double tap on a phone) return the
    request already recorded instead of spending another use. ``invitation``, when the caller has
    already read it, saves a query; the join request takes its school, class and role from the link
    only — never from the visitor.
    """
    submission_key = (submission_key or "")[:64]
    # A parent is known with the child's name; anybody else by their own (no child is kept).
    keys = {Role.PARENT: person_key(full_name, child_name), "": person_key(full_name)}
    try:
        with transaction.atomic():
            now = timezone.now()
            claimed = (
                Invitation.objects.usable(now)
                .filter(pk=invitation_id)
                .update(
                    uses=F("uses") + 1,
                    status=Case(
                        When(uses=F("max_uses") - 1, then=Value(Invitation.Status.USED)),
                        default=Value(Invitation.Status.ACTIVE),
                    ),
                    updated_at=now,
                )
            )
            if not claimed:
                raise InvitationNotActive
            if invitation is None or invitation.pk != invitation_id:
                invitation = Invitation.objects.only("school_id", "school_class_id", "role").get(
                    pk=invitation_id
                )
            return JoinRequest.objects.create(
                school_id=invitation.school_id,
                invitation_id=invitation_id,
                role=invitation.role,
                school_class_id=invitation.school_class_id,
                full_name=full_name,
                child_name=child_name if invitation.role == Role.PARENT else "",
                consent=True,
                consent_text=consent_text,
                consent_given_at=now if consent_text is not None else None,
                submission_key=submission_key,
                person_key=keys[Role.PARENT] if invitation.role == Role.PARENT else keys[""],
            )
    except (InvitationNotActive, IntegrityError):
        earlier = join_request_earlier(
            invitation_id=invitation_id, submission_key=submission_key, keys=list(keys.values())
        )
        if earlier is not None:
            return earlier
        raise


def join_request_earlier(
    *, invitation_id: int, submission_key: str, keys: list[str]
) -> JoinRequest | None:
    """The request already recorded through this link by the same form (a double tap) or the same
    person (names equal up to case, «ё» and spacing, with the same child): they see it again, and
    the link is not used twice. Single-use links stay single-use: anybody else finds nothing."""
    if submission_key:
        same_form = JoinRequest.objects.filter(
            invitation_id=invitation_id, submission_key=submission_key
        ).first()
        if same_form is not None:
            return same_form
    keys = [key for key in keys if key]
    if keys:
        return JoinRequest.objects.filter(invitation_id=invitation_id, person_key__in=keys).first()
    return None


def join_request_review(
    *, join_request: JoinRequest, by, approve: bool, reason: str = ""
) -> JoinRequest:
    now = timezone.now()
    changed = JoinRequest.objects.filter(
        pk=join_request.pk, status=JoinRequest.Status.PENDING
    ).update(
        status=JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED,
        reviewed_by=by,
        reviewed_at=now,
        reason=(reason or "").strip()[:300],
        updated_at=now,
    )
    if not changed:
        raise JoinRequestNotPending
    join_request.refresh_from_db()
    return join_request


def join_requests_approve(*, queryset: QuerySet[JoinRequest], by, reason: str = "") -> int:
    """Approve every pending request of ``queryset`` in one UPDATE (bulk approve in the queue)."""
    now = timezone.now()
    return queryset.filter(status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.APPROVED,
        reviewed_by=by,
        reviewed_at=now,
        reason=(reason or "").strip()[:300],
        updated_at=now,
    )

"""The flag job of points 4 and 6: findings for missing required chats, and the e-mail digest.

Both halves are set-based: the findings are kept in step with what is missing by
``compliance.services.findings_sync`` (one INSERT … SELECT and one UPDATE for the class chats, the
same for the school-wide ones); the digest claims every new finding with one locking SELECT and
one UPDATE, so each finding is mailed once even with two workers running.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from compliance.channels import persons_reached_elsewhere
from compliance.jobs import RunReport
from compliance.models import Finding
from compliance.services import findings_sync
from compliance.sql import Days
from staff.models import Person, SchoolClass
from staff.roles import Role

from .models import CLASS_KINDS, SCHOOL_KINDS, Chat, ChatKind, ChatRequirement

logger = logging.getLogger(__name__)

CLASS_CHAT_MISSING = "class_chat_missing"
SCHOOL_CHAT_MISSING = "school_chat_missing"


def _past_grace(now: datetime.datetime) -> Q:
    """Classes created longer ago than their school's grace period (each school has its own)."""
    return Q(created_at__lte=Value(now) - Days("school__new_class_grace_days"))


def _message(kinds, text: str) -> Case:
    return Case(
        *(When(kind=kind, then=Value(f"{text}: {ChatKind(kind).label}")) for kind in kinds),
        default=Value(text),
        output_field=CharField(),
    )


def _missing_class_chats():
    """One row per active class and class chat kind it must have (``required_for_class``) and has
    no active chat of. The join to the school's requirements only lists the kinds to ask about."""
    return (
        SchoolClass.objects.current()
        .alias(kind=F("school__chat_requirements__kind"))
        .filter(
            Exists(
                ChatRequirement.objects.missing_for_class(OuterRef("pk")).filter(
                    kind=OuterRef("kind")
                )
            )
        )
        .values(
            "school",
            school_class=F("pk"),
            chat_kind=F("kind"),
            subject_key=Concat(
                Value("class:"),
                Cast("pk", CharField()),
                Value(":"),
                F("kind"),
                output_field=CharField(),
            ),
            message=_message(CLASS_KINDS, "Нет обязательного чата (п. 4)"),
        )
    )


def _missing_school_chats():
    """One row per school-wide chat kind a school must have and has no active chat of."""
    active_chat = Chat.objects.filter(
        school=OuterRef("school"), kind=OuterRef("kind"), status=Chat.Status.ACTIVE
    )
    return (
        ChatRequirement.objects.school_wide()
        .filter(~Exists(active_chat))
        .values(
            "school",
            chat_kind=F("kind"),
            subject_key=Concat(
                Value("school:"),
                Cast("school_id", CharField()),
                Value(":"),
                F("kind"),
                output_field=CharField(),
            ),
            message=_message(SCHOOL_KINDS, "Нет общешкольного чата (п. 6)"),
        )
    )


def chats_flag_missing(
    *, now: datetime.datetime | None = None, report: RunReport | None = None
) -> RunReport:
    """Open a finding for every missing required chat; resolve those that are fixed.

    ``findings_sync`` twice, for the class chats (flagged once the class is past its grace period)
    and for the school-wide ones: four statements whatever the number of schools and classes.
    """
    now = now or timezone.now()
    report = report or RunReport()
    class_opened, class_resolved = findings_sync(
        check=CLASS_CHAT_MISSING, subjects=_missing_class_chats(), now=now, due=_past_grace(now)
    )
    school_opened, school_resolved = findings_sync(
        check=SCHOOL_CHAT_MISSING, subjects=_missing_school_chats(), now=now
    )
    report.add("opened", class_opened + school_opened)
    report.add("resolved", class_resolved + school_resolved)
    return report


# --- The e-mail digest ---------------------------------------------------------------------------
#
# Who is told about a finding:
# - a class's missing chat (п. 4): the class teacher of that class;
# - a missing school-wide chat (п. 6): the people the requirement names as owners (the order names
#   them: «отв. Гладкова Л.И.»); when none of them has an e-mail, the school's coordinators (п. 2),
#   who answer for the platform as a whole.
# A recipient gets ONE e-mail per run listing all their new findings. A finding is "new" until it is
# claimed (``notified_at`` set); the claim locks the rows and sets notified_at only where it is
# still NULL (``_claim``), so of two workers running at once each finding goes to exactly one of
# them. The claim is made before sending (at most once): if a message cannot be sent its findings
# are released for the next run. Findings whose recipient has no e-mail are not claimed — they wait
# until an address is on record — and the run report counts them (``skipped_no_email``), without
# naming anybody.

NOTIFIED_CHECKS = (CLASS_CHAT_MISSING, SCHOOL_CHAT_MISSING)


def _active_with_email(prefix: str = "") -> Q:
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}email": ""})


def _owners_with_email():
    return Person.objects.filter(
        _active_with_email(),
        owned_chat_requirements__school=OuterRef("school"),
        owned_chat_requirements__kind=OuterRef("chat_kind"),
    )


def _coordinators_with_email():
    return Person.objects.filter(
        _active_with_email(),
        school=OuterRef("school"),
        user__is_active=True,
        user__groups__name=Role.COORDINATOR,
    )


def _class_teacher_reachable() -> Q:
    return Q(
        check_key=CLASS_CHAT_MISSING, school_class__class_teacher__isnull=False
    ) & _active_with_email("school_class__class_teacher__")


def _new_findings():
    return Finding.objects.filter(
        check_key__in=NOTIFIED_CHECKS, resolved_at__isnull=True, notified_at__isnull=True
    )


def _claim(*, now: datetime.datetime) -> list[int]:
    """Mark every new finding that has somebody to tell as notified; return the ids this call got.

    Exclusive across workers, so each finding is mailed once:
    - PostgreSQL: the SELECT locks the findings it returns and skips those another worker holds, and
      a finding another worker claimed and committed meanwhile fails ``notified_at IS NULL``, which
      is re-checked under the lock — no two calls get the same id, and a call that meets a claim in
      progress gets nothing from it instead of waiting for it.
    - SQLite has no row locks (``select_for_update`` is a no-op there) but runs one writing
      transaction at a time: of two claims one commits first and the other then finds those rows
      notified — or, if both had already read, is refused («database is locked») and its run fails
      and is retried by the next one. The guarded UPDATE never sets a finding claimed twice.
    """
    claimable = _new_findings().filter(
        _class_teacher_reachable()
        | Q(check_key=SCHOOL_CHAT_MISSING)
        & (Exists(_owners_with_email()) | Exists(_coordinators_with_email()))
    )
    with transaction.atomic():
        # of=("self",): lock the findings only, not the classes and people the filter joins.
        ids = list(
            claimable.order_by()
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        Finding.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=now)
    return ids


def _release(*, ids, now: datetime.datetime) -> None:
    Finding.objects.filter(pk__in=ids, notified_at=now).update(notified_at=None)


@dataclass
class Digest:
    person: Person
    findings: list[Finding] = field(default_factory=list)


def _digests(finding_ids: list[int]) -> tuple[list[Digest], list[int]]:
    """Group the claimed findings by recipient, in a fixed number of queries; and the findings
    whose class teacher another channel reminds instead (the МАХ bot: ``compliance.channels``),
    handed over rather than e-mailed."""
    findings = list(
        Finding.objects.filter(pk__in=finding_ids)
        .select_related("school", "school_class__class_teacher")
        .order_by("school_class__grade", "school_class__letter", "chat_kind")
    )
    school_findings = [f for f in findings if f.check_key == SCHOOL_CHAT_MISSING]
    owners: dict[tuple[int, str], list[Person]] = defaultdict(list)
    coordinators: dict[int, list[Person]] = defaultdict(list)
    if school_findings:
        school_ids = {f.school_id for f in school_findings}
        for requirement in ChatRequirement.objects.filter(
            school_id__in=school_ids, kind__in=SCHOOL_KINDS
        ).prefetch_related("owners"):
            owners[(requirement.school_id, requirement.kind)] = [
                p for p in requirement.owners.all() if p.is_active and p.email
            ]
        for person in Person.objects.filter(
            _active_with_email(),
            school_id__in=school_ids,
            user__is_active=True,
            user__groups__name=Role.COORDINATOR,
        ).distinct():
            coordinators[person.school_id].append(person)

    elsewhere = persons_reached_elsewhere(
        teacher_id
        for f in findings
        if f.check_key == CLASS_CHAT_MISSING
        and f.school_class is not None
        and (teacher_id := f.school_class.class_teacher_id) is not None
    )
    digests: dict[int, Digest] = {}
    handed_over: list[int] = []
    for finding in findings:
        recipients: list[Person]
        if finding.check_key == CLASS_CHAT_MISSING:
            # Claimed only with a class teacher to tell (_class_teacher_reachable).
            school_class = finding.school_class
            assert school_class is not None and school_class.class_teacher is not None
            if school_class.class_teacher_id in elsewhere:
                handed_over.append(finding.pk)
                continue
            recipients = [school_class.class_teacher]
        else:
            recipients = owners.get((finding.school_id, finding.chat_kind)) or coordinators.get(
                finding.school_id, []
            )
        for person in recipients:
            digests.setdefault(person.pk, Digest(person=person)).findings.append(finding)
    return list(digests.values()), handed_over


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}" if settings.PORTAL_BASE_URL else path


def _digest_message(digest: Digest, connection) -> EmailMultiAlternatives:
    findings = []
    for finding in digest.findings:
        if finding.school_class_id:
            url = reverse("chats:my_class_detail", args=[finding.school_class_id])
        else:
            url = reverse("chats:school_matrix")
        findings.append({"finding": finding, "url": _absolute(url)})
    context = {
        "person": digest.person,
        "findings": findings,
        "matrix_url": _absolute(reverse("chats:school_matrix")),
    }
    subject = " ".join(render_to_string("chats/email/findings_digest_subject.txt", context).split())
    text = render_to_string("chats/email/findings_digest.txt", context)
    html = render_to_string("chats/email/findings_digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[digest.person.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


def _count_unreachable() -> dict[str, int]:
    """New class findings nobody can be told about: their teacher has no e-mail, or none at all."""
    unreachable = (
        _new_findings().filter(check_key=CLASS_CHAT_MISSING).exclude(_class_teacher_reachable())
    )
    counts = unreachable.aggregate(
        teachers=Count(
            "school_class__class_teacher",
            distinct=True,
            filter=Q(school_class__class_teacher__isnull=False),
        ),
        without_teacher=Count("pk", filter=Q(school_class__class_teacher__isnull=True)),
    )
    school_unreachable = (
        _new_findings()
        .filter(check_key=SCHOOL_CHAT_MISSING)
        .exclude(Exists(_owners_with_email()) | Exists(_coordinators_with_email()))
        .count()
    )
    return {
        "skipped_no_email": counts["teachers"],
        "skipped_no_teacher": counts["without_teacher"],
        "skipped_school_no_recipient": school_unreachable,
    }


def chat_findings_notify(
    *, now: datetime.datetime | None = None, report: RunReport | None = None
) -> RunReport:
    """Send one digest per recipient of the findings of points 4 and 6 nobody was told about yet."""
    now = now or timezone.now()
    report = report or RunReport()
    claimed = _claim(now=now)
    delivered: set[int] = set()
    mails = failed = 0
    if claimed:
        try:
            digests, handed_over = _digests(claimed)
            delivered.update(handed_over)  # the other channel reminds them: no e-mail
            with get_connection() as connection, translation.override(settings.LANGUAGE_CODE):
                for digest in digests:
                    try:
                        sent = connection.send_messages([_digest_message(digest, connection)])
                    except Exception:  # one bad address must not stop the other digests
                        logger.warning(
                            "A findings digest could not be sent (%d findings).",
                            len(digest.findings),
                            exc_info=True,
                        )
                        sent = 0
                    if sent:
                        mails += 1
                        delivered.update(f.pk for f in digest.findings)
                    else:
                        failed += 1
        except (
            Exception
        ):  # the mail server is unreachable: nothing is lost, the next run tries again
            logger.warning(
                "The mail server could not be reached for the findings digest.", exc_info=True
            )
            report.details["mail_server_unreachable"] = 1
        finally:
            _release(ids=set(claimed) - delivered, now=now)
    # Counted into details only: they are not rows this run changed.
    report.details["mails_sent"] = report.details.get("mails_sent", 0) + mails
    report.details["mails_failed"] = report.details.get("mails_failed", 0) + failed
    report.add("findings_notified", len(delivered))
    for key, value in _count_unreachable().items():
        report.details[key] = report.details.get(key, 0) + value
    return report

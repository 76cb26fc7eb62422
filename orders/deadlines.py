"""The deadlines job (DESIGN.md §6): findings for overdue points, reminders to the person in charge.

Daily (``orders.tasks.check_deadlines``): every point past its deadline and not done gets a finding
(``findings_sync``), and the person in charge today gets one e-mail per point, kind and deadline.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from compliance.jobs import RunReport
from compliance.registry import PointStatus, points_evaluate
from compliance.services import findings_sync
from messenger.outbox import outbox_enqueue, person_reachable_in_max

from .models import (
    Order,
    OrderEvent,
    OrderPoint,
    Reminder,
)

logger = logging.getLogger(__name__)


# --- The deadlines job (DESIGN.md §6) -------------------------------------------------------------

POINT_OVERDUE = "order_point_overdue"
REMIND_DAYS_BEFORE = 3
REMINDER_MAX_ATTEMPTS = 3
REMINDER_CLAIM_TIMEOUT = datetime.timedelta(hours=1)


def _point_url(point: OrderPoint) -> str:
    return (
        settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("orders:detail", args=[point.order_id])
        + f"#point-{point.pk}"
    )


def deadlines_check(*, report: RunReport, today: datetime.date | None = None) -> RunReport:
    """Findings for overdue points; reminders to the person in charge today, each sent once.

    Statuses come from one evaluation per distinct check over every school; the overdue points are
    the subjects of ``findings_sync`` (one INSERT … SELECT, one UPDATE). Reminders are claimed by
    inserting their row (unique on point, kind and deadline): only the rows this run inserted are
    sent, so a second run or a second worker sends nothing.
    """
    from .selectors import point_people

    today = today or timezone.localdate()
    now = timezone.now()
    points = list(
        OrderPoint.objects.filter(
            order__status=Order.Status.IN_FORCE, deadline__isnull=False
        ).select_related("order")
    )
    results = points_evaluate(points=points, today=today)
    overdue = [p for p in points if results[p.pk].status == PointStatus.OVERDUE]
    overdue_ids = [p.pk for p in overdue]

    # Findings: open for overdue points, resolve for the rest.
    overdue_subjects = (
        OrderPoint.objects.filter(pk__in=overdue_ids)
        .order_by()
        .values(
            school=F("order__school"),
            order_point=F("pk"),
            subject_key=_subject_key_expression(),
            message=_overdue_message_expression(),
        )
    )
    opened, resolved = findings_sync(check=POINT_OVERDUE, subjects=overdue_subjects, now=now)
    report.add("findings_opened", opened)
    report.add("findings_resolved", resolved)

    # Reminders: a few days before the deadline (not done yet) and once overdue.
    due: list[tuple[OrderPoint, str]] = []
    for point in points:
        assert point.deadline is not None  # only points with a deadline were read
        status = results[point.pk].status
        if status == PointStatus.OVERDUE:
            due.append((point, Reminder.Kind.OVERDUE))
        elif status != PointStatus.DONE and today <= point.deadline <= today + datetime.timedelta(
            days=REMIND_DAYS_BEFORE
        ):
            due.append((point, Reminder.Kind.BEFORE_DEADLINE))
    people = point_people(points=[point for point, _kind in due], today=today)
    token = uuid.uuid4().hex
    claims = []
    for point, kind in due:
        in_charge = people[point.pk].in_charge
        if in_charge is None or not (in_charge.email or person_reachable_in_max(in_charge)):
            report.add("reminders_without_recipient", 1)
            continue
        assert point.deadline is not None  # only points with a deadline were read
        claims.append(
            Reminder(
                point=point,
                kind=kind,
                deadline=point.deadline,
                person=in_charge,
                claim_token=token,
                claimed_at=now,
                status=Reminder.Status.CLAIMED,
            )
        )
    Reminder.objects.bulk_create(claims, ignore_conflicts=True)
    # Failed sendings of earlier runs, and claims a crashed worker left behind, are taken over with
    # a compare-and-swap (the UPDATE re-checks the status under the row lock: one run wins each
    # row).
    retry = Q(status=Reminder.Status.FAILED, attempts__lt=REMINDER_MAX_ATTEMPTS) | Q(
        status=Reminder.Status.CLAIMED, claimed_at__lt=now - REMINDER_CLAIM_TIMEOUT
    )
    Reminder.objects.filter(retry, point__order__status=Order.Status.IN_FORCE).update(
        status=Reminder.Status.CLAIMED, claim_token=token, claimed_at=now
    )
    mine = list(
        Reminder.objects.filter(claim_token=token, status=Reminder.Status.CLAIMED).select_related(
            "point__order", "person"
        )
    )
    report.add("reminders_sent", _reminders_send(mine, results=results, today=today))
    return report


def _subject_key_expression():
    from django.db.models import CharField
    from django.db.models.functions import Cast, Concat

    return Concat(Value("point:"), Cast("pk", CharField()), output_field=CharField())


def _overdue_message_expression():
    from django.db.models import CharField
    from django.db.models.functions import Concat

    return Concat(
        Value("Просрочен п. "),
        F("number"),
        Value(" приказа № "),
        F("order__number"),
        output_field=CharField(),
    )


def _reminders_send(reminders: list[Reminder], *, results, today: datetime.date) -> int:
    from .selectors import point_people

    if not reminders:
        return 0
    people = point_people(points=[reminder.point for reminder in reminders], today=today)
    sent = 0
    connection = get_connection()
    for reminder in reminders:
        point = reminder.point
        result = results.get(point.pk)
        primary = people[point.pk].primary
        context = {
            "reminder": reminder,
            "point": point,
            "order": point.order,
            "person": reminder.person,
            "result": result,
            "today": today,
            "url": _point_url(point),
            "primary": primary,
            "substituting": primary is not None and reminder.person.pk != primary.pk,
        }
        subject = " ".join(render_to_string("orders/email/reminder_subject.txt", context).split())
        body = render_to_string("orders/email/reminder_body.txt", context)
        # A person with a bound MAX account gets the reminder there, through the outbox (stored
        # now, sent once by its worker); the others by e-mail, as before.
        if outbox_enqueue(
            key=f"reminder:{reminder.pk}", person=reminder.person, text=f"{subject}\n\n{body}"
        ):
            _reminder_mark_sent(reminder, channel="МАХ")
            sent += 1
            continue
        message = EmailMessage(
            subject=subject, body=body, to=[reminder.person.email], connection=connection
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:
            logger.warning("Reminder %s was not sent: %s", reminder.pk, type(exc).__name__)
            Reminder.objects.filter(pk=reminder.pk, claim_token=reminder.claim_token).update(
                status=Reminder.Status.FAILED, attempts=F("attempts") + 1, error=str(exc)[:2000]
            )
            continue
        _reminder_mark_sent(reminder, channel="e-mail")
        sent += 1
    return sent


def _reminder_mark_sent(reminder: Reminder, *, channel: str) -> None:
    Reminder.objects.filter(pk=reminder.pk, claim_token=reminder.claim_token).update(
        status=Reminder.Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        error="",
    )
    message = f"{reminder.get_kind_display()}: {reminder.person.full_name}"
    OrderEvent.objects.create(
        order=reminder.point.order,
        point=reminder.point,
        kind=OrderEvent.Kind.REMINDER_SENT,
        message=message if channel == "e-mail" else f"{message} ({channel})",
    )

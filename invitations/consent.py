"""Consent to the processing of personal data (152-ФЗ, a separate document since 01.09.2025) and
the lifecycle of the personal data it covers.

- The school words its consent (``ConsentText``, versioned: a change is a new version, in the
  admin). Which version a page shows and a visitor agrees to is the model's rule
  (``ConsentText.objects.current/shown``, ``ConsentText.of_link``).
- The link page shows the current version and sends its number back with the form; the join
  request stores that version and the moment consent was given (``invitation_use``).
- A person or a parent withdraws consent with a paper request; the coordinator records it
  (``join_request_consent_withdraw``).
- ``personal_data_erase`` (the recorded job ``erase_personal_data``, daily) erases the personal
  fields of withdrawn, rejected and stale join requests and of departed staff once
  ``PERSONAL_DATA_RETENTION_DAYS`` have passed, in one UPDATE per table. The audit facts stay:
  which link, role, class, school, status, when it was made, reviewed, withdrawn and erased, and
  by whom — not the names.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.jobs import RunReport
from staff.models import Person, School

from .models import ConsentText, JoinRequest, Role

ERASED = "(удалено)"


class ConsentAlreadyWithdrawn(Exception):
    pass


@transaction.atomic
def consent_text_publish(*, school: School, text: str, parent_text: str, by=None) -> ConsentText:
    """A new version of the school's consent; the earlier ones stay with the requests they cover."""
    latest = (
        ConsentText.objects.select_for_update().filter(school=school).order_by("-version").first()
    )
    if latest is None:
        # Pages may have shown the portal's wording as version 1: it keeps that number.
        latest = ConsentText.objects.portal_wording_saved(school=school)
    return ConsentText.objects.create(
        school=school,
        version=latest.version + 1,
        text=text.strip(),
        parent_text=parent_text.strip(),
        created_by=by,
    )


def join_request_consent_withdraw(*, join_request: JoinRequest, by, note: str = "") -> JoinRequest:
    """Record a withdrawal of consent (from the person's or parent's paper request)."""
    now = timezone.now()
    changed = JoinRequest.objects.filter(
        pk=join_request.pk, consent_withdrawn_at__isnull=True
    ).update(
        consent_withdrawn_at=now,
        consent_withdrawn_by=by,
        consent_withdrawal_note=note.strip()[:300],
        updated_at=now,
    )
    if not changed:
        raise ConsentAlreadyWithdrawn
    join_request.refresh_from_db()
    return join_request


def _retention_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def join_requests_to_erase(*, now: datetime.datetime):
    cutoff = _retention_cutoff(now)
    return JoinRequest.objects.filter(personal_data_erased_at__isnull=True).filter(
        Q(consent_withdrawn_at__lte=cutoff)
        | Q(status=JoinRequest.Status.REJECTED, reviewed_at__lte=cutoff)
        | Q(status=JoinRequest.Status.PENDING, created_at__lte=cutoff)
    )


def people_to_erase(*, now: datetime.datetime):
    cutoff = timezone.localdate(_retention_cutoff(now))
    return Person.objects.filter(
        personal_data_erased_at__isnull=True, is_active=False, left_on__lte=cutoff
    )


def personal_data_erase(
    *, now: datetime.datetime | None = None, report: RunReport | None = None
) -> dict[str, int]:
    """Erase the personal fields past the retention term: one UPDATE per table, safe to repeat."""
    now = now or timezone.now()
    requests = join_requests_to_erase(now=now).update(
        full_name=ERASED,
        # A parent's request must name a child (a database constraint): the marker does.
        child_name=Case(When(role=Role.PARENT, then=Value(ERASED)), default=Value("")),
        submission_key="",
        personal_data_erased_at=now,
        updated_at=now,
    )
    # The departed person's account keeps its username (the audit's «who»), not their name.
    get_user_model().objects.filter(person__in=people_to_erase(now=now)).update(
        first_name="", last_name="", email=""
    )
    people = people_to_erase(now=now).update(
        full_name=Concat(
            Value(_("Сотрудник № ")), Cast("pk", output_field=CharField()), Value(" " + ERASED)
        ),
        email="",
        phone="",
        personal_data_erased_at=now,
        updated_at=now,
    )
    if report is not None:
        report.add("join_requests_erased", requests)
        report.add("people_erased", people)
    return {"join_requests_erased": requests, "people_erased": people}

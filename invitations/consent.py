"""Consent to the processing of personal data (152-ФЗ, a separate document since 01.09.2025) and
the lifecycle of the personal data it covers.

- The school words its consent (``ConsentText``, versioned: a change is a new version, in the
  admin). Version 1 is always the portal's own wording, written the first time someone agrees to
  it or the school writes its own (then version 2); showing a page writes nothing.
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
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.jobs import RunReport
from staff.models import Person, School

from .models import ConsentText, JoinRequest, Role

ERASED = "(удалено)"

DEFAULT_TEXT = (
    "В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю "
    "согласие {school} на обработку моих персональных данных (фамилия, имя, отчество) в целях "
    "подключения к платформе «Сферум» и учёта участников чатов школы. Согласие действует до "
    "достижения цели обработки или до его отзыва письменным заявлением в школу."
)
DEFAULT_PARENT_TEXT = (
    "В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю "
    "согласие {school} на обработку моих персональных данных и персональных данных моего "
    "ребёнка (фамилия, имя, отчество) в целях подключения к платформе «Сферум» и учёта "
    "участников чатов школы. Согласие действует до достижения цели обработки или до его отзыва "
    "письменным заявлением в школу."
)


class ConsentAlreadyWithdrawn(Exception):
    pass


def _default(school: School) -> ConsentText:
    return ConsentText(
        school=school,
        version=1,
        text=DEFAULT_TEXT.format(school=school.name),
        parent_text=DEFAULT_PARENT_TEXT.format(school=school.name),
    )


def consent_text_current(*, school: School) -> ConsentText:
    """The school's latest version; the portal's wording as version 1 (not saved) if it has none."""
    current = ConsentText.objects.filter(school=school).order_by("-version").first()
    return current if current is not None else _default(school)


def consent_text_of_link(invitation) -> ConsentText:
    """The current version for a link read by ``selectors.invitation_by_token`` (no query)."""
    if getattr(invitation, "consent_id", None) is None:
        return _default(invitation.school)
    return ConsentText(
        pk=invitation.consent_id,
        school=invitation.school,
        version=invitation.consent_version,
        text=invitation.consent_text,
        parent_text=invitation.consent_parent_text,
    )


def _default_saved(school: School) -> ConsentText:
    """Version 1, the portal's wording, saved (once, whoever comes first)."""
    try:
        with transaction.atomic():
            return ConsentText.objects.create(
                school=school,
                version=1,
                text=DEFAULT_TEXT.format(school=school.name),
                parent_text=DEFAULT_PARENT_TEXT.format(school=school.name),
            )
    except IntegrityError:  # another visitor's page created it a moment ago
        return ConsentText.objects.get(school=school, version=1)


def consent_text_shown(
    *, school: School, version: int | None, current: ConsentText | None = None
) -> ConsentText:
    """The saved version the form says it showed (a text changed meanwhile stays the one agreed
    to); the current one, saved, for a form without a known version. ``current``: the version
    already read with the link, which saves the query when it is the one shown."""
    if current is not None and current.pk and version in (None, current.version):
        return current
    if version is not None:
        shown = ConsentText.objects.filter(school=school, version=version).first()
        if shown is not None:
            return shown
    current = consent_text_current(school=school)
    return current if current.pk else _default_saved(school)


@transaction.atomic
def consent_text_publish(*, school: School, text: str, parent_text: str, by=None) -> ConsentText:
    """A new version of the school's consent; the earlier ones stay with the requests they cover."""
    latest = (
        ConsentText.objects.select_for_update().filter(school=school).order_by("-version").first()
    )
    if latest is None:
        # Pages may have shown the portal's wording as version 1: it keeps that number.
        latest = _default_saved(school)
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

"""Writes for schools, classes and people. Object rights are granted and revoked only here."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from rest_framework.authtoken.models import Token

from .models import (
    Absence,
    Movement,
    Municipality,
    Person,
    School,
    SchoolClass,
    StatusConfirmation,
    TrainingRecord,
    YearTurnover,
)
from .roles import Role

CLASS_TEACHER_PERMS = ("staff.view_schoolclass", "staff.lead_schoolclass")


def municipality_named(name: str) -> Municipality:
    """The municipality of this name, created on first mention (seeds, scale data, tests)."""
    municipality, _created = Municipality.objects.get_or_create(name=name)
    return municipality


def _grant_class(user, school_class: SchoolClass) -> None:
    for perm in CLASS_TEACHER_PERMS:
        assign_perm(perm, user, school_class)
    user.groups.add(Group.objects.get(name=Role.CLASS_TEACHER))


def _revoke_class(user, school_class: SchoolClass) -> None:
    for perm in CLASS_TEACHER_PERMS:
        remove_perm(perm, user, school_class)
    still_leads = SchoolClass.objects.filter(
        class_teacher__user=user, status=SchoolClass.Status.ACTIVE
    ).exists()
    if not still_leads:
        user.groups.remove(Group.objects.get(name=Role.CLASS_TEACHER))


@transaction.atomic
def schoolclass_teacher_set(
    *, school_class: SchoolClass, person: Person | None, by=None
) -> tuple[SchoolClass, Person | None]:
    """Attach (or detach, with ``person=None``) the class teacher; their object rights follow and
    the change is recorded. Returns the class and the previous teacher.

    Only the staff side: ``roster.services.class_teacher_assign`` is the whole step (the previous
    teacher's links for the class are annulled too).
    """
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    previous = school_class.class_teacher
    if previous == person:
        return school_class, previous
    if person is not None and person.school_id != school_class.school_id:
        raise ValueError("The class teacher must work at the class's school.")

    school_class.class_teacher = person
    school_class.save(update_fields=["class_teacher", "updated_at"])
    if previous is not None and previous.user_id:
        _revoke_class(previous.user, school_class)
    if person is not None and person.user_id:
        _grant_class(person.user, school_class)

    Movement.objects.create(
        school_id=school_class.school_id,
        kind=Movement.Kind.CLASS_TEACHER_CHANGED,
        school_class=school_class,
        person=person,
        previous_person=previous,
        recorded_by=by,
    )
    return school_class, previous


@transaction.atomic
def person_user_set(*, person: Person, user) -> tuple[Person, object]:
    """Link the person's user account (or unlink it, with ``user=None``); the rights on the classes
    the person leads move from the previous account to the new one. Returns the person and the
    previous account (``roster.services.person_account_link`` moves the chat rights too)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    previous = person.user
    if previous == user:
        return person, previous
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    for school_class in SchoolClass.objects.filter(
        class_teacher=person, status=SchoolClass.Status.ACTIVE
    ):
        if previous is not None:
            _revoke_class(previous, school_class)
        if user is not None:
            _grant_class(user, school_class)
    return person, previous


@transaction.atomic
def schoolclass_archive_set(*, school_class: SchoolClass, by=None) -> tuple[SchoolClass, bool]:
    """Mark a class archived: its teacher's rights on it end, the change is recorded. Returns the
    class and whether it was archived now (False: it already was)."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.status == SchoolClass.Status.ARCHIVED:
        return school_class, False
    school_class.status = SchoolClass.Status.ARCHIVED
    school_class.save(update_fields=["status", "updated_at"])
    teacher = school_class.class_teacher
    if teacher is not None and teacher.user_id:
        _revoke_class(teacher.user, school_class)
    Movement.objects.create(
        school_id=school_class.school_id,
        kind=Movement.Kind.CLASS_ARCHIVED,
        school_class=school_class,
        person=teacher,
        recorded_by=by,
    )
    return school_class, True


# --- Movement, absences, training, platform statuses (order No. 883, points 2, 3, 7.2) ------------


@transaction.atomic
def schoolclass_students_change(
    *, school_class: SchoolClass, students_expected: int, by=None, comment: str = ""
) -> Movement | None:
    """Change the number of students of a class;
    the change is recorded with its old and new value."""
    if students_expected < 0:
        raise ValueError("The number of students cannot be negative.")
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    previous = school_class.students_expected
    if previous == students_expected:
        return None
    school_class.students_expected = students_expected
    school_class.save(update_fields=["students_expected", "updated_at"])
    return Movement.objects.create(
        school_id=school_class.school_id,
        kind=Movement.Kind.STUDENTS_CHANGED,
        school_class=school_class,
        previous_value=previous,
        new_value=students_expected,
        comment=comment[:300],
        recorded_by=by,
    )


@transaction.atomic
def schoolclass_declined_set(
    *, school_class: SchoolClass, students: int, parents: int, channel: str
) -> SchoolClass:
    """Record how many of the class's students and parents declined МАХ and how the school
    reaches them instead (DESIGN.md §9: joining is voluntary; coverage counts them apart).

    Neither number exceeds the class list; with anybody declined the channel is required."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    channel = " ".join(channel.split())[:200]
    errors: dict[str, str] = {}
    for field, value, listed in (
        ("students_declined", students, school_class.students_expected),
        ("parents_declined", parents, school_class.parents_expected),
    ):
        if value < 0:
            errors[field] = _("Число не может быть отрицательным.")
        elif value > listed:
            errors[field] = _("Больше, чем по списку класса (%(listed)s).") % {"listed": listed}
    if (students or parents) and not channel:
        errors["declined_channel"] = _(
            "Укажите, как школа связывается с отказавшимися: например, телефон или "
            "электронная почта."
        )
    if errors:
        raise ValidationError(errors)
    school_class.students_declined = students
    school_class.parents_declined = parents
    school_class.declined_channel = channel if students or parents else ""
    school_class.save(
        update_fields=["students_declined", "parents_declined", "declined_channel", "updated_at"]
    )
    return school_class


def account_disable(*, user) -> None:
    """The account can no longer sign in: no password login, no session, no API token.

    Django's ``ModelBackend`` refuses an inactive user, so every session of the account is signed
    out at its next request; its API tokens are deleted (DRF would refuse them too, but they must
    not come back to life should the account be re-activated).
    """
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()


@transaction.atomic
def person_mark_left(*, person: Person, left_on, by=None, comment: str = "") -> Movement:
    """Take a member of staff off the active list and record the departure (the staff side of
    ``roster.services.person_leave``, which first takes them out of classes, chats and links)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValueError("The person has already left.")
    person.is_active = False
    person.left_on = left_on
    person.save(update_fields=["is_active", "left_on", "updated_at"])
    if person.user_id:
        account_disable(user=person.user)
    return Movement.objects.create(
        school_id=person.school_id,
        kind=Movement.Kind.STAFF_LEFT,
        person=person,
        comment=comment[:300],
        recorded_by=by,
    )


def absence_save(
    *, person: Person, starts_on, ends_on, reason: str = "", absence: Absence | None = None
) -> Absence:
    """Record (or correct) a period of absence;
    the backup answers for the person's duties meanwhile."""
    if ends_on < starts_on:
        raise ValueError("An absence ends after it starts.")
    absence = absence or Absence(person=person)
    absence.person = person
    absence.starts_on, absence.ends_on, absence.reason = starts_on, ends_on, reason
    absence.save()
    return absence


@transaction.atomic
def training_record(
    *,
    person: Person,
    course_title: str,
    course_url: str,
    completed_on,
    certificate_number: str = "",
    certificate_file=None,
) -> TrainingRecord:
    """A teacher's completion of a course (point 7.2); recording it again corrects the same row."""
    record, _created = TrainingRecord.objects.update_or_create(
        person=person,
        course_url=course_url,
        defaults={
            "school_id": person.school_id,
            "course_title": course_title,
            "completed_on": completed_on,
            "certificate_number": certificate_number,
            # The name is saved explicitly: update_or_create writes only the fields it is given.
            **(
                {
                    "certificate_file": certificate_file,
                    "certificate_file_name": certificate_file.name[:255],
                }
                if certificate_file
                else {}
            ),
        },
    )
    return record


def status_confirm(*, person: Person, status: str, confirmed_on, by) -> StatusConfirmation:
    """The operator confirmed the person's status («учитель» / «сотрудник»)
    on the platform (point 3)."""
    confirmation, _created = StatusConfirmation.objects.update_or_create(
        person=person, defaults={"status": status, "confirmed_on": confirmed_on, "confirmed_by": by}
    )
    return confirmation


def school_verified_chats_only_set(*, school: School, value: bool) -> School:
    """Point 4 counts only the chats MAX confirms (``value``), or every chat recorded."""
    School.objects.filter(pk=school.pk).update(verified_chats_only=value)
    school.verified_chats_only = value
    return school


# --- The academic year turns over (the staff side of ``roster.turnover``) -------------------------


def schoolclasses_promote(*, school: School, class_ids: list[int], from_year: int) -> int:
    """Every listed class of ``from_year`` moves up a grade into the next year, in one UPDATE (its
    chats, links and rights stay with the row: 5А of 2025 is 6А of 2026)."""
    return SchoolClass.objects.filter(
        pk__in=class_ids,
        school=school,
        academic_year=from_year,
        status=SchoolClass.Status.ACTIVE,
        grade__lt=11,
    ).update(grade=F("grade") + 1, academic_year=from_year + 1, updated_at=timezone.now())


def schoolclasses_demote(*, school: School, class_ids: list[int], to_year: int) -> int:
    """The reverse of ``schoolclasses_promote`` (undoing a turnover)."""
    return SchoolClass.objects.filter(
        pk__in=class_ids, school=school, academic_year=to_year + 1, grade__gt=1
    ).update(grade=F("grade") - 1, academic_year=to_year, updated_at=timezone.now())


@transaction.atomic
def schoolclass_restore_set(*, school_class: SchoolClass) -> SchoolClass:
    """An archived class is active again (undoing a turnover): its teacher's rights return."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.status == SchoolClass.Status.ACTIVE:
        return school_class
    school_class.status = SchoolClass.Status.ACTIVE
    school_class.save(update_fields=["status", "updated_at"])
    teacher = school_class.class_teacher
    if teacher is not None and teacher.user_id:
        _grant_class(teacher.user, school_class)
    return school_class


def school_academic_year_set(*, school: School, year: int) -> None:
    School.objects.filter(pk=school.pk).update(academic_year=year, updated_at=timezone.now())
    school.academic_year = year


def year_turnover_record(
    *, school: School, from_year: int, by, summary: dict, changes: dict
) -> YearTurnover:
    return YearTurnover.objects.create(
        school=school,
        from_year=from_year,
        to_year=from_year + 1,
        applied_at=timezone.now(),
        applied_by=by,
        summary=summary,
        changes=changes,
    )


def year_turnover_mark_reverted(*, turnover: YearTurnover, by) -> YearTurnover:
    turnover.status = YearTurnover.Status.REVERTED
    turnover.reverted_at = timezone.now()
    turnover.reverted_by = by
    turnover.save(update_fields=["status", "reverted_at", "reverted_by", "updated_at"])
    return turnover

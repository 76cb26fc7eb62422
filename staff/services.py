"""Writes for schools, classes and people. Object rights are granted and revoked only here."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from .models import Movement, Person, SchoolClass
from .roles import Role

CLASS_TEACHER_PERMS = ("staff.view_schoolclass", "staff.lead_schoolclass")


def _grant_class(user, school_class: SchoolClass) -> None:
    for perm in CLASS_TEACHER_PERMS:
        assign_perm(perm, user, school_class)
    user.groups.add(Group.objects.get(name=Role.CLASS_TEACHER))


def _revoke_class(user, school_class: SchoolClass) -> None:
    for perm in CLASS_TEACHER_PERMS:
        remove_perm(perm, user, school_class)
    still_leads = SchoolClass.objects.filter(class_teacher__user=user, status=SchoolClass.Status.ACTIVE).exists()
    if not still_leads:
        user.groups.remove(Group.objects.get(name=Role.CLASS_TEACHER))


@transaction.atomic
def class_teacher_assign(*, school_class: SchoolClass, person: Person | None, by=None) -> SchoolClass:
    """Attach (or detach, with ``person=None``) the class teacher; their object rights follow.

    The previous teacher loses the rights on the class, and the active links they issued for it are
    annulled: a link never outlives the right of the person who gave it out.
    """
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    previous = school_class.class_teacher
    if previous == person:
        return school_class
    if person is not None and person.school_id != school_class.school_id:
        raise ValueError("The class teacher must work at the class's school.")

    school_class.class_teacher = person
    school_class.save(update_fields=["class_teacher", "updated_at"])

    if previous is not None and previous.user_id:
        _revoke_class(previous.user, school_class)
        from invitations.services import invitations_annul_issued_by

        invitations_annul_issued_by(
            user=previous.user, school_class=school_class, by=by,
            reason="Смена классного руководителя",
        )
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
    return school_class


@transaction.atomic
def schoolclass_archive(*, school_class: SchoolClass, by=None) -> SchoolClass:
    """Archive a class: its teacher's rights end and every active link into it is annulled."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.status == SchoolClass.Status.ARCHIVED:
        return school_class
    school_class.status = SchoolClass.Status.ARCHIVED
    school_class.save(update_fields=["status", "updated_at"])
    teacher = school_class.class_teacher
    if teacher is not None and teacher.user_id:
        _revoke_class(teacher.user, school_class)
    from invitations.services import invitations_annul_for_class

    invitations_annul_for_class(school_class=school_class, by=by, reason="Класс переведён в архив")
    Movement.objects.create(
        school_id=school_class.school_id, kind=Movement.Kind.CLASS_ARCHIVED,
        school_class=school_class, person=teacher, recorded_by=by,
    )
    return school_class

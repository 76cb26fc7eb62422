"""Work on the school's people and classes that spans apps, one function per event of point 3.

Each reads top to bottom as the order's point 3 does: the staff record changes (``staff``), the
rights on chats follow (``chats``), the links the person gave out stop working (``invitations``).
Every step is one transaction.
"""

from __future__ import annotations

from django.db import transaction

from chats.models import Chat
from chats.services import chat_owner_assign, chat_owner_rights_move
from invitations.services import (
    invitations_annul_all_issued_by,
    invitations_annul_for_class,
    invitations_annul_issued_by,
)
from staff.models import Movement, Person, SchoolClass
from staff.services import (
    person_mark_left,
    person_user_set,
    schoolclass_archive_set,
    schoolclass_teacher_set,
)

TEACHER_CHANGED_REASON = "Смена классного руководителя"
CLASS_ARCHIVED_REASON = "Класс переведён в архив"
PERSON_LEFT_REASON = "Сотрудник уволен"


@transaction.atomic
def class_teacher_assign(
    *, school_class: SchoolClass, person: Person | None, by=None
) -> SchoolClass:
    """A class gets a new class teacher (or none, with ``person=None``).

    1. The class record and the object rights change hands (``staff``).
    2. The active links the previous teacher issued for the class are annulled: a link never
       outlives the right of the person who gave it out (``invitations``).
    """
    school_class, previous = schoolclass_teacher_set(
        school_class=school_class, person=person, by=by
    )
    if previous is not None and previous != person and previous.user_id:
        invitations_annul_issued_by(
            user=previous.user, school_class=school_class, by=by, reason=TEACHER_CHANGED_REASON
        )
    return school_class


@transaction.atomic
def person_account_link(*, person: Person, user, by=None) -> Person:
    """A person's user account is linked (or changed, or unlinked with ``user=None``).

    1. The account is set and the rights on the classes the person leads move to it (``staff``).
    2. So do the rights on the chats the person owns (``chats``).
    """
    person, previous = person_user_set(person=person, user=user)
    if previous != user:
        chat_owner_rights_move(person=person, previous_user=previous, user=user)
    return person


@transaction.atomic
def schoolclass_archive(*, school_class: SchoolClass, by=None) -> SchoolClass:
    """A class is archived.

    1. The class is marked archived and its teacher's rights on it end (``staff``).
    2. Every active link into the class is annulled (``invitations``).
    """
    school_class, archived_now = schoolclass_archive_set(school_class=school_class, by=by)
    if archived_now:
        invitations_annul_for_class(school_class=school_class, by=by, reason=CLASS_ARCHIVED_REASON)
    return school_class


@transaction.atomic
def person_leave(*, person: Person, left_on, by=None, comment: str = "") -> Movement:
    """A member of staff leaves the school.

    1. They stop leading their classes (their rights go, their links for those classes are
       annulled: ``class_teacher_assign``).
    2. They stop owning their chats (``chats``).
    3. Every other active link they issued is annulled (``invitations``).
    4. They are taken off the active list and the departure is recorded (``staff``).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValueError("The person has already left.")
    for school_class in SchoolClass.objects.filter(class_teacher=person):
        class_teacher_assign(school_class=school_class, person=None, by=by)
    for chat in Chat.objects.filter(owner=person):
        chat_owner_assign(chat=chat, person=None, by=by)
    if person.user_id:
        invitations_annul_all_issued_by(user=person.user, by=by, reason=PERSON_LEFT_REASON)
    return person_mark_left(person=person, left_on=left_on, by=by, comment=comment)

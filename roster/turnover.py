"""«Новый учебный год»: the school's academic year turns over, previewed, confirmed, recorded,
idempotent and reversible until the first change of the new year.

One step, reading as the 1st of September does:

1. every active link into a class of the old year is annulled, with the reason (``invitations``);
2. the 11th grades leave: their chats are archived (``chats``) and the classes archived, their
   teachers' rights ending (``staff``);
3. every other class moves up a grade into the new year — the same row, so 5А of 2025 is 6А of 2026
   with its chats and its history (``staff``);
4. the new distribution of class teachers is applied (by hand on the page, or from an import):
   a class that changes hands moves its teacher's rights (``roster.services.class_teacher_assign``)
   and the chats of the class the previous teacher answered for (``chats``);
5. the school's current year is the new one, and the step is recorded with what it changed.

The board and the checks count the classes of the school's current year only
(``SchoolClass.objects.current()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from chats.models import Chat
from chats.services import (
    chat_owner_assign,
    chats_archive_for_classes,
    chats_owned_in_classes,
    chats_restore,
)
from invitations.models import Invitation, JoinRequest
from invitations.services import invitations_annul_into_classes, invitations_restore
from staff.models import Movement, Person, School, SchoolClass, YearTurnover
from staff.services import (
    school_academic_year_set,
    schoolclass_archive_set,
    schoolclass_restore_set,
    schoolclass_teacher_set,
    schoolclasses_demote,
    schoolclasses_promote,
    year_turnover_mark_reverted,
    year_turnover_record,
)

from .models import ImportRun
from .services import class_teacher_assign

TURNOVER_REASON = "Новый учебный год: ссылка вела в класс прошлого учебного года"
LAST_GRADE = 11


class TurnoverError(Exception):
    """The turnover cannot be applied or undone; the message says why, in Russian."""


@dataclass
class PlannedClass:
    school_class: SchoolClass
    new_name: str
    teacher_before: Person | None
    teacher_after: Person | None

    @property
    def teacher_changes(self) -> bool:
        return self.teacher_before != self.teacher_after


@dataclass
class TurnoverPlan:
    school: School
    from_year: int
    promoted: list[PlannedClass] = field(default_factory=list)
    leaving: list[SchoolClass] = field(default_factory=list)
    invitations_to_annul: int = 0
    chats_to_archive: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def to_year(self) -> int:
        return self.from_year + 1

    @property
    def teachers_changed(self) -> int:
        return sum(1 for item in self.promoted if item.teacher_changes)


def year_label(year: int) -> str:
    return f"{year}/{year + 1}"


def turnover_plan(*, school: School, distribution: dict[int, Person | None] | None = None):
    """What «Новый учебный год» would do now (nothing is written).

    ``distribution``: the new class teacher by the id of the class as it is now (absent: the
    teacher stays with the class); ``None`` as a value leaves the class without one.
    """
    distribution = distribution or {}
    from_year = school.academic_year
    plan = TurnoverPlan(school=school, from_year=from_year)
    classes = list(
        SchoolClass.objects.filter(
            school=school, academic_year=from_year, status=SchoolClass.Status.ACTIVE
        )
        .select_related("class_teacher")
        .order_by("grade", "letter")
    )
    taken = set(
        SchoolClass.objects.filter(school=school, academic_year=from_year + 1).values_list(
            "grade", "letter"
        )
    )
    for school_class in classes:
        if school_class.grade >= LAST_GRADE:
            plan.leaving.append(school_class)
            continue
        new_name = f"{school_class.grade + 1}{school_class.letter}"
        if (school_class.grade + 1, school_class.letter) in taken:
            plan.problems.append(
                _("Класс %(name)s учебного года %(year)s уже есть: %(old)s не может стать им.")
                % {"name": new_name, "year": year_label(from_year + 1), "old": school_class.name}
            )
        teacher_after = distribution.get(school_class.pk, school_class.class_teacher)
        if teacher_after is not None and teacher_after.school_id != school.pk:
            plan.problems.append(
                _("%(person)s не работает в этой школе.") % {"person": teacher_after.full_name}
            )
        plan.promoted.append(
            PlannedClass(
                school_class=school_class,
                new_name=new_name,
                teacher_before=school_class.class_teacher,
                teacher_after=teacher_after,
            )
        )
    class_ids = [c.pk for c in classes]
    plan.invitations_to_annul = Invitation.objects.filter(
        school_class_id__in=class_ids, status=Invitation.Status.ACTIVE
    ).count()
    plan.chats_to_archive = Chat.objects.filter(
        school_class_id__in=[c.pk for c in plan.leaving], status=Chat.Status.ACTIVE
    ).count()
    return plan


@dataclass
class ImportedDistribution:
    """The class teachers a checked classes file names for the new year's classes."""

    distribution: dict[int, Person | None]
    not_promoted: list[str]  # classes of the file with a teacher that no class becomes

    @property
    def named(self) -> int:
        """Classes of the new year the file gives a class teacher."""
        return len(self.distribution)


def turnover_imports(*, school: School):
    """The school's checked, not yet applied classes files: a new distribution may come from one."""
    return ImportRun.objects.filter(
        school=school, kind=ImportRun.Kind.CLASSES, status=ImportRun.Status.PREVIEW
    ).defer("content")


def turnover_distribution_from_import(
    *, plan: TurnoverPlan, run: ImportRun
) -> ImportedDistribution:
    """The new distribution as a classes file of the new year gives it: its row «6А — Петрова»
    names the teacher of the class that becomes 6А. A class the file gives no teacher keeps its
    own; only active people of the school are taken (the file was checked when it was read, the
    people may have changed since)."""
    wanted = {
        (row["grade"], row["letter"].upper()): row["teacher_id"]
        for row in run.rows
        if row.get("teacher_id") is not None
    }
    people = {
        person.pk: person
        for person in Person.objects.filter(
            pk__in=set(wanted.values()), school=plan.school, is_active=True
        )
    }
    distribution: dict[int, Person | None] = {}
    becomes: set[tuple[int, str]] = set()
    for item in plan.promoted:
        key = (item.school_class.grade + 1, item.school_class.letter.upper())
        becomes.add(key)
        teacher_id = wanted.get(key)
        if teacher_id is not None and teacher_id in people:
            distribution[item.school_class.pk] = people[teacher_id]
    not_promoted = [f"{grade}{letter}" for grade, letter in sorted(set(wanted) - becomes)]
    return ImportedDistribution(distribution=distribution, not_promoted=not_promoted)


@transaction.atomic
def turnover_apply(
    *,
    school: School,
    from_year: int,
    distribution: dict[int, Person | None] | None = None,
    by=None,
) -> YearTurnover:
    """Turn the school's year ``from_year`` over to the next. Confirming the same year again (a
    second click, a second worker) changes nothing and returns the record of the first."""
    school = School.objects.select_for_update().get(pk=school.pk)
    done = YearTurnover.objects.filter(
        school=school, from_year=from_year, status=YearTurnover.Status.APPLIED
    ).first()
    if done is not None:
        return done
    if school.academic_year != from_year:
        raise TurnoverError(
            _("Текущий учебный год школы — %(year)s, а не %(asked)s.")
            % {"year": year_label(school.academic_year), "asked": year_label(from_year)}
        )
    plan = turnover_plan(school=school, distribution=distribution)
    if plan.problems:
        raise TurnoverError(" ".join(plan.problems))
    all_ids = [item.school_class.pk for item in plan.promoted] + [c.pk for c in plan.leaving]
    leaving_ids = [c.pk for c in plan.leaving]

    # 1. Links into the classes of the old year stop working.
    annulled = invitations_annul_into_classes(class_ids=all_ids, by=by, reason=TURNOVER_REASON)
    # 2. The 11th grades leave: chats archived, classes archived (their teachers' rights end).
    archived_chats = chats_archive_for_classes(class_ids=leaving_ids)
    for school_class in plan.leaving:
        schoolclass_archive_set(school_class=school_class, by=by)
    # 3. Every other class moves up a grade into the new year.
    promoted_ids = [item.school_class.pk for item in plan.promoted]
    schoolclasses_promote(school=school, class_ids=promoted_ids, from_year=from_year)
    # 4. The new distribution of class teachers; the chats a previous teacher answered for go
    #    with the class to the new one.
    owners: list[dict] = []
    for item in plan.promoted:
        if not item.teacher_changes:
            continue
        class_teacher_assign(school_class=item.school_class, person=item.teacher_after, by=by)
        if item.teacher_before is not None and item.teacher_after is not None:
            for chat in chats_owned_in_classes(
                class_ids=[item.school_class.pk], owner=item.teacher_before
            ):
                chat_owner_assign(chat=chat, person=item.teacher_after, by=by)
                owners.append(
                    {
                        "chat": chat.pk,
                        "before": item.teacher_before.pk,
                        "after": item.teacher_after.pk,
                    }
                )
    # 5. The new year is the school's; the step is recorded with what it changed.
    school_academic_year_set(school=school, year=from_year + 1)
    return year_turnover_record(
        school=school,
        from_year=from_year,
        by=by,
        summary={
            "promoted": len(plan.promoted),
            "archived": len(plan.leaving),
            "invitations_annulled": len(annulled),
            "chats_archived": len(archived_chats),
            "teachers_changed": plan.teachers_changed,
        },
        changes={
            "promoted": [
                {
                    "id": item.school_class.pk,
                    "before": item.teacher_before.pk if item.teacher_before else None,
                    "after": item.teacher_after.pk if item.teacher_after else None,
                }
                for item in plan.promoted
            ],
            "archived": leaving_ids,
            "invitations": annulled,
            "chats_archived": archived_chats,
            "owners": owners,
        },
    )


def turnover_reversible(turnover: YearTurnover) -> bool:
    """Until the first change of the new year: nothing of the school's classes, chats, links,
    requests or movement has changed since the step was recorded."""
    if turnover.status != YearTurnover.Status.APPLIED:
        return False
    if turnover.school.academic_year != turnover.to_year:
        return False
    since = {"school_id": turnover.school_id, "updated_at__gt": turnover.applied_at}
    return not (
        SchoolClass.objects.filter(**since).exists()
        or Chat.objects.filter(**since).exists()
        or Invitation.objects.filter(**since).exists()
        or JoinRequest.objects.filter(**since).exists()
        or Movement.objects.filter(**since).exists()
    )


@transaction.atomic
def turnover_revert(*, turnover: YearTurnover, by=None) -> YearTurnover:
    """Undo the turnover (idempotent: undoing it again changes nothing)."""
    School.objects.select_for_update().get(pk=turnover.school_id)
    turnover = YearTurnover.objects.select_related("school").get(pk=turnover.pk)
    if turnover.status == YearTurnover.Status.REVERTED:
        return turnover
    if not turnover_reversible(turnover):
        raise TurnoverError(
            _(
                "Переход уже нельзя отменить: в новом учебном году в школе уже что-то изменилось "
                "(классы, чаты, ссылки или заявки)."
            )
        )
    school = turnover.school
    changes = turnover.changes
    people = Person.objects.in_bulk(
        {item["before"] for item in changes["promoted"] if item["before"]}
        | {item["before"] for item in changes["owners"]}
    )
    classes = SchoolClass.objects.in_bulk(
        [item["id"] for item in changes["promoted"]] + list(changes["archived"])
    )
    for item in changes["owners"]:
        chat = Chat.objects.get(pk=item["chat"])
        chat_owner_assign(chat=chat, person=people.get(item["before"]), by=by)
    for item in changes["promoted"]:
        if item["before"] != item["after"]:
            schoolclass_teacher_set(
                school_class=classes[item["id"]], person=people.get(item["before"]), by=by
            )
    schoolclasses_demote(
        school=school,
        class_ids=[item["id"] for item in changes["promoted"]],
        to_year=turnover.from_year,
    )
    for class_id in changes["archived"]:
        schoolclass_restore_set(school_class=classes[class_id])
    chats_restore(ids=changes["chats_archived"])
    invitations_restore(ids=changes["invitations"], reason=TURNOVER_REASON)
    school_academic_year_set(school=school, year=turnover.from_year)
    return year_turnover_mark_reverted(turnover=turnover, by=by)


def turnover_latest(*, school: School) -> YearTurnover | None:
    return YearTurnover.objects.filter(school=school).select_related("school").first()

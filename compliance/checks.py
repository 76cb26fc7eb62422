"""Compliance checks on staff data: class teachers and platform statuses (point 3), training (7.2).

Each counts every school asked for in one grouped query; a school with nothing to count (no active
class, no staff) is not measured.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from staff.models import Person, SchoolClass

from .registry import Check, register


class _StaffCheck(Check):
    absent = None  # no classes or no staff on record: nothing measured yet, not «0 of 0, done»


@register
class ClassesHaveTeacher(_StaffCheck):
    key = "classes_have_teacher"
    title = _("У каждого класса есть классный руководитель")
    unit = _("классов")

    def figure_rows(self, *, school_ids, today):
        return (
            SchoolClass.objects.current()
            .filter(school_id__in=school_ids)
            .order_by()
            .values("school_id")
            .annotate(
                total=Count("pk"),
                done=Count(
                    "pk", filter=Q(class_teacher__isnull=False, class_teacher__is_active=True)
                ),
            )
        )

    def missing_url(self, *, school_id):
        return reverse("staff:classes") + "?without_teacher=1"


@register
class StaffStatusConfirmed(_StaffCheck):
    key = "staff_status_confirmed"
    title = _("Статусы «учитель» / «сотрудник» подтверждены на платформе")
    unit = _("сотрудников")

    def figure_rows(self, *, school_ids, today):
        return (
            Person.objects.filter(school_id__in=school_ids, is_active=True)
            .order_by()
            .values("school_id")
            .annotate(
                total=Count("pk"), done=Count("pk", filter=Q(status_confirmation__isnull=False))
            )
        )

    def missing_url(self, *, school_id):
        return reverse("staff:statuses")


@register
class TeachersTrained(_StaffCheck):
    """Point 7.2: the share of the active teaching staff
    with a recorded completion of the course."""

    key = "teachers_trained"
    title = _("Педагоги прошли обучение по программе из приказа")
    unit = _("педагогов")

    def figure_rows(self, *, school_ids, today):
        return (
            Person.objects.filter(
                school_id__in=school_ids, is_active=True, staff_kind=Person.StaffKind.TEACHING
            )
            .order_by()
            .values("school_id")
            .annotate(
                total=Count("pk", distinct=True),
                done=Count("pk", distinct=True, filter=Q(training_records__isnull=False)),
            )
        )

    def missing_url(self, *, school_id):
        return reverse("staff:training") + "?untrained=1"

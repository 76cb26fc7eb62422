"""What the education department's workbook lists beside the points: classes, open findings and
links, for many schools at once in one query each (the municipality's workbook costs the same
three queries as one school's)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from chats.models import CLASS_KINDS, ChatKind
from chats.selectors import schoolclass_annotate_chats
from compliance.models import Finding
from invitations.models import Invitation
from staff.models import SchoolClass


@dataclass(frozen=True)
class ClassLine:
    school_id: int
    name: str
    teacher: str
    required: int  # required class chats
    present: int  # of which there is an active chat
    students_members: int | None  # members of the students' chat (None: not known)
    students_expected: int
    parents_members: int | None
    parents_expected: int
    declined: int = 0  # students and parents of the lists who declined МАХ (counted apart)
    declined_channel: str = ""

    @property
    def compliant(self) -> bool:
        return self.present >= self.required


def class_lines(*, school_ids: list[int]) -> dict[int, list[ClassLine]]:
    """The active classes of the schools with their required chats and members, in one query."""
    classes = schoolclass_annotate_chats(
        SchoolClass.objects.filter(
            school_id__in=school_ids, status=SchoolClass.Status.ACTIVE
        ).select_related("class_teacher")
    ).order_by("school_id", "grade", "letter")
    lines: dict[int, list[ClassLine]] = defaultdict(list)
    for school_class in classes:
        required = [k for k in CLASS_KINDS if getattr(school_class, f"requires_{k}")]
        teacher = school_class.class_teacher
        lines[school_class.school_id].append(
            ClassLine(
                school_id=school_class.school_id,
                name=school_class.name,
                teacher=teacher.full_name if teacher else "",
                required=len(required),
                present=sum(1 for k in required if getattr(school_class, f"has_{k}")),
                students_members=getattr(school_class, f"members_{ChatKind.CLASS_STUDENTS}"),
                students_expected=school_class.students_expected,
                parents_members=getattr(school_class, f"members_{ChatKind.CLASS_PARENTS}"),
                parents_expected=school_class.parents_expected,
                declined=school_class.declined,
                declined_channel=school_class.declined_channel,
            )
        )
    return lines


def open_findings(*, school_ids: list[int]) -> dict[int, list[Finding]]:
    """The open findings of the schools, newest first, with their class and point: one query."""
    findings = (
        Finding.objects.filter(school_id__in=school_ids, resolved_at__isnull=True)
        .select_related("school_class", "order_point")
        .order_by("school_id", "-opened_at", "-pk")
    )
    by_school: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_school[finding.school_id].append(finding)
    return by_school


@dataclass(frozen=True)
class LinkLine:
    school_id: int
    unit: str  # a class's name, or "" for the whole school
    role: str
    by_status: dict[str, int]
    uses: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def link_lines(*, school_ids: list[int]) -> dict[int, list[LinkLine]]:
    """Links by unit (class or the whole school) and role, counted by status: one grouped query."""
    statuses = Invitation.Status.values
    rows = (
        Invitation.objects.filter(school_id__in=school_ids)
        .order_by()
        .values("school_id", "school_class__grade", "school_class__letter", "role")
        .annotate(
            uses_total=Coalesce(Sum("uses"), 0),
            **{f"n_{status}": Count("pk", filter=Q(status=status)) for status in statuses},
        )
        .order_by("school_id", "school_class__grade", "school_class__letter", "role")
    )
    lines: dict[int, list[LinkLine]] = defaultdict(list)
    for values in rows:
        row = cast(dict[str, Any], values)  # the status counts' keys are built, not literal
        grade, letter = row["school_class__grade"], row["school_class__letter"]
        lines[row["school_id"]].append(
            LinkLine(
                school_id=row["school_id"],
                unit=f"{grade}{letter}" if grade is not None else "",
                role=row["role"],
                by_status={status: row[f"n_{status}"] for status in statuses},
                uses=row["uses_total"],
            )
        )
    return lines

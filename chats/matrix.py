"""The school at a glance (the chat matrix): every class × required chat kind, the five
school-wide chats of point 6 and who owns them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

from django.db.models import (
    Exists,
    OuterRef,
)

from staff.access import user_can
from staff.models import Person, School, SchoolClass
from staff.selectors import object_permission_ids, school_list, user_school

from .models import (
    CLASS_KINDS,
    SCHOOL_KINDS,
    Chat,
    ChatRequirement,
)
from .selectors import schoolclass_annotate_chats

# --- School at a glance ---------------------------------------------------------------------------


def matrix_school(*, user, school_id: int | None = None) -> School | None:
    """The school whose matrix the user opens: their own; any (``?school=``) for the inspector."""
    if user_can(user, "view_all", School):
        schools = school_list(user=user)  # a municipal inspector: their municipality's only
        if school_id is not None:
            return schools.filter(pk=school_id).first()
        return user_school(user) or schools.order_by("short_name").first()
    school = user_school(user)
    return school if school is not None and user_can(user, "view_chat_matrix", school) else None


class _RequirementOwners(Protocol):
    """A requirement as ``school_requirements`` builds it: ``owner_list`` set on the instance."""

    owner_list: list[Person]


@dataclass
class SchoolChatRow:
    kind: str
    label: str
    requirement: ChatRequirement | None
    chat: Chat | None
    may_edit: bool

    @property
    def required(self) -> bool:
        return self.requirement is not None and self.requirement.is_required

    @property
    def named_owners(self) -> list[Person]:
        return cast(_RequirementOwners, self.requirement).owner_list if self.requirement else []


def school_requirements(*, school: School) -> list[ChatRequirement]:
    """The school's chat requirements, each with ``owner_list`` (the people the order names), in one
    query: a LEFT JOIN to the owners, folded back into one object per requirement."""
    rows = (
        ChatRequirement.objects.filter(school=school)
        .order_by("kind", "owners__full_name", "owners__pk")
        .values(
            "pk",
            "kind",
            "min_grade",
            "max_grade",
            "is_required",
            "basis",
            "owners__pk",
            "owners__full_name",
        )
    )
    requirements: dict[int, ChatRequirement] = {}
    for row in rows:
        requirement = requirements.get(row["pk"])
        if requirement is None:
            requirement = ChatRequirement(
                pk=row["pk"],
                school=school,
                kind=row["kind"],
                min_grade=row["min_grade"],
                max_grade=row["max_grade"],
                is_required=row["is_required"],
                basis=row["basis"],
            )
            cast(_RequirementOwners, requirement).owner_list = []
            requirements[row["pk"]] = requirement
        if row["owners__pk"] is not None:
            cast(_RequirementOwners, requirement).owner_list.append(
                Person(pk=row["owners__pk"], full_name=row["owners__full_name"], school=school)
            )
    return list(requirements.values())


def matrix_class_kinds(requirements: list[ChatRequirement]) -> list[str]:
    """The columns of the matrix: the class chat kinds some grade of the school requires, in
    order."""
    required = {r.kind for r in requirements if r.is_required and r.kind in CLASS_KINDS}
    return [str(kind) for kind in CLASS_KINDS if kind in required]


def matrix_classes(*, school: School, grade: int | None = None) -> list[SchoolClass]:
    queryset = SchoolClass.objects.filter(
        school=school, status=SchoolClass.Status.ACTIVE
    ).select_related("class_teacher")
    if grade is not None:
        queryset = queryset.filter(grade=grade)
    return list(schoolclass_annotate_chats(queryset).order_by("grade", "letter"))


def school_chat_rows(
    *, user, school: School, requirements: list[ChatRequirement]
) -> list[SchoolChatRow]:
    """The five school-wide chats of point 6 with their owners: one row per school-wide kind.

    Whether the user owns each chat (may edit it) comes from the same query.
    """
    owned = Exists(
        object_permission_ids(user=user, model=Chat, codename="change_chat").filter(
            content_object_id=OuterRef("pk")
        )
    )
    chats = {
        chat.kind: chat
        for chat in Chat.objects.filter(
            school=school, kind__in=SCHOOL_KINDS, status=Chat.Status.ACTIVE
        )
        .select_related("owner")
        .annotate(owned_by_user=owned)
    }
    by_kind = {r.kind: r for r in requirements}
    manager = user_can(user, "manage_chats", school)
    return [
        SchoolChatRow(
            kind=str(kind),
            label=str(kind.label),
            requirement=by_kind.get(kind),
            chat=chats.get(kind),
            may_edit=manager or (kind in chats and chats[kind].owned_by_user),
        )
        for kind in SCHOOL_KINDS
    ]

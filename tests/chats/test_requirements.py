"""ChatRequirement.objects: the one place that says which chats a class (a school) must have."""

import pytest
from django.db.models import Exists, OuterRef

from chats.models import SCHOOL_KINDS, Chat, ChatKind, ChatRequirement
from staff.models import SchoolClass
from tests.factories import ChatFactory, ChatRequirementFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

STUDENTS, PARENTS, OTHER = ChatKind.CLASS_STUDENTS, ChatKind.CLASS_PARENTS, ChatKind.CLASS_OTHER


@pytest.fixture
def rules(school, other_school):
    """Students' chats for 1–11, parents' for 5–9, «иные» for 10–11 but switched off."""
    ChatRequirementFactory(school=school, kind=STUDENTS, min_grade=1, max_grade=11)
    ChatRequirementFactory(school=school, kind=PARENTS, min_grade=5, max_grade=9)
    ChatRequirementFactory(school=school, kind=OTHER, min_grade=10, max_grade=11, is_required=False)
    ChatRequirementFactory(school=other_school, kind=OTHER, min_grade=1, max_grade=11)
    for kind in SCHOOL_KINDS[:2]:
        ChatRequirement.objects.create(school=school, kind=kind)


def kinds(requirements):
    return set(requirements.values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("grade", "expected"),
    [(4, {STUDENTS}), (5, {STUDENTS, PARENTS}), (9, {STUDENTS, PARENTS}), (10, {STUDENTS})],
)
def test_a_class_needs_the_kinds_in_force_for_its_grade_at_its_school(
    rules, school, grade, expected
):
    school_class = SchoolClassFactory(school=school, grade=grade)

    assert kinds(ChatRequirement.objects.required_for_class(school_class)) == expected


def test_missing_leaves_out_the_kinds_with_an_active_chat(rules, class_5a):
    ChatFactory(school_class=class_5a, kind=STUDENTS)
    ChatFactory(school_class=class_5a, kind=PARENTS, status=Chat.Status.ARCHIVED)

    assert kinds(ChatRequirement.objects.missing_for_class(class_5a)) == {PARENTS}


def test_the_correlated_form_answers_the_same_for_every_class(rules, school, other_school):
    classes = [SchoolClassFactory(school=school, grade=grade) for grade in (3, 7, 11)]
    classes.append(SchoolClassFactory(school=other_school, grade=7))
    ChatFactory(school_class=classes[1], kind=PARENTS)

    annotated = SchoolClass.objects.annotate(
        needs_parents=Exists(
            ChatRequirement.objects.required_for_class(OuterRef("pk")).filter(kind=PARENTS)
        ),
        misses_any=Exists(ChatRequirement.objects.missing_for_class(OuterRef("pk"))),
    )

    for row in annotated:
        assert row.needs_parents == (
            PARENTS in kinds(ChatRequirement.objects.required_for_class(row))
        )
        assert row.misses_any == ChatRequirement.objects.missing_for_class(row).exists()


def test_school_wide_are_the_school_kinds_in_force(rules, school):
    ChatRequirement.objects.filter(school=school, kind=SCHOOL_KINDS[1]).update(is_required=False)

    assert kinds(ChatRequirement.objects.school_wide()) == {SCHOOL_KINDS[0]}


def test_it_refuses_what_is_not_a_class():
    with pytest.raises(TypeError):
        ChatRequirement.objects.required_for_class(7)

"""What each role sees: ``schoolclass_list`` and ``filter_by_permission`` narrow in the query."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm

from invitations.models import Invitation
from invitations.models import Role as InvitationRole
from roster.services import class_teacher_assign, schoolclass_archive
from staff.models import Absence
from staff.roles import Role
from staff.selectors import filter_by_permission, schoolclass_list
from tests.factories import InvitationFactory, SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db


def AbsenceFactory(*, person):
    today = datetime.date(2025, 12, 15)
    return Absence.objects.create(
        person=person, starts_on=today, ends_on=today + datetime.timedelta(days=7)
    )


@pytest.fixture
def all_classes(class_5a, class_5b, other_school_class):
    return {class_5a, class_5b, other_school_class}


def visible(user, **kwargs):
    return set(schoolclass_list(user=user, **kwargs))


def test_class_teacher_sees_only_the_classes_they_lead(teacher_5a, class_5a, all_classes):
    assert visible(teacher_5a) == {class_5a}


def test_class_teacher_of_two_classes_sees_both(teacher_5a, class_5a, class_5b, all_classes):
    class_teacher_assign(school_class=class_5b, person=teacher_5a.person)

    assert visible(teacher_5a) == {class_5a, class_5b}


@pytest.mark.parametrize("role_user", ["operator", "director", "coordinator"])
def test_school_roles_see_every_class_of_their_school_only(
    request, role_user, class_5a, class_5b, all_classes
):
    user = request.getfixturevalue(role_user)

    assert visible(user) == {class_5a, class_5b}


def test_director_of_the_other_school_sees_only_that_school(
    other_director, other_school_class, all_classes
):
    assert visible(other_director) == {other_school_class}


def test_inspector_sees_every_school(inspector, all_classes):
    assert visible(inspector) == all_classes


def test_superuser_sees_every_school(all_classes):
    assert visible(UserFactory(is_superuser=True)) == all_classes


def test_anonymous_sees_nothing(all_classes):
    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()


def test_plain_staff_member_sees_nothing(staff_member, all_classes):
    assert visible(staff_member) == set()


@pytest.mark.parametrize("role_user", ["operator", "teacher_5a", "inspector"])
def test_inactive_user_sees_nothing(request, role_user, all_classes):
    user = request.getfixturevalue(role_user)
    user.is_active = False
    user.save()

    assert visible(user) == set()


def test_operator_whose_staff_record_ended_sees_nothing(operator, all_classes):
    """The group's global permission alone names no school: without an active Person, no rows."""
    operator.person.is_active = False
    operator.person.save()

    assert visible(operator) == set()


def test_global_permission_without_a_staff_record_sees_nothing(all_classes):
    assert visible(UserFactory(roles=[Role.OPERATOR])) == set()


def test_archived_classes_only_on_request(operator, class_5a, class_5b):
    schoolclass_archive(school_class=class_5b)

    assert visible(operator) == {class_5a}
    assert visible(operator, include_archived=True) == {class_5a, class_5b}


def test_listing_is_one_query_whatever_the_number_of_classes(
    operator, school, django_assert_max_num_queries, django_assert_num_queries
):
    for letter in "ВГДЕЖИКЛ":
        SchoolClassFactory(school=school, grade=7, letter=letter)
    schoolclass_list(user=operator).count()  # warms the per-user permission and person caches

    with django_assert_num_queries(1):
        names = [
            (c.name, c.school.short_name, c.class_teacher) for c in schoolclass_list(user=operator)
        ]
    assert len(names) == 8


def test_class_teacher_listing_has_a_fixed_number_of_queries(
    teacher_5a, school, django_assert_max_num_queries
):
    for grade in range(1, 12):
        class_teacher_assign(
            school_class=SchoolClassFactory(school=school, grade=grade, letter="Я"),
            person=teacher_5a.person,
        )
    teacher = type(teacher_5a).objects.get(pk=teacher_5a.pk)  # fresh: no permission caches

    with django_assert_max_num_queries(4):
        rows = [(c.name, c.school.short_name) for c in schoolclass_list(user=teacher)]
    assert len(rows) == 12


# --- filter_by_permission on another model --------------------------------------------------


@pytest.fixture
def invitations(school, other_school, class_5a, other_school_class, operator):
    return {
        "class": InvitationFactory(school_class=class_5a, created_by=operator),
        "school": InvitationFactory(
            school=school, school_class=None, role=InvitationRole.TEACHER, created_by=operator
        ),
        "other": InvitationFactory(school_class=other_school_class),
    }


def visible_invitations(user):
    return set(
        filter_by_permission(
            queryset=Invitation.objects.all(), user=user, codename="view_invitation"
        )
    )


@pytest.mark.parametrize("role_user", ["operator", "director", "coordinator"])
def test_invitations_of_own_school_only(request, role_user, invitations):
    user = request.getfixturevalue(role_user)

    assert visible_invitations(user) == {invitations["class"], invitations["school"]}


def test_other_school_sees_its_own_invitations(other_director, invitations):
    assert visible_invitations(other_director) == {invitations["other"]}


def test_inspector_sees_invitations_of_every_school(inspector, invitations):
    assert visible_invitations(inspector) == set(invitations.values())


@pytest.mark.parametrize("role_user", ["teacher_5a", "staff_member", "web_editor"])
def test_roles_without_the_permission_see_no_invitations(request, role_user, invitations):
    user = request.getfixturevalue(role_user)

    assert visible_invitations(user) == set()


def test_object_permission_on_a_model_with_the_generic_table(staff_member, invitations):
    """Invitation has no direct guardian table: a right on one row still narrows to that row."""
    assign_perm("invitations.view_invitation", staff_member, invitations["class"])

    assert visible_invitations(staff_member) == {invitations["class"]}


def test_inspector_may_view_but_not_change(inspector, invitations):
    """Seeing every school is a read right: ``change_`` codenames do not ride on it."""
    changeable = filter_by_permission(
        queryset=Invitation.objects.all(), user=inspector, codename="change_invitation"
    )

    assert set(changeable) == set()


def test_operator_changes_only_own_school(operator, invitations):
    changeable = filter_by_permission(
        queryset=Invitation.objects.all(), user=operator, codename="change_invitation"
    )

    assert set(changeable) == {invitations["class"], invitations["school"]}


def test_school_field_follows_a_relation(operator, staff_member, other_director):
    """Models that reach the school through a relation pass ``school_field``
    (Absence → person → school)."""
    own = AbsenceFactory(person=staff_member.person)
    AbsenceFactory(person=other_director.person)

    narrowed = filter_by_permission(
        queryset=Absence.objects.all(),
        user=operator,
        codename="view_absence",
        school_field="person__school",
    )

    assert list(narrowed) == [own]


# --- user_person: the person behind every signed-in page ------------------------------------------


def _fresh_user(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("who", ["teacher_5a", "director"])
def test_user_person_loads_the_person_and_school_in_one_query(
    request, who, django_assert_num_queries
):
    from staff.models import Person
    from staff.selectors import led_class_ids, user_person

    user = request.getfixturevalue(who)
    expected = Person.objects.select_related("school").get(user=user)
    fresh = _fresh_user(user)
    with django_assert_num_queries(1):
        person = user_person(fresh)
        school = person.school  # comes with it
        assert user_person(fresh) is person  # kept for the request
    assert (
        type(person) is Person
        and not person._state.adding
        and person.get_deferred_fields() == set()
    )
    for field in Person._meta.concrete_fields:
        assert getattr(person, field.attname) == getattr(expected, field.attname), field.name
    for field in type(school)._meta.concrete_fields:
        assert getattr(school, field.attname) == getattr(expected.school, field.attname), field.name
    assert person.leads_class is led_class_ids(user=user).exists() is (who == "teacher_5a")


def test_user_person_follows_the_rights_and_the_staff_list(
    teacher_5a, class_5a, inspector, django_assert_num_queries
):
    from roster.services import person_leave
    from staff.selectors import user_person

    class_teacher_assign(school_class=class_5a, person=None)
    assert (
        user_person(_fresh_user(teacher_5a)).leads_class is False
    )  # «Мой класс» goes with the rights
    person_leave(person=teacher_5a.person, left_on=datetime.date(2026, 1, 1))
    assert user_person(_fresh_user(teacher_5a)) is None  # gone from the staff list
    no_record = _fresh_user(inspector)
    with django_assert_num_queries(1):  # an account with no staff record, and that is kept too
        assert user_person(no_record) is None and user_person(no_record) is None
    assert user_person(AnonymousUser()) is None

"""Who holds which right: Django's ModelBackend for global rights, guardian's for object rights.

The portal adds no permission backend of its own (STYLE.md, «Plain Django first»); these tests pin
the answers the rest of the code relies on.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from guardian.shortcuts import assign_perm

from staff.roles import Role
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission caches on it


def _names(permissions) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list("content_type__app_label", "codename")
    }


def test_own_and_group_permissions_together(school, django_assert_num_queries):
    operator = make_user(school=school, username="op", roles=[Role.OPERATOR, Role.STAFF])
    own = Permission.objects.get(codename="view_all_schools")
    operator.user_permissions.add(own)
    also_in_group = Permission.objects.filter(group__name=Role.OPERATOR).first()
    operator.user_permissions.add(also_in_group)  # in both: counted once

    user = _fresh(operator)
    answer = user.get_all_permissions()
    expected = _names(Permission.objects.filter(group__user=operator)) | _names(
        Permission.objects.filter(pk__in=[own.pk, also_in_group.pk])
    )
    assert answer == expected
    assert "staff.view_all_schools" in answer and len(answer) > 1
    assert user.get_group_permissions() == _names(Permission.objects.filter(group__user=operator))
    assert user.get_user_permissions() == _names(
        Permission.objects.filter(pk__in=[own.pk, also_in_group.pk])
    )
    with django_assert_num_queries(0):  # kept on the user for the request
        assert user.has_perm("staff.view_all_schools")
        assert user.has_perm("staff.change_schoolclass")  # from the operator's group
        assert not user.has_perm("orders.add_order")  # the coordinator's, not the operator's


def test_superuser_has_all_inactive_and_nobody_none(db):
    superuser = _fresh(UserFactory(is_superuser=True))
    assert superuser.get_all_permissions() == _names(Permission.objects.all())
    assert superuser.has_perm("staff.view_all_schools")

    inactive = UserFactory(is_active=False)
    inactive.groups.add(Group.objects.get(name=Role.OPERATOR))
    inactive.user_permissions.add(Permission.objects.get(codename="view_all_schools"))
    inactive = _fresh(inactive)
    assert inactive.get_all_permissions() == set()
    assert not inactive.has_perm("staff.view_all_schools")
    assert not inactive.has_perm("staff.change_schoolclass")

    nobody = _fresh(UserFactory())
    assert nobody.get_all_permissions() == set()
    assert not nobody.has_perm("staff.view_schoolclass")


def test_object_rights_come_from_guardian_rows_only(teacher_5a, operator, class_5a, class_5b):
    teacher = _fresh(teacher_5a)
    assert teacher.has_perm("staff.lead_schoolclass", class_5a)  # granted on the class
    assert not teacher.has_perm("staff.lead_schoolclass", class_5b)
    assert not teacher.has_perm("staff.lead_schoolclass")  # an object right is not a global one

    # A global right from a group does not answer a question about one object.
    engineer = _fresh(operator)
    assert engineer.has_perm("staff.change_schoolclass")
    assert not engineer.has_perm("staff.change_schoolclass", class_5a)

    assign_perm("staff.change_schoolclass", operator, class_5a)
    engineer = _fresh(operator)
    assert engineer.has_perm("staff.change_schoolclass", class_5a)
    assert not engineer.has_perm("staff.change_schoolclass", class_5b)


def test_an_inactive_user_holds_no_object_rights(teacher_5a, class_5a):
    teacher_5a.is_active = False
    teacher_5a.save(update_fields=["is_active"])
    teacher = _fresh(teacher_5a)
    assert not teacher.has_perm("staff.lead_schoolclass", class_5a)
    assert teacher.get_all_permissions(class_5a) == set()


def test_a_signed_in_page_asks_for_rights_once(client, director, django_assert_max_num_queries):
    client.force_login(director)
    client.get("/")
    # session, user, rights (own, then the groups'), person (with the nav flag), the page: the
    # order to acknowledge and the person's tasks (their overdue badge)
    with django_assert_max_num_queries(7):
        assert client.get("/").status_code == 200

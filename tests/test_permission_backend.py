"""The portal's permission backend answers exactly as Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from gymnasium_portal.auth import PermissionBackend
from staff.roles import Role
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission caches on it


def test_same_answer_as_django_for_own_group_and_both(school, django_assert_num_queries):
    operator = make_user(school=school, username="op", roles=[Role.OPERATOR, Role.STAFF])
    own = Permission.objects.get(codename="view_all_schools")
    operator.user_permissions.add(own)
    also_in_group = Permission.objects.filter(group__name=Role.OPERATOR).first()
    operator.user_permissions.add(also_in_group)  # in both: counted once

    expected = ModelBackend().get_all_permissions(_fresh(operator))
    user = _fresh(operator)
    with django_assert_num_queries(1):
        answer = PermissionBackend().get_all_permissions(user)
        assert PermissionBackend().get_all_permissions(user) is answer  # kept for the request
    assert answer == expected
    assert "staff.view_all_schools" in answer and len(answer) > 1


def test_superuser_inactive_and_object_questions(db):
    superuser = UserFactory(is_superuser=True)
    assert PermissionBackend().get_all_permissions(
        _fresh(superuser)
    ) == ModelBackend().get_all_permissions(_fresh(superuser))
    inactive = UserFactory(is_active=False)
    inactive.groups.add(Group.objects.get_or_create(name="any")[0])
    assert PermissionBackend().get_all_permissions(_fresh(inactive)) == set()
    nobody = UserFactory()
    assert PermissionBackend().get_all_permissions(_fresh(nobody)) == set()
    assert PermissionBackend().get_all_permissions(_fresh(superuser), obj=superuser) == set()


def test_a_signed_in_page_asks_for_rights_once(client, director, django_assert_max_num_queries):
    client.force_login(director)
    client.get("/")
    with django_assert_max_num_queries(
        6
    ):  # session, user, rights, person (with the nav flag), page
        assert client.get("/").status_code == 200

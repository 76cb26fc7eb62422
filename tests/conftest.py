"""Shared fixtures: two schools and a standing user for every role of DESIGN.md §3."""

import pytest
from django.apps import apps

from roster.services import class_teacher_assign
from staff.roles import Role, sync_role_groups

from .factories import SchoolClassFactory, SchoolFactory, UserFactory, make_user


@pytest.fixture
def role_groups(db):
    """The role groups with their permissions, as the data migration makes them: a transactional
    test before this one flushed them (rows of migrations do not survive a flush)."""
    sync_role_groups(apps)


@pytest.fixture(autouse=True)
def _fresh_board_cache():
    """Each test starts with no rendered boards kept
    (the board cache lives in the process, not in the
    database that is rolled back between tests)."""
    from django.core.cache import caches

    caches["board"].clear()
    yield
    caches["board"].clear()


@pytest.fixture
def school(db):
    return SchoolFactory(
        name="МАОУ «Гимназия им. А.С. Пушкина»", short_name="Гимназия им. А.С. Пушкина"
    )


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="МАОУ «СОШ № 1»", short_name="СОШ № 1")


@pytest.fixture
def class_5a(school):
    return SchoolClassFactory(school=school, grade=5, letter="А")


@pytest.fixture
def class_5b(school):
    return SchoolClassFactory(school=school, grade=5, letter="Б")


@pytest.fixture
def other_school_class(other_school):
    return SchoolClassFactory(school=other_school, grade=5, letter="А")


@pytest.fixture
def director(school):
    return make_user(school=school, username="director", roles=[Role.DIRECTOR, Role.STAFF])


@pytest.fixture
def coordinator(school):
    return make_user(school=school, username="coordinator", roles=[Role.COORDINATOR, Role.STAFF])


@pytest.fixture
def operator(school):
    return make_user(school=school, username="engineer", roles=[Role.OPERATOR, Role.STAFF])


@pytest.fixture
def teacher_5a(school, class_5a):
    user = make_user(school=school, username="teacher_5a", roles=[Role.STAFF])
    class_teacher_assign(school_class=class_5a, person=user.person)
    return user


@pytest.fixture
def teacher_5b(school, class_5b):
    user = make_user(school=school, username="teacher_5b", roles=[Role.STAFF])
    class_teacher_assign(school_class=class_5b, person=user.person)
    return user


@pytest.fixture
def staff_member(school):
    return make_user(school=school, username="staff_member", roles=[Role.STAFF])


@pytest.fixture
def web_editor(school):
    return make_user(school=school, username="web_editor", roles=[Role.WEB_EDITOR, Role.STAFF])


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", roles=[Role.INSPECTOR])


@pytest.fixture
def other_director(other_school):
    return make_user(
        school=other_school, username="other_director", roles=[Role.DIRECTOR, Role.STAFF]
    )


def pytest_collection_modifyitems(config, items):
    """On SQLite (``make test-sqlite``) the tests marked ``postgresql``
    are skipped, with their reason."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgresql")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL: {reason}"))

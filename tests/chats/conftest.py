"""Fixtures of the chats tests: the order's requirements, chats, a chat owner, API clients."""

import pytest
from rest_framework.test import APIClient

from chats.models import Chat, ChatKind
from chats.services import chat_owner_assign, chat_requirements_create_defaults
from staff.roles import Role
from tests.factories import ChatFactory, make_user


@pytest.fixture
def requirements(school):
    chat_requirements_create_defaults(school=school)
    return school.chat_requirements.all()


@pytest.fixture
def api():
    """``api(user)`` → an APIClient authenticated as ``user`` (None: no credentials)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def students_chat_5a(class_5a):
    return ChatFactory(
        school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, title="5А — ученики", members_count=20
    )


@pytest.fixture
def general_chat(school):
    return Chat.objects.create(
        school=school,
        kind=ChatKind.SCHOOL_GENERAL,
        title="Общешкольный",
        url="https://web.max.ru/general",
    )


@pytest.fixture
def staff_chat(school):
    return Chat.objects.create(
        school=school,
        kind=ChatKind.SCHOOL_STAFF,
        title="Педагоги",
        url="https://web.max.ru/staff",
    )


@pytest.fixture
def chat_owner(school, general_chat):
    """The owner of the general chat (п. 6): a member of staff with rights on that chat only."""
    user = make_user(
        school=school, username="owner_general", roles=[Role.STAFF], full_name="Рыженкова О.А."
    )
    chat_owner_assign(chat=general_chat, person=user.person)
    return user


@pytest.fixture
def role_groups(transactional_db):
    """Transactional tests flush the database after each test, and with it the role groups a data
    migration made: put them back (as tests/browser/conftest.py does for live-server tests)."""
    from django.contrib.auth.models import Group, Permission

    from staff.roles import ROLE_PERMISSIONS

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = {tuple(perm.split(".")) for perm in perms}
        group.permissions.set(
            [
                p
                for p in Permission.objects.select_related("content_type")
                if (p.content_type.app_label, p.codename) in wanted
            ]
        )

"""Object rights follow the services: class teacher attachment, class archive, chat owner."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from chats.models import Chat, ChatKind
from chats.services import chat_owner_assign
from invitations.models import Invitation
from invitations.models import Role as InvitationRole
from roster.services import class_teacher_assign, person_account_link, schoolclass_archive
from staff.models import Movement
from staff.roles import Role
from staff.selectors import filter_by_permission, schoolclass_list
from tests.factories import ChatFactory, InvitationFactory, PersonFactory, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()


def fresh(user):
    """The user re-read from the database: no permission caches left from earlier checks."""
    return User.objects.get(pk=user.pk)


def class_rights(user, school_class):
    user = fresh(user)
    return {
        perm
        for perm in ("staff.view_schoolclass", "staff.lead_schoolclass")
        if user.has_perm(perm, school_class)
    }


def in_group(user, role):
    return fresh(user).groups.filter(name=role).exists()


@pytest.fixture
def new_teacher(school):
    return make_user(school=school, username="new_teacher", roles=[Role.STAFF])


def link(school_class, by, **fields):
    return InvitationFactory(school_class=school_class, created_by=by, **fields)


# --- class_teacher_assign -------------------------------------------------------------------


def test_new_teacher_gets_view_and_lead_rights(class_5a, new_teacher):
    class_teacher_assign(school_class=class_5a, person=new_teacher.person)

    assert class_rights(new_teacher, class_5a) == {
        "staff.view_schoolclass",
        "staff.lead_schoolclass",
    }
    assert in_group(new_teacher, Role.CLASS_TEACHER)
    assert list(schoolclass_list(user=fresh(new_teacher))) == [class_5a]


def test_rights_are_on_that_class_only(class_5a, class_5b, new_teacher):
    class_teacher_assign(school_class=class_5a, person=new_teacher.person)

    assert class_rights(new_teacher, class_5b) == set()


def test_previous_teacher_loses_the_rights_and_the_group(class_5a, teacher_5a, new_teacher):
    class_teacher_assign(school_class=class_5a, person=new_teacher.person)

    assert class_rights(teacher_5a, class_5a) == set()
    assert not in_group(teacher_5a, Role.CLASS_TEACHER)
    assert list(schoolclass_list(user=fresh(teacher_5a))) == []
    class_5a.refresh_from_db()
    assert class_5a.class_teacher == new_teacher.person


def test_previous_teacher_keeps_the_group_while_leading_another_class(
    class_5a, class_5b, teacher_5a, new_teacher
):
    class_teacher_assign(school_class=class_5b, person=teacher_5a.person)

    class_teacher_assign(school_class=class_5a, person=new_teacher.person)

    assert in_group(teacher_5a, Role.CLASS_TEACHER)
    assert class_rights(teacher_5a, class_5b) == {
        "staff.view_schoolclass",
        "staff.lead_schoolclass",
    }
    assert list(schoolclass_list(user=fresh(teacher_5a))) == [class_5b]


def test_change_annuls_exactly_the_active_links_the_old_teacher_issued_for_the_class(
    class_5a, class_5b, teacher_5a, new_teacher, operator
):
    class_teacher_assign(school_class=class_5b, person=teacher_5a.person)
    mine_active = [link(class_5a, teacher_5a), link(class_5a, teacher_5a, max_uses=30, uses=4)]
    untouched = {
        "other class": link(class_5b, teacher_5a),
        "used": link(class_5a, teacher_5a, status=Invitation.Status.USED, uses=1),
        "expired": link(
            class_5a,
            teacher_5a,
            status=Invitation.Status.EXPIRED,
            expires_at=timezone.now() - datetime.timedelta(days=1),
        ),
        "issued by the operator": link(class_5a, operator),
    }
    before = {
        name: Invitation.objects.filter(pk=inv.pk).values().get() for name, inv in untouched.items()
    }

    class_teacher_assign(school_class=class_5a, person=new_teacher.person, by=operator)

    for invitation in mine_active:
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.ANNULLED
        assert invitation.annulled_at is not None
        assert invitation.annulled_by == operator
        assert invitation.annul_reason == "Смена классного руководителя"
    after = {
        name: Invitation.objects.filter(pk=inv.pk).values().get() for name, inv in untouched.items()
    }
    assert after == before


def test_change_records_a_movement(class_5a, teacher_5a, new_teacher, operator):
    class_teacher_assign(school_class=class_5a, person=new_teacher.person, by=operator)

    movement = Movement.objects.get(school_class=class_5a, person=new_teacher.person)
    assert movement.kind == Movement.Kind.CLASS_TEACHER_CHANGED
    assert movement.school == class_5a.school
    assert movement.person == new_teacher.person
    assert movement.previous_person == teacher_5a.person
    assert movement.recorded_by == operator


def test_detaching_the_teacher(class_5a, teacher_5a, operator):
    own_link = link(class_5a, teacher_5a)

    class_teacher_assign(school_class=class_5a, person=None, by=operator)

    class_5a.refresh_from_db()
    assert class_5a.class_teacher is None
    assert class_rights(teacher_5a, class_5a) == set()
    own_link.refresh_from_db()
    assert own_link.status == Invitation.Status.ANNULLED
    assert Movement.objects.filter(
        school_class=class_5a, person=None, previous_person=teacher_5a.person
    ).exists()


def test_assigning_the_same_teacher_again_changes_nothing(class_5a, teacher_5a):
    own_link = link(class_5a, teacher_5a)
    movements = Movement.objects.count()

    class_teacher_assign(school_class=class_5a, person=teacher_5a.person)

    assert Movement.objects.count() == movements
    own_link.refresh_from_db()
    assert own_link.status == Invitation.Status.ACTIVE
    assert class_rights(teacher_5a, class_5a) == {
        "staff.view_schoolclass",
        "staff.lead_schoolclass",
    }


def test_a_person_of_another_school_is_refused(class_5a, teacher_5a, other_director):
    own_link = link(class_5a, teacher_5a)
    movements = Movement.objects.count()

    with pytest.raises(ValueError):
        class_teacher_assign(school_class=class_5a, person=other_director.person)

    class_5a.refresh_from_db()
    assert class_5a.class_teacher == teacher_5a.person
    assert class_rights(other_director, class_5a) == set()
    assert class_rights(teacher_5a, class_5a) == {
        "staff.view_schoolclass",
        "staff.lead_schoolclass",
    }
    own_link.refresh_from_db()
    assert own_link.status == Invitation.Status.ACTIVE
    assert Movement.objects.count() == movements


def test_a_person_without_an_account_can_lead(class_5a, teacher_5a, school):
    """Not every teacher has a login yet: the class still records them, no rights to grant."""
    person = PersonFactory(school=school, user=None)

    class_teacher_assign(school_class=class_5a, person=person)

    class_5a.refresh_from_db()
    assert class_5a.class_teacher == person
    assert class_rights(teacher_5a, class_5a) == set()


# --- schoolclass_archive --------------------------------------------------------------------


def test_archive_revokes_the_teacher_and_annuls_every_active_link_into_the_class(
    class_5a, class_5b, teacher_5a, operator
):
    into_class = [link(class_5a, teacher_5a), link(class_5a, operator, max_uses=30, uses=2)]
    used = link(class_5a, teacher_5a, status=Invitation.Status.USED, uses=1)
    other_class = link(class_5b, operator)
    school_wide = InvitationFactory(
        school=class_5a.school, school_class=None, role=InvitationRole.TEACHER
    )
    untouched_before = list(
        Invitation.objects.filter(pk__in=[used.pk, other_class.pk, school_wide.pk]).values()
    )

    schoolclass_archive(school_class=class_5a, by=operator)

    class_5a.refresh_from_db()
    assert class_5a.status == class_5a.Status.ARCHIVED
    assert class_rights(teacher_5a, class_5a) == set()
    assert not in_group(teacher_5a, Role.CLASS_TEACHER)
    for invitation in into_class:
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.ANNULLED
        assert invitation.annulled_by == operator
        assert invitation.annul_reason == "Класс переведён в архив"
    assert (
        list(Invitation.objects.filter(pk__in=[used.pk, other_class.pk, school_wide.pk]).values())
        == untouched_before
    )
    movement = Movement.objects.get(school_class=class_5a, kind=Movement.Kind.CLASS_ARCHIVED)
    assert (movement.person, movement.recorded_by) == (teacher_5a.person, operator)


def test_archiving_twice_records_it_once(class_5a, teacher_5a):
    schoolclass_archive(school_class=class_5a)
    schoolclass_archive(school_class=class_5a)

    assert (
        Movement.objects.filter(school_class=class_5a, kind=Movement.Kind.CLASS_ARCHIVED).count()
        == 1
    )


# --- chat_owner_assign ----------------------------------------------------------------------


def chat_rights(user, chat):
    user = fresh(user)
    return {perm for perm in ("chats.view_chat", "chats.change_chat") if user.has_perm(perm, chat)}


@pytest.fixture
def school_chat(school):
    return ChatFactory(school=school, school_class=None, kind=ChatKind.SCHOOL_GENERAL)


def test_chat_owner_gets_the_chat_rights(school_chat, staff_member):
    chat_owner_assign(chat=school_chat, person=staff_member.person)

    assert chat_rights(staff_member, school_chat) == {"chats.view_chat", "chats.change_chat"}
    assert in_group(staff_member, Role.CHAT_OWNER)
    mine = filter_by_permission(
        queryset=Chat.objects.all(), user=fresh(staff_member), codename="change_chat"
    )
    assert list(mine) == [school_chat]


def test_chat_rights_move_to_the_new_owner(school_chat, staff_member, web_editor):
    chat_owner_assign(chat=school_chat, person=staff_member.person)

    chat_owner_assign(chat=school_chat, person=web_editor.person)

    assert chat_rights(staff_member, school_chat) == set()
    assert not in_group(staff_member, Role.CHAT_OWNER)
    assert chat_rights(web_editor, school_chat) == {"chats.view_chat", "chats.change_chat"}
    school_chat.refresh_from_db()
    assert school_chat.owner == web_editor.person


def test_previous_owner_of_another_chat_keeps_the_group(
    school, school_chat, staff_member, web_editor
):
    staff_chat = ChatFactory(school=school, school_class=None, kind=ChatKind.SCHOOL_STAFF)
    chat_owner_assign(chat=school_chat, person=staff_member.person)
    chat_owner_assign(chat=staff_chat, person=staff_member.person)

    chat_owner_assign(chat=school_chat, person=web_editor.person)

    assert in_group(staff_member, Role.CHAT_OWNER)
    assert chat_rights(staff_member, staff_chat) == {"chats.view_chat", "chats.change_chat"}
    assert chat_rights(staff_member, school_chat) == set()


def test_chat_owner_of_another_school_is_refused(school_chat, staff_member, other_director):
    chat_owner_assign(chat=school_chat, person=staff_member.person)

    with pytest.raises(ValueError):
        chat_owner_assign(chat=school_chat, person=other_director.person)

    school_chat.refresh_from_db()
    assert school_chat.owner == staff_member.person
    assert chat_rights(other_director, school_chat) == set()


# --- person_account_link --------------------------------------------------------------------


def test_an_account_linked_later_gets_the_rights_of_the_person(class_5a, school, school_chat):
    """A class teacher without a login yet gets one:
    the account leads the class and owns the chat."""
    person = PersonFactory(school=school, user=None)
    class_teacher_assign(school_class=class_5a, person=person)
    chat_owner_assign(chat=school_chat, person=person)
    account = get_user_model().objects.create_user(username="new_login")

    person_account_link(person=person, user=account)

    assert class_rights(account, class_5a) == {"staff.view_schoolclass", "staff.lead_schoolclass"}
    assert list(schoolclass_list(user=fresh(account))) == [class_5a]
    assert in_group(account, Role.CLASS_TEACHER)
    assert chat_rights(account, school_chat) == {"chats.view_chat", "chats.change_chat"}
    assert in_group(account, Role.CHAT_OWNER)


def test_another_account_takes_the_rights_from_the_previous_one(class_5a, teacher_5a, school_chat):
    person = teacher_5a.person
    chat_owner_assign(chat=school_chat, person=person)
    own_link = InvitationFactory(
        school_class=class_5a, created_by=teacher_5a, role=InvitationRole.PARENT
    )
    replacement = get_user_model().objects.create_user(username="teacher_5a_new")

    person_account_link(person=person, user=replacement)

    assert class_rights(teacher_5a, class_5a) == set() and not in_group(
        teacher_5a, Role.CLASS_TEACHER
    )
    assert chat_rights(teacher_5a, school_chat) == set() and not in_group(
        teacher_5a, Role.CHAT_OWNER
    )
    assert class_rights(replacement, class_5a) == {
        "staff.view_schoolclass",
        "staff.lead_schoolclass",
    }
    assert chat_rights(replacement, school_chat) == {"chats.view_chat", "chats.change_chat"}
    own_link.refresh_from_db()
    assert own_link.status == Invitation.Status.ACTIVE  # the same teacher gave it out: it stays

    person_account_link(person=person, user=None)  # unlinked: nobody holds the rights
    assert (
        class_rights(replacement, class_5a) == set()
        and chat_rights(replacement, school_chat) == set()
    )
    class_5a.refresh_from_db()
    assert class_5a.class_teacher == person

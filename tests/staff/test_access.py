"""``staff.access``: one ``visible_to`` and one ``user_can`` for «what may this user see / do».

First the registry itself (an unknown action or model is an error, the signed-out see nothing,
"view" falls back to the visibility rule), then the rules each app registered, over the standing
users of ``tests/conftest.py``, answering as the functions they replaced did.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from chats.models import Chat, ChatKind, Meeting
from chats.services import chat_owner_assign
from compliance.models import Finding
from invitations.models import Invitation, JoinRequest
from orders.models import Acknowledgement, Regulation, Responsibility
from orders.selectors import point_people
from staff import access
from staff.access import user_can, visible_to
from staff.admin import ScopedAdmin
from staff.models import Person, School, SchoolClass
from staff.selectors import user_person
from tests.factories import (
    ChatFactory,
    InvitationFactory,
    JoinRequestFactory,
    OrderFactory,
    OrderPointFactory,
)

pytestmark = pytest.mark.django_db

USERS = (
    "director",
    "coordinator",
    "operator",
    "teacher_5a",
    "teacher_5b",
    "staff_member",
    "web_editor",
    "inspector",
    "other_director",
)


def warm(user):
    """What every signed-in page has loaded before it asks (the person, the global rights)."""
    user_person(user)
    user.has_perm("staff.view_all_schools")
    return user


# --- The registry ---------------------------------------------------------------------------------


def test_an_action_nobody_registered_is_an_error_even_signed_out(operator, school):
    with pytest.raises(LookupError, match="'fly'"):
        user_can(operator, "fly", school)
    with pytest.raises(LookupError):
        user_can(AnonymousUser(), "fly", school)


def test_a_model_without_a_visibility_rule_is_an_error(operator):
    group = Group.objects.create(name="not a portal model")
    with pytest.raises(LookupError):
        visible_to(operator, Group.objects.all())
    with pytest.raises(LookupError):
        user_can(operator, "view", group)  # no fallback without a visibility rule


def test_view_on_the_model_as_a_whole_needs_a_rule_of_its_own(operator):
    with pytest.raises(LookupError):
        user_can(operator, "view", Chat)


def test_a_model_or_an_action_is_registered_once():
    with pytest.raises(ValueError):
        access.rule(School, "view")(lambda user, obj: True)
    with pytest.raises(ValueError):
        access.visibility(School)(lambda user, queryset: queryset)


@pytest.mark.parametrize("who", ["anonymous", "none", "inactive"])
def test_the_signed_out_see_nothing_and_may_do_nothing(
    who, operator, class_5a, django_assert_num_queries
):
    user = {"anonymous": AnonymousUser(), "none": None, "inactive": operator}[who]
    operator.is_active = False
    with django_assert_num_queries(0):  # decided in the registry: no rule runs
        assert list(visible_to(user, SchoolClass.objects.all())) == []
        assert not user_can(user, "lead", class_5a)
        assert not user_can(user, "view", class_5a)
        assert not user_can(user, "view_all", School)


def test_view_falls_back_to_the_visibility_rule(
    teacher_5a, teacher_5b, operator, class_5a, django_assert_num_queries
):
    chat = ChatFactory(school_class=class_5a)
    assert user_can(teacher_5a, "view", chat)
    assert not user_can(teacher_5b, "view", chat)
    warm(operator)
    with django_assert_num_queries(1):  # the rule's query for that one row
        assert user_can(operator, "view", chat)


def test_every_model_in_the_admin_has_a_visibility_rule():
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ScopedAdmin):
            visible_to(AnonymousUser(), model._default_manager.all())  # LookupError if not


# --- staff (staff/rules.py) -----------------------------------------------------------------------


@pytest.mark.parametrize("name", USERS)
def test_who_leads_class_5a(request, name, class_5a):
    """The school's operator rights (``staff.change_schoolclass``) or the class's teacher."""
    leads = name in {"operator", "coordinator", "teacher_5a"}
    assert user_can(request.getfixturevalue(name), "lead", class_5a) is leads


@pytest.mark.parametrize("name", USERS)
def test_who_sees_contacts(request, name):
    """Phones and e-mails (152-ФЗ): the coordinator and the operator only."""
    assert user_can(request.getfixturevalue(name), "see_contacts", Person) is (
        name in {"operator", "coordinator"}
    )


@pytest.mark.parametrize("name", USERS)
def test_which_schools_are_seen(request, name, school, other_school, django_assert_num_queries):
    user = warm(request.getfixturevalue(name))
    expected = {
        "inspector": {school, other_school},
        "other_director": {other_school},
    }.get(name, {school})
    assert set(visible_to(user, School.objects.all())) == expected
    with django_assert_num_queries(0):  # the kept board asks before it reads the cache
        assert {s for s in (school, other_school) if user_can(user, "view", School(pk=s.pk))} == (
            expected
        )
    assert user_can(user, "view_all", School) is (name == "inspector")


@pytest.mark.parametrize("name", USERS)
def test_who_changes_the_people_of_the_school(request, name, school):
    assert user_can(request.getfixturevalue(name), "change_people", school) is (
        name in {"operator", "coordinator"}
    )


# --- invitations (invitations/access.py) ----------------------------------------------------------

# list, issue, annul 5А's link, review 5А's request
INVITATION_RIGHTS = {
    "director": (True, False, False, False),
    "coordinator": (True, True, True, True),
    "operator": (True, True, True, True),
    "teacher_5a": (True, True, True, True),
    "teacher_5b": (True, True, False, False),  # may annul links, but not the links of 5А
    "staff_member": (False, False, False, False),
    "web_editor": (False, False, False, False),
    "inspector": (False, False, False, False),  # compliance figures, not children's names
    "other_director": (True, False, False, False),
}


@pytest.mark.parametrize("name", USERS)
def test_who_acts_on_links_and_requests(request, name, class_5a, class_5b, operator):
    link = InvitationFactory(school_class=class_5a, created_by=operator)
    join_request = JoinRequestFactory(invitation=link)
    user = request.getfixturevalue(name)
    may_list, may_issue, may_annul, may_review = INVITATION_RIGHTS[name]
    assert user_can(user, "list", Invitation) is user_can(user, "list", JoinRequest) is may_list
    assert user_can(user, "issue", Invitation) is may_issue
    assert user_can(user, "annul", link) is may_annul
    assert user_can(user, "reissue", link) is (may_annul and may_issue)
    assert user_can(user, "review", join_request) is may_review
    # On the model as a whole (bulk annulment, the queue's buttons): any link or request of theirs.
    assert user_can(user, "annul", Invitation) is (may_annul or name == "teacher_5b")
    assert user_can(user, "review", JoinRequest) is (may_review or name == "teacher_5b")
    sees_link = name in {"director", "coordinator", "operator", "teacher_5a"}
    assert list(visible_to(user, Invitation.objects.all())) == ([link] if sees_link else [])


def test_a_class_teacher_sees_the_links_of_their_classes_in_one_query(
    teacher_5a, class_5a, class_5b, operator, django_assert_num_queries
):
    mine = InvitationFactory(school_class=class_5a, created_by=operator)
    InvitationFactory(school_class=class_5b, created_by=operator)
    warm(teacher_5a)
    with django_assert_num_queries(1):  # «leads an active class» is an EXISTS in the same query
        assert list(visible_to(teacher_5a, Invitation.objects.all())) == [mine]


# --- chats (chats/access.py) ----------------------------------------------------------------------

# change 5А's chat, add a chat to 5А, manage the school's chats (school-wide ones, owners)
CHAT_RIGHTS = {
    "director": (False, False, False),
    "coordinator": (True, True, True),
    "operator": (True, True, True),
    "teacher_5a": (True, True, False),
    "teacher_5b": (False, False, False),
    "staff_member": (False, False, False),
    "web_editor": (False, False, False),
    "inspector": (False, False, False),
    "other_director": (False, False, False),
}


@pytest.mark.parametrize("name", USERS)
def test_who_changes_and_adds_chats(request, name, school, class_5a):
    chat = ChatFactory(school_class=class_5a)
    user = request.getfixturevalue(name)
    may_change, may_add, may_manage = CHAT_RIGHTS[name]
    assert user_can(user, "change", chat) is may_change
    assert user_can(user, "add_chat", class_5a) is may_add
    assert user_can(user, "manage_chats", school) is user_can(user, "manage", chat) is may_manage
    sees = name in {"director", "coordinator", "operator", "teacher_5a", "inspector"}
    assert user_can(user, "view", chat) is sees


def test_a_chat_owner_changes_their_chat_and_reads_the_other_school_wide_chats(
    school, staff_member, class_5a
):
    mine = ChatFactory(school=school, school_class=None, kind=ChatKind.SCHOOL_GENERAL)
    other = ChatFactory(school=school, school_class=None, kind=ChatKind.SCHOOL_STAFF)
    ChatFactory(school_class=class_5a)
    chat_owner_assign(chat=mine, person=staff_member.person)
    owner = type(staff_member).objects.get(pk=staff_member.pk)

    assert set(visible_to(owner, Chat.objects.all())) == {mine, other}
    assert user_can(owner, "change", mine) and not user_can(owner, "change", other)


@pytest.mark.parametrize("name", USERS)
def test_who_corrects_a_meeting(request, name, school, staff_member):
    meeting = Meeting.objects.create(
        school=school,
        held_on=datetime.date(2025, 12, 10),
        topic="Собрание",
        recorded_by=staff_member,
    )
    user = request.getfixturevalue(name)
    managers = {"director", "coordinator", "operator"}
    assert user_can(user, "change", meeting) is (name in managers | {"staff_member"})
    assert list(visible_to(user, Meeting.objects.all())) == (
        [] if name == "other_director" else [meeting]
    )


# --- orders (orders/access.py) --------------------------------------------------------------------

# edit the order, open its acknowledgement sheet, record the regulation's publication, add orders
ORDER_RIGHTS = {
    "director": (False, True, False, False),
    "coordinator": (True, True, True, True),
    "operator": (False, True, False, False),
    "teacher_5a": (False, False, False, False),
    "teacher_5b": (False, False, False, False),
    "staff_member": (False, False, False, False),
    "web_editor": (False, False, True, False),
    "inspector": (False, True, False, False),
    "other_director": (False, False, False, False),
}


@pytest.mark.parametrize("name", USERS)
def test_who_acts_on_an_order(request, name, school):
    order = OrderFactory(school=school)
    regulation = Regulation.objects.create(
        school=school, order=order, title="Положение", approved_on=datetime.date(2025, 12, 15)
    )
    user = request.getfixturevalue(name)
    may_edit, may_view_sheet, may_publish, may_add = ORDER_RIGHTS[name]
    assert user_can(user, "edit", order) is may_edit
    assert user_can(user, "view_sheet", order) is may_view_sheet
    assert user_can(user, "publish", regulation) is may_publish
    assert user_can(user, "add_order", school) is may_add


def test_an_order_sent_to_someone_is_theirs_to_read_and_acknowledge(school, staff_member):
    order = OrderFactory(school=school)
    assert not user_can(staff_member, "view", order)
    assert not user_can(staff_member, "acknowledge", order)
    Acknowledgement.objects.create(order=order, person=staff_member.person)
    assert user_can(staff_member, "view", order) and user_can(staff_member, "acknowledge", order)


def test_evidence_is_added_by_the_people_named_on_the_point_without_a_query(
    school, teacher_5a, teacher_5b, coordinator, django_assert_num_queries
):
    point = OrderPointFactory(order=OrderFactory(school=school))
    Responsibility.objects.create(point=point, person=teacher_5a.person)
    assert not user_can(teacher_5b, "add_evidence", point)
    assert user_can(coordinator, "add_evidence", point)
    point_people(points=[point])  # the order page's one query for every point
    warm(teacher_5a)
    with django_assert_num_queries(0):
        assert user_can(teacher_5a, "add_evidence", point)


# --- board (board/access.py) and compliance (compliance/access.py) --------------------------------


@pytest.mark.parametrize("name", USERS)
def test_who_opens_the_board(request, name, school, other_school):
    user = request.getfixturevalue(name)
    has_board = name in {"director", "coordinator", "operator", "inspector", "other_director"}
    assert user_can(user, "view_board", School) is has_board
    assert user_can(user, "view_board", school) is (has_board and name != "other_director")
    assert user_can(user, "view_board", other_school) is (name in {"inspector", "other_director"})


@pytest.mark.parametrize("name", ["director", "teacher_5a", "inspector", "other_director"])
def test_which_findings_are_seen(request, name, school, other_school):
    now = timezone.now()
    own, foreign = (
        Finding.objects.create(
            school=s, check_key="class_chat", subject_key=f"x:{s.pk}", message="…", opened_at=now
        )
        for s in (school, other_school)
    )
    expected = {
        "director": {own},
        "teacher_5a": set(),
        "inspector": {own, foreign},
        "other_director": {foreign},
    }[name]
    assert set(visible_to(request.getfixturevalue(name), Finding.objects.all())) == expected

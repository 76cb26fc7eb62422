"""Chats bound by link from bot_added, the numbers on the checklist, members changing, the bot
removed (a finding), and the operator's «Неподключённые чаты» (API.md, MAX integration)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, ChatKind
from chats.platform import CHAT_LOST_CHECK
from chats.services import chat_requirements_create_defaults
from compliance.models import Finding
from devtools.fake_max import chat_body, update_body
from messenger.client import MaxClient
from messenger.inbox import inbox_store, inbox_sweep
from messenger.models import MaxAccount, PlatformChat
from tests.factories import ChatFactory, SchoolClassFactory

from .schema import validate, validate_update

CHAT_ID = -72000000000555
LINK = "https://max.ru/join/Class5aParents"


@pytest.fixture
def parents_chat(class_5a):
    class_5a.parents_expected = 30
    class_5a.save(update_fields=["parents_expected"])
    return ChatFactory(
        school_class=class_5a,
        kind=ChatKind.CLASS_PARENTS,
        title="5А — родители",
        url=LINK,
        members_count=12,
    )


def deliver(update: dict) -> None:
    validate_update(update)
    inbox_store(update)
    with MaxClient.from_settings() as client:
        processed, failed = inbox_sweep(client=client)
    assert (processed, failed) == (1, 0)


@pytest.mark.django_db
def test_bot_added_binds_by_link_and_the_checklist_shows_max_numbers(
    client, max_on, school, parents_chat, teacher_5a
):
    chat_requirements_create_defaults(school=school)
    # The link MAX gives differs in scheme/host case and a trailing slash only.
    max_on.state.chats[CHAT_ID] = chat_body(
        CHAT_ID, link="HTTPS://Max.RU/join/Class5aParents/", participants_count=27
    )
    validate("Chat", max_on.state.chats[CHAT_ID])
    deliver(update_body("bot_added", chat_id=CHAT_ID))

    parents_chat.refresh_from_db()
    assert parents_chat.platform_chat_id == CHAT_ID
    assert parents_chat.members_count == 27
    assert parents_chat.members_source == "platform"
    assert parents_chat.verified_at is not None
    client.force_login(teacher_5a)
    page = client.get(reverse("chats:my_class_detail", args=[parents_chat.school_class_id]))
    assert page.status_code == 200
    text = page.content.decode()
    hhmm = timezone.localtime(parents_chat.verified_at).strftime("%H:%M")
    assert "27 из 30" in text
    assert f"— по данным МАХ, {hhmm}" in text
    # The chats API says the same.
    api = client.get(f"/api/v1/chats/{parents_chat.pk}/").json()
    assert api["platform_chat_id"] == CHAT_ID
    assert api["members_count"] == 27
    assert api["members_source"] == "platform"
    assert api["verified_at"] is not None


@pytest.mark.django_db
def test_a_typed_in_number_says_manual(client, school, parents_chat, teacher_5a, max_off):
    chat_requirements_create_defaults(school=school)
    client.force_login(teacher_5a)
    text = client.get(
        reverse("chats:my_class_detail", args=[parents_chat.school_class_id])
    ).content.decode()
    assert "12 из 30" in text and "— вручную" in text
    assert client.get(f"/api/v1/chats/{parents_chat.pk}/").json()["members_source"] == "manual"


@pytest.mark.django_db
def test_user_added_and_removed_change_the_numbers(max_on, parents_chat):
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link=LINK, participants_count=27)
    deliver(update_body("bot_added", chat_id=CHAT_ID, timestamp=1_000))
    max_on.state.chats[CHAT_ID]["participants_count"] = 28
    deliver(update_body("user_added", chat_id=CHAT_ID, user_id=42, timestamp=2_000))
    parents_chat.refresh_from_db()
    assert parents_chat.members_count == 28
    max_on.state.chats[CHAT_ID]["participants_count"] = 26
    deliver(update_body("user_removed", chat_id=CHAT_ID, user_id=43, timestamp=3_000))
    parents_chat.refresh_from_db()
    assert parents_chat.members_count == 26
    max_on.state.chats[CHAT_ID]["title"] = "5А — родители (новое)"
    deliver(update_body("chat_title_changed", chat_id=CHAT_ID, title="5А — родители (новое)"))
    assert PlatformChat.objects.get(chat_id=CHAT_ID).title == "5А — родители (новое)"


@pytest.mark.django_db
def test_a_typed_number_does_not_override_max(max_on, parents_chat):
    from chats.services import chat_update

    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link=LINK, participants_count=27)
    deliver(update_body("bot_added", chat_id=CHAT_ID))
    chat_update(chat=Chat.objects.get(pk=parents_chat.pk), by=None, members_count=99)
    parents_chat.refresh_from_db()
    assert (parents_chat.members_count, parents_chat.members_source) == (27, "platform")


@pytest.mark.django_db
def test_bot_removed_keeps_the_binding_unverified_and_opens_a_finding(max_on, parents_chat):
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link=LINK)
    deliver(update_body("bot_added", chat_id=CHAT_ID, timestamp=1_000))
    assert not Finding.objects.filter(check_key=CHAT_LOST_CHECK).exists()
    deliver(update_body("bot_removed", chat_id=CHAT_ID, timestamp=2_000))
    parents_chat.refresh_from_db()
    assert parents_chat.platform_chat_id == CHAT_ID
    assert parents_chat.verified_at is None
    finding = Finding.objects.get(check_key=CHAT_LOST_CHECK, resolved_at__isnull=True)
    assert finding.subject_key == f"chat:{parents_chat.pk}"
    assert finding.school_class_id == parents_chat.school_class_id
    # Added back: verified again and the finding resolved.
    deliver(update_body("bot_added", chat_id=CHAT_ID, timestamp=3_000))
    finding.refresh_from_db()
    assert finding.resolved_at is not None


@pytest.mark.django_db
def test_point4_may_count_only_verified_chats(max_on, school, class_5a, parents_chat):
    from compliance.registry import checks_evaluate

    chat_requirements_create_defaults(school=school)
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, url="https://max.ru/join/s")
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link=LINK)
    deliver(update_body("bot_added", chat_id=CHAT_ID))

    def figure():
        result = checks_evaluate(
            school_ids_by_check={"class_chats": [school.pk]}, today=datetime.date.today()
        )
        return result["class_chats"][school.pk]

    assert figure().done == 1  # both chats recorded
    school.verified_chats_only = True
    school.save(update_fields=["verified_chats_only"])
    assert figure().done == 0  # the students' chat is not confirmed in MAX


# --- «Неподключённые чаты» ---------------------------------------------------------------------


@pytest.fixture
def unbound(max_on, school, operator):
    MaxAccount.objects.create(person=operator.person, max_user_id=555, bound_at="2026-01-01T00:00Z")
    max_on.state.chats[CHAT_ID] = chat_body(
        CHAT_ID, title="Родители 6Б", link="https://max.ru/join/Other6b", participants_count=19
    )
    deliver(update_body("bot_added", chat_id=CHAT_ID, user_id=555))
    return PlatformChat.objects.get(chat_id=CHAT_ID)


@pytest.mark.django_db
def test_an_unmatched_chat_waits_in_the_list_and_the_operator_binds_it(
    client, unbound, school, operator, django_assert_max_num_queries
):
    class_6b = SchoolClassFactory(school=school, grade=6, letter="Б")
    assert unbound.school_id == school.pk  # the operator added the bot: their school's chat
    client.force_login(operator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("messenger:unbound_chats"))
    assert page.status_code == 200
    assert "Родители 6Б" in page.content.decode()
    response = client.post(
        reverse("messenger:unbound_chats"),
        {"platform_chat": unbound.pk, "school_class": class_6b.pk, "kind": "class_parents"},
    )
    assert response.status_code == 302
    chat = Chat.objects.get(school_class=class_6b, kind="class_parents")
    assert (chat.platform_chat_id, chat.members_count, chat.url) == (
        CHAT_ID,
        19,
        "https://max.ru/join/Other6b",
    )
    after = client.get(reverse("messenger:unbound_chats")).content.decode()
    assert "Чат МАХ «Родители 6Б» привязан." in after  # the message, once
    assert "Неподключённых чатов нет." in after


@pytest.mark.django_db
def test_binding_to_another_schools_class_is_refused(client, unbound, operator, other_school_class):
    client.force_login(operator)
    response = client.post(
        reverse("messenger:unbound_chats"),
        {
            "platform_chat": unbound.pk,
            "school_class": other_school_class.pk,
            "kind": "class_parents",
        },
    )
    assert response.status_code == 400
    assert not Chat.objects.filter(platform_chat_id=CHAT_ID).exists()


@pytest.mark.django_db
def test_another_schools_unbound_chat_is_404(client, unbound, other_director, other_school):
    from staff.roles import Role
    from tests.factories import make_user

    other_operator = make_user(school=other_school, username="op2", roles=[Role.OPERATOR])
    client.force_login(other_operator)
    assert "Родители 6Б" not in client.get(reverse("messenger:unbound_chats")).content.decode()
    response = client.post(
        reverse("messenger:unbound_chats"),
        {"platform_chat": unbound.pk, "school_class": 1, "kind": "class_parents"},
    )
    assert response.status_code == 404


ADDER = 700000777  # a MAX user the portal does not know yet


@pytest.fixture
def orphan(max_on):
    """A MAX chat the bot was added to by somebody with no bound MAX account, owned by another."""
    max_on.state.chats[CHAT_ID] = chat_body(
        CHAT_ID, title="Родители 6Б", link="https://max.ru/join/Other6b", owner_id=700000888
    )
    deliver(update_body("bot_added", chat_id=CHAT_ID, user_id=ADDER))
    return PlatformChat.objects.get(chat_id=CHAT_ID)


@pytest.mark.django_db
def test_a_chat_of_no_known_school_is_nobodys_to_see_or_bind(
    client, orphan, school, operator, other_school, class_5a
):
    from staff.roles import Role
    from tests.factories import make_user

    assert orphan.school_id is None and orphan.added_by_user_id == ADDER
    other_operator = make_user(school=other_school, username="op2", roles=[Role.OPERATOR])
    for user in (operator, other_operator):
        client.force_login(user)
        page = client.get(reverse("messenger:unbound_chats")).content.decode()
        assert "Родители 6Б" not in page and "Неподключённых чатов нет." in page
        assert "такой чат не виден ни одной школе" in page  # and why it may be missing
        # Its title is not shown, and it cannot be bound to the operator's class either.
        response = client.post(
            reverse("messenger:unbound_chats"),
            {"platform_chat": orphan.pk, "school_class": class_5a.pk, "kind": "class_parents"},
        )
        assert response.status_code == 404
    assert not Chat.objects.filter(platform_chat_id=CHAT_ID).exists()


def _bind_account(user, max_user_id: int) -> None:
    from messenger.bindings import person_max_link

    code = person_max_link(person=user.person).code
    deliver(update_body("bot_started", chat_id=5550001, user_id=max_user_id, payload=code))
    assert MaxAccount.objects.get(person=user.person).max_user_id == max_user_id


@pytest.mark.django_db
def test_the_chat_becomes_its_schools_when_the_adder_binds_their_account(
    client, orphan, school, operator, other_school
):
    from staff.roles import Role
    from tests.factories import make_user

    other_operator = make_user(school=other_school, username="op2", roles=[Role.OPERATOR])
    _bind_account(other_operator, ADDER)
    orphan.refresh_from_db()
    assert orphan.school_id == other_school.pk
    client.force_login(other_operator)
    assert "Родители 6Б" in client.get(reverse("messenger:unbound_chats")).content.decode()
    client.force_login(operator)
    assert "Родители 6Б" not in client.get(reverse("messenger:unbound_chats")).content.decode()


@pytest.mark.django_db
def test_the_chats_owner_gives_the_school_when_the_adder_is_unknown(max_on, school, operator):
    MaxAccount.objects.create(
        person=operator.person, max_user_id=700000888, bound_at=timezone.now()
    )
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, title="Родители 6Б", owner_id=700000888)
    deliver(update_body("bot_added", chat_id=CHAT_ID, user_id=ADDER))
    assert PlatformChat.objects.get(chat_id=CHAT_ID).school_id == school.pk
    # An owner who binds the account later adopts the chat as well; a known school never changes.
    other = chat_body(CHAT_ID - 1, title="Чужой", owner_id=700000999)
    max_on.state.chats[CHAT_ID - 1] = other
    deliver(update_body("bot_added", chat_id=CHAT_ID - 1, user_id=ADDER))
    assert PlatformChat.objects.get(chat_id=CHAT_ID - 1).school_id is None
    _bind_account(operator, 700000999)
    assert PlatformChat.objects.get(chat_id=CHAT_ID - 1).school_id == school.pk
    assert PlatformChat.objects.get(chat_id=CHAT_ID).school_id == school.pk


@pytest.mark.django_db
def test_the_list_is_the_operators(client, max_on, teacher_5a):
    client.force_login(teacher_5a)
    assert client.get(reverse("messenger:unbound_chats")).status_code == 403
    client.logout()
    response = client.get(reverse("messenger:unbound_chats"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_coverage_counts_members_against_the_class_lists(max_on, school, class_5a, parents_chat):
    from compliance.registry import checks_evaluate

    chat_requirements_create_defaults(school=school)
    class_5a.students_expected = 25
    class_5a.save(update_fields=["students_expected"])
    ChatFactory(
        school_class=class_5a,
        kind=ChatKind.CLASS_STUDENTS,
        url="https://max.ru/s",
        members_count=40,
    )
    max_on.state.chats[CHAT_ID] = chat_body(CHAT_ID, link=LINK, participants_count=27)
    deliver(update_body("bot_added", chat_id=CHAT_ID))

    figure = checks_evaluate(
        school_ids_by_check={"class_chat_coverage": [school.pk]}, today=datetime.date.today()
    )["class_chat_coverage"][school.pk]
    # Students: 40 in the chat of 25 expected → 25 (no credit beyond the list); parents: 27 of 30.
    assert (figure.done, figure.total) == (25 + 27, 25 + 30)


@pytest.mark.django_db
def test_the_operator_sets_point4_to_verified_only(client, max_on, school, operator, teacher_5a):
    client.force_login(teacher_5a)
    url = reverse("messenger:point4_setting")
    assert client.post(url, {"verified_chats_only": "on"}).status_code == 403
    school.refresh_from_db()
    assert school.verified_chats_only is False
    client.force_login(operator)
    assert client.post(url, {"verified_chats_only": "on"}).status_code == 302
    school.refresh_from_db()
    assert school.verified_chats_only is True
    page = client.get(reverse("messenger:unbound_chats")).content.decode()
    assert 'name="verified_chats_only" checked' in page
    client.post(url, {})
    school.refresh_from_db()
    assert school.verified_chats_only is False

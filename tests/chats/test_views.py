"""«Мой класс», the school at a glance, chat edit and archive: scope, rights, inline add,
bad input."""

import pytest
from django.urls import reverse

from chats.flagging import chats_flag_missing
from chats.models import Chat, ChatKind
from compliance.models import Finding
from roster.services import class_teacher_assign
from tests.factories import ChatFactory, InvitationFactory, JoinRequestFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


def checklist_url(school_class):
    return reverse("chats:my_class_detail", args=[school_class.pk])


def add_url(school_class, kind="class_parents"):
    return reverse("chats:class_chat_add", args=[school_class.pk, kind])


def logged_in(client, user):
    client.force_login(user)
    return client


def form_data(kind="class_parents", **overrides):
    data = {
        f"{kind}-kind": kind,
        f"{kind}-title": "5А — родители",
        f"{kind}-url": "https://web.max.ru/p5a",
        f"{kind}-members_count": "33",
    }
    data.update({f"{kind}-{key}": value for key, value in overrides.items()})
    return data


# --- Entry point and switcher ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, class_5a):
    response = client.get(checklist_url(class_5a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_class_opens_the_teachers_class(client, teacher_5a, class_5a):
    response = logged_in(client, teacher_5a).get(reverse("chats:my_class"))
    assert response.status_code == 302 and response["Location"] == checklist_url(class_5a)


def test_teacher_of_two_classes_switches(client, teacher_5a, class_5a, school):
    class_7v = SchoolClassFactory(school=school, grade=7, letter="В")
    class_teacher_assign(school_class=class_7v, person=teacher_5a.person)
    page = logged_in(client, teacher_5a).get(checklist_url(class_5a)).content.decode()
    assert checklist_url(class_7v) in page and checklist_url(class_5a) in page
    assert client.get(checklist_url(class_7v)).status_code == 200
    switched = client.get(reverse("chats:my_class"), {"class": class_7v.pk})
    assert switched["Location"] == checklist_url(class_7v)


def test_operator_without_a_class_goes_to_the_school(client, operator):
    response = logged_in(client, operator).get(reverse("chats:my_class"))
    assert response["Location"] == reverse("chats:school_matrix")


def test_staff_without_a_class_gets_an_explanation(client, staff_member):
    response = logged_in(client, staff_member).get(reverse("chats:my_class"))
    assert response.status_code == 200
    assert "не назначены классным руководителем" in response.content.decode()


# --- The checklist --------------------------------------------------------------------------------


def test_checklist_shows_what_is_there_and_what_is_missing(
    client, teacher_5a, class_5a, requirements, students_chat_5a
):
    InvitationFactory(school_class=class_5a)
    JoinRequestFactory(
        invitation=InvitationFactory(school_class=class_5a), full_name="Петрова Анна"
    )
    chats_flag_missing()
    page = logged_in(client, teacher_5a).get(checklist_url(class_5a)).content.decode()
    assert 'data-kind="class_students" data-state="ok"' in page
    assert 'data-kind="class_parents" data-state="missing"' in page
    assert "20 из 25" in page  # members of the students chat against the class list
    assert "Петрова Анна" in page
    assert "Нет обязательного чата (п. 4): чат с родителями класса" in page
    assert f'action="{add_url(class_5a)}"' in page


@pytest.mark.parametrize("who", ["teacher_5b", "other_director", "staff_member", "chat_owner"])
def test_checklist_of_a_class_outside_scope_is_404(client, request, class_5a, who):
    user = request.getfixturevalue(who)
    assert logged_in(client, user).get(checklist_url(class_5a)).status_code == 404


@pytest.mark.parametrize("who", ["operator", "coordinator"])
def test_operator_and_coordinator_open_and_fix_any_class(
    client, request, class_5a, requirements, who
):
    user = request.getfixturevalue(who)
    page = logged_in(client, user).get(checklist_url(class_5a)).content.decode()
    assert f'action="{add_url(class_5a)}"' in page


def test_director_reads_the_checklist_without_actions(client, director, class_5a, requirements):
    response = logged_in(client, director).get(checklist_url(class_5a))
    assert response.status_code == 200
    assert add_url(class_5a) not in response.content.decode()
    assert client.post(add_url(class_5a), form_data()).status_code == 403
    assert not Chat.objects.exists()


# --- Adding a chat in place -----------------------------------------------------------------------


def test_inline_add_with_htmx_returns_the_updated_section(
    client, teacher_5a, class_5a, requirements
):
    response = logged_in(client, teacher_5a).post(
        add_url(class_5a), form_data(), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#required-chats"
    body = response.content.decode()
    assert 'id="required-chats"' in body and 'data-kind="class_parents" data-state="ok"' in body
    chat = Chat.objects.get()
    assert (chat.school_class, chat.kind, chat.members_count, chat.created_by) == (
        class_5a,
        "class_parents",
        33,
        teacher_5a,
    )


def test_add_without_javascript_redirects_back(client, teacher_5a, class_5a, requirements):
    response = logged_in(client, teacher_5a).post(add_url(class_5a), form_data())
    assert response.status_code == 302 and response["Location"] == checklist_url(class_5a)
    assert Chat.objects.filter(school_class=class_5a, kind="class_parents").exists()


def test_the_add_page_works_on_its_own(client, teacher_5a, class_5a):
    response = logged_in(client, teacher_5a).get(add_url(class_5a))
    assert response.status_code == 200
    assert "5А класс — родители" in response.content.decode()  # the title is suggested


BAD_FORMS = {
    "http link": {"url": "http://sferum.example/x"},
    "not a link": {"url": "родительский чат"},
    "no title": {"title": ""},
    "negative members": {"members_count": "-1"},
    "members as text": {"members_count": "много"},
    # A NUL in the title never reaches the form: 400 before it (tests/test_malformed_input.py).
}


@pytest.mark.parametrize("case", BAD_FORMS)
def test_bad_form_is_400_keeps_input_and_writes_nothing(client, teacher_5a, class_5a, case):
    data = form_data(**BAD_FORMS[case])
    response = logged_in(client, teacher_5a).post(add_url(class_5a), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert "https://web.max.ru/p5a" in response.content.decode() or case in (
        "http link",
        "not a link",
    )
    assert not Chat.objects.exists()


def test_bad_form_with_htmx_comes_back_into_its_card(client, teacher_5a, class_5a):
    response = logged_in(client, teacher_5a).post(
        add_url(class_5a), form_data(url="http://x.example"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Retarget" not in response
    assert body.lstrip().startswith("<form") and "https://" in body
    assert not Chat.objects.exists()


def test_a_second_parents_chat_is_refused_with_a_message(client, teacher_5a, class_5a):
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS, title="Уже есть")
    response = logged_in(client, teacher_5a).post(add_url(class_5a), form_data())
    assert response.status_code == 400
    assert "Уже есть" in response.content.decode()
    assert Chat.objects.count() == 1


def test_adding_to_another_class_is_404(client, teacher_5a, class_5b):
    assert logged_in(client, teacher_5a).post(add_url(class_5b), form_data()).status_code == 404
    assert not Chat.objects.exists()


def test_unknown_kind_is_404(client, teacher_5a, class_5a):
    assert (
        logged_in(client, teacher_5a).post(add_url(class_5a, "school_general"), {}).status_code
        == 404
    )


# --- Edit and archive -----------------------------------------------------------------------------


def test_teacher_edits_own_chat(client, teacher_5a, students_chat_5a):
    url = reverse("chats:chat_edit", args=[students_chat_5a.pk])
    data = {"title": "5А ученики", "url": "https://web.max.ru/new", "members_count": "25"}
    response = logged_in(client, teacher_5a).post(url, data)
    assert response.status_code == 302
    students_chat_5a.refresh_from_db()
    assert (students_chat_5a.title, students_chat_5a.members_count) == ("5А ученики", 25)


def test_edit_with_bad_link_is_400_and_changes_nothing(client, teacher_5a, students_chat_5a):
    url = reverse("chats:chat_edit", args=[students_chat_5a.pk])
    response = logged_in(client, teacher_5a).post(
        url, {"title": "x", "url": "http://x.example", "members_count": ""}
    )
    assert response.status_code == 400
    students_chat_5a.refresh_from_db()
    assert students_chat_5a.title == "5А — ученики"


def test_teacher_cannot_edit_another_class_chat(client, teacher_5b, students_chat_5a):
    url = reverse("chats:chat_edit", args=[students_chat_5a.pk])
    assert logged_in(client, teacher_5b).get(url).status_code == 404


def test_chat_owner_edits_own_chat_only(client, chat_owner, general_chat, staff_chat):
    logged_in(client, chat_owner)
    own = reverse("chats:chat_edit", args=[general_chat.pk])
    assert client.get(own).status_code == 200
    response = client.post(
        own, {"title": "Общий", "url": "https://web.max.ru/g2", "members_count": "90"}
    )
    assert response.status_code == 302
    other = reverse("chats:chat_edit", args=[staff_chat.pk])
    assert client.get(other).status_code == 403
    assert client.post(other, {"title": "чужой", "url": "https://web.max.ru/x"}).status_code == 403
    staff_chat.refresh_from_db()
    assert staff_chat.title == "Педагоги"


def test_archive_asks_first_then_archives(client, teacher_5a, students_chat_5a):
    url = reverse("chats:chat_archive", args=[students_chat_5a.pk])
    logged_in(client, teacher_5a)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Да, в архив" in confirm.content.decode()
    students_chat_5a.refresh_from_db()
    assert students_chat_5a.status == "active"
    assert client.post(url).status_code == 302
    students_chat_5a.refresh_from_db()
    assert students_chat_5a.status == "archived"


# --- School at a glance ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator", "coordinator", "director"])
def test_matrix_for_school_wide_roles(
    client, request, class_5a, class_5b, other_school_class, requirements, students_chat_5a, who
):
    user = request.getfixturevalue(who)
    response = logged_in(client, user).get(reverse("chats:school_matrix"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-class="{class_5a.pk}"' in page and f'data-class="{class_5b.pk}"' in page
    assert f'data-class="{other_school_class.pk}"' not in page
    assert "20 из 25" in page
    assert "Все обязательные чаты: 0 из 2 классов" in page


@pytest.mark.parametrize("who", ["teacher_5a", "staff_member", "chat_owner"])
def test_matrix_is_403_for_others(client, request, who):
    user = request.getfixturevalue(who)
    assert logged_in(client, user).get(reverse("chats:school_matrix")).status_code == 403


def test_inspector_opens_any_schools_matrix(client, inspector, other_school_class):
    url = reverse("chats:school_matrix")
    response = logged_in(client, inspector).get(url, {"school": other_school_class.school_id})
    assert (
        response.status_code == 200
        and f'data-class="{other_school_class.pk}"' in response.content.decode()
    )
    assert client.get(url, {"school": 999999}).status_code == 404


def test_matrix_filters_by_grade(client, operator, class_5a, school):
    nine = SchoolClassFactory(school=school, grade=9, letter="А")
    page = (
        logged_in(client, operator)
        .get(reverse("chats:school_matrix"), {"grade": 9})
        .content.decode()
    )
    assert f'data-class="{nine.pk}"' in page and f'data-class="{class_5a.pk}"' not in page


def test_matrix_shows_the_school_chats_with_owners(
    client, operator, requirements, chat_owner, general_chat, school
):
    requirements.get(kind="school_general").owners.add(chat_owner.person)
    page = logged_in(client, operator).get(reverse("chats:school_matrix")).content.decode()
    assert "Рыженкова О.А." in page
    assert "Созданы и с ответственным: 1 из 5" in page
    assert reverse("chats:chat_edit", args=[general_chat.pk]) in page
    assert f"{reverse('chats:school_chat_add')}?kind=school_leadership" in page


def test_chat_owner_gets_no_matrix_but_edits_own_chat(client, chat_owner, general_chat):
    logged_in(client, chat_owner)
    assert client.get(reverse("chats:chat_edit", args=[general_chat.pk])).status_code == 200


def test_operator_adds_a_school_chat(client, operator, requirements, school):
    url = reverse("chats:school_chat_add")
    data = {
        "kind": "school_student_council",
        "title": "Совет учащихся",
        "url": "https://web.max.ru/sc",
    }
    response = logged_in(client, operator).post(url, data)
    assert response.status_code == 302
    assert Chat.objects.filter(school=school, kind="school_student_council").exists()
    assert client.post(url, data).status_code == 400  # a second active one
    assert Chat.objects.filter(kind="school_student_council").count() == 1


@pytest.mark.parametrize("who", ["teacher_5a", "director", "chat_owner"])
def test_only_operator_and_coordinator_add_school_chats(client, request, who):
    user = request.getfixturevalue(who)
    data = {"kind": "school_staff", "title": "x", "url": "https://web.max.ru/x"}
    assert logged_in(client, user).post(reverse("chats:school_chat_add"), data).status_code == 403
    assert not Chat.objects.filter(kind="school_staff").exists()


# --- Escaping -------------------------------------------------------------------------------------

XSS = '<script>alert("x")</script>'


def test_titles_with_script_are_escaped_on_every_page(
    client, operator, teacher_5a, class_5a, requirements, school
):
    chat = ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, title=XSS)
    school_chat = Chat.objects.create(
        school=school, kind="school_general", title=XSS, url="https://web.max.ru/g"
    )
    other = ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_OTHER, title=XSS)
    from chats.models import Meeting

    Meeting.objects.create(school=school, held_on=class_5a.created_at.date(), topic=XSS, chat=chat)
    Finding.objects.create(
        school=school,
        check_key="class_chat_missing",
        subject_key="x",
        school_class=class_5a,
        message=XSS,
        opened_at=class_5a.created_at,
    )
    pages = [
        (teacher_5a, checklist_url(class_5a)),
        (operator, reverse("chats:school_matrix")),
        (operator, reverse("chats:chat_edit", args=[chat.pk])),
        (operator, reverse("chats:chat_edit", args=[school_chat.pk])),
        (operator, reverse("chats:chat_archive", args=[other.pk])),
        (operator, reverse("chats:meetings") + f"?month={class_5a.created_at:%Y-%m}"),
        (operator, reverse("chats:meeting_add")),
    ]
    for user, url in pages:
        body = logged_in(client, user).get(url).content.decode()
        assert XSS not in body, url
        assert "&lt;script&gt;" in body, url


def test_the_navigation_badge_on_the_checklist_counts_all_the_teachers_classes(
    client, teacher_5a, class_5a, school
):
    from invitations.selectors import join_request_pending_count

    class_7v = SchoolClassFactory(school=school, grade=7, letter="В")
    class_teacher_assign(school_class=class_7v, person=teacher_5a.person)
    for school_class, count in ((class_5a, 2), (class_7v, 3)):
        for _ in range(count):
            JoinRequestFactory(invitation=InvitationFactory(school_class=school_class))
    response = logged_in(client, teacher_5a).get(checklist_url(class_5a))
    assert (
        response.context["nav_pending_join_requests"]
        == join_request_pending_count(user=teacher_5a)
        == 5
    )

"""Staff screens: list, create, detail with history, QR and print, annul, bulk annul, reissue,
queue."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from invitations.models import Invitation, JoinRequest, Role
from invitations.services import invitation_annul, invitation_use, join_request_review
from tests.factories import InvitationFactory, JoinRequestFactory

from .conftest import PLATFORM_URL, expired

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
LIST = reverse("invitations:list")
QUEUE = reverse("invitations:join_requests")


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


# --- Access to the screens ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, link_5a):
    for path in (
        LIST,
        QUEUE,
        reverse("invitations:create"),
        reverse("invitations:detail", args=[link_5a.pk]),
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["inspector", "staff_member", "web_editor"])
def test_users_without_access_get_403(request, login, link_5a, who):
    client = login(request.getfixturevalue(who))
    for path in (
        LIST,
        QUEUE,
        reverse("invitations:create"),
        reverse("invitations:detail", args=[link_5a.pk]),
        reverse("invitations:qr", args=[link_5a.pk]),
    ):
        assert client.get(path).status_code in (403, 404), path
    assert client.get(LIST).status_code == 403
    assert client.post(
        reverse("invitations:annul", args=[link_5a.pk]), {"reason": "x"}
    ).status_code in (403, 404)
    link_5a.refresh_from_db()
    assert link_5a.status == Invitation.Status.ACTIVE


def test_director_sees_but_has_no_actions(login, director, link_5a):
    client = login(director)
    page = client.get(LIST).content.decode()
    assert reverse("invitations:detail", args=[link_5a.pk]) in page
    assert reverse("invitations:create") not in page
    detail = client.get(reverse("invitations:detail", args=[link_5a.pk])).content.decode()
    assert reverse("invitations:annul", args=[link_5a.pk]) not in detail
    assert client.get(reverse("invitations:create")).status_code == 403
    assert (
        client.post(reverse("invitations:annul", args=[link_5a.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert client.post(reverse("invitations:reissue", args=[link_5a.pk])).status_code == 403
    assert client.post(reverse("invitations:annul_bulk"), {"reason": "x"}).status_code == 403
    link_5a.refresh_from_db()
    assert link_5a.status == Invitation.Status.ACTIVE


def test_other_schools_link_is_404(login, operator, other_school_link):
    client = login(operator)
    for name in ("detail", "qr", "print", "annul", "reissue"):
        assert (
            client.get(reverse(f"invitations:{name}", args=[other_school_link.pk])).status_code
            == 404
        )


# --- List -----------------------------------------------------------------------------------------


def test_list_filters_by_status_role_and_class(
    login, operator, link_5a, link_5b, teacher_link, class_5b
):
    client = login(operator)
    invitation_annul(invitation=link_5b, by=operator)

    def ids(query):
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        return {row.pk for row in response.context["page"].object_list}

    assert ids("") == {link_5a.pk, link_5b.pk, teacher_link.pk}
    assert ids("status=active") == {link_5a.pk, teacher_link.pk}
    assert ids("role=teacher") == {teacher_link.pk}
    assert ids(f"school_class={class_5b.pk}") == {link_5b.pk}
    assert ids("status=annulled&role=student") == {link_5b.pk}


def test_list_paginates(login, operator, class_5a):
    InvitationFactory.create_batch(30, school_class=class_5a, created_by=operator)
    client = login(operator)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assert "page=2" in first.content.decode()
    second = client.get(f"{LIST}?page=2")
    assert len(second.context["page"].object_list) == 5


def test_list_shows_an_empty_state(login, operator):
    assert (
        "Пока не выдано ни одной ссылки-приглашения" in login(operator).get(LIST).content.decode()
    )


def test_list_query_count_is_the_same_for_5_and_50_links(
    login, operator, class_5a, django_assert_max_num_queries
):
    client = login(operator)
    InvitationFactory.create_batch(5, school_class=class_5a, created_by=operator)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(12) as five:
        assert client.get(LIST).status_code == 200
    InvitationFactory.create_batch(45, school_class=class_5a, created_by=operator)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get(f"{LIST}?page=2").status_code == 200


def test_class_teacher_lists_only_own_class(
    login, teacher_5a, link_5a, link_5b, teacher_link, class_5b
):
    client = login(teacher_5a)
    response = client.get(LIST)
    assert [row.pk for row in response.context["page"].object_list] == [link_5a.pk]
    # The class filter offers only their classes.
    assert list(response.context["filter_form"].fields["school_class"].queryset) == [
        link_5a.school_class
    ]
    assert client.get(reverse("invitations:detail", args=[link_5b.pk])).status_code == 404
    assert client.get(reverse("invitations:detail", args=[teacher_link.pk])).status_code == 404


# --- Create ---------------------------------------------------------------------------------------


def test_operator_creates_a_link(login, operator, class_5a):
    client = login(operator)
    assert client.get(reverse("invitations:create")).status_code == 200
    response = client.post(
        reverse("invitations:create"),
        {
            "role": "parent",
            "school_class": class_5a.pk,
            "max_uses": 35,
            "term_days": 7,
            "platform_url": PLATFORM_URL,
        },
    )
    invitation = Invitation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "invitations:detail", args=[invitation.pk]
    )
    assert (
        invitation.role,
        invitation.school_class,
        invitation.max_uses,
        invitation.created_by,
    ) == (Role.PARENT, class_5a, 35, operator)
    assert abs(
        invitation.expires_at - timezone.now() - datetime.timedelta(days=7)
    ) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"role": "student", "school_class": ""}, "school_class"),
        ({"role": "teacher", "school_class": "{class_5a}"}, "school_class"),
        ({"role": "parent", "platform_url": "http://sferum.ru/join"}, "platform_url"),
        ({"role": "parent", "max_uses": 0}, "max_uses"),
        ({"role": "parent", "max_uses": "abc"}, "max_uses"),
        ({"role": "parent", "term_days": 0}, "term_days"),
        ({"role": "boss"}, "role"),
        ({"role": "parent", "school_class": "{other_class}"}, "school_class"),
    ],
)
def test_create_form_errors_keep_input_and_write_nothing(
    login, operator, class_5a, other_school_class, data, field
):
    ids = {"{class_5a}": class_5a.pk, "{other_class}": other_school_class.pk}
    form = {
        "role": "parent",
        "school_class": class_5a.pk,
        "max_uses": 3,
        "term_days": 14,
        "platform_url": "https://sferum.ru/kept-input",
    }
    form.update({key: ids.get(value, value) for key, value in data.items()})
    response = login(operator).post(reverse("invitations:create"), form)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    page = response.content.decode()
    assert "Исправьте ошибки" in page
    if "platform_url" not in data:
        assert "https://sferum.ru/kept-input" in page
    assert not Invitation.objects.exists()


def test_class_teacher_form_offers_only_own_classes_and_class_roles(
    login, teacher_5a, class_5a, class_5b
):
    client = login(teacher_5a)
    form = client.get(reverse("invitations:create")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == ["student", "parent"]
    assert list(form.fields["school_class"].queryset) == [class_5a]
    for data in (
        {"role": "parent", "school_class": class_5b.pk},
        {"role": "teacher", "school_class": ""},
        {"role": "staff", "school_class": class_5a.pk},
    ):
        response = client.post(
            reverse("invitations:create"),
            {"max_uses": 1, "term_days": 14, "platform_url": PLATFORM_URL, **data},
        )
        assert response.status_code == 400, data
    assert not Invitation.objects.exists()
    response = client.post(
        reverse("invitations:create"),
        {
            "role": "student",
            "school_class": class_5a.pk,
            "max_uses": 30,
            "term_days": 14,
            "platform_url": PLATFORM_URL,
        },
    )
    assert response.status_code == 302
    assert Invitation.objects.get().created_by == teacher_5a


# --- Detail, history, QR, print -------------------------------------------------------------------


def test_detail_shows_who_used_it_and_the_history(login, operator, coordinator, meeting_link_5a):
    first = invitation_use(
        invitation_id=meeting_link_5a.pk, full_name="Иванова Ольга", child_name="Иванов Петя"
    )
    second = invitation_use(invitation_id=meeting_link_5a.pk, full_name=XSS, child_name=XSS)
    join_request_review(join_request=first, by=coordinator, approve=True)
    join_request_review(
        join_request=second, by=operator, approve=False, reason="Не из этого класса"
    )
    invitation_annul(invitation=meeting_link_5a, by=operator, reason="Собрание закончилось")
    response = login(operator).get(reverse("invitations:detail", args=[meeting_link_5a.pk]))
    page = response.content.decode()
    assert "Иванова Ольга" in page and "Иванов Петя" in page
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    kinds = [event.kind for event in response.context["history"]]
    assert kinds[0] == "created"
    assert (
        kinds.count("used") == 2
        and "approved" in kinds
        and "rejected" in kinds
        and kinds[-1] == "annulled"
    )
    assert "Собрание закончилось" in page and "Не из этого класса" in page
    assert "Сотрудник coordinator" in page  # who approved
    assert "2 из 40" in page
    assert f"{settings.PORTAL_BASE_URL}/invite/{meeting_link_5a.token}/" in page


def test_detail_query_count_is_fixed(
    login, operator, meeting_link_5a, django_assert_max_num_queries
):
    client = login(operator)
    for n in range(3):
        invitation_use(
            invitation_id=meeting_link_5a.pk, full_name=f"Родитель {n}", child_name="Ребёнок"
        )
    client.get(reverse("invitations:detail", args=[meeting_link_5a.pk]))
    path = reverse("invitations:detail", args=[meeting_link_5a.pk])
    with django_assert_max_num_queries(12) as few:
        client.get(path)
    for n in range(20):
        request_ = invitation_use(
            invitation_id=meeting_link_5a.pk, full_name=f"Ещё {n}", child_name="Ребёнок"
        )
        join_request_review(join_request=request_, by=operator, approve=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(path)


def test_qr_is_an_svg_of_the_public_link(login, operator, link_5a):
    response = login(operator).get(reverse("invitations:qr", args=[link_5a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "<svg" in svg and 'xmlns="http://www.w3.org/2000/svg"' in svg


def test_print_page_has_school_class_role_qr_link_and_instructions(
    login, operator, link_5a, school
):
    response = login(operator).get(reverse("invitations:print", args=[link_5a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert school.name.replace("«", "&laquo;") in page or school.name in page
    assert "5А класс" in page and "родитель (законный представитель)" in page
    assert reverse("invitations:qr", args=[link_5a.pk]) in page
    assert f"{settings.PORTAL_BASE_URL}/invite/{link_5a.token}/" in page
    assert len(response.context["invitation"].token) > 20
    assert page.count("<li>") >= 3 and "согласие на обработку персональных данных" in page


def test_detail_and_print_warn_about_a_link_past_its_term_before_the_job_ran(
    login, operator, link_5a
):
    """They answer as the public page does (410), not by the status the job has yet to move."""
    client = login(operator)
    detail = reverse("invitations:detail", args=[link_5a.pk])
    sheet = reverse("invitations:print", args=[link_5a.pk])
    assert "Ссылка больше не действует" not in client.get(detail).content.decode()
    assert "не раздавайте её" not in client.get(sheet).content.decode()
    expired(link_5a)
    assert link_5a.status == Invitation.Status.ACTIVE
    page = client.get(detail).content.decode()
    assert "Ссылка больше не действует" in page
    assert reverse("invitations:annul", args=[link_5a.pk]) in page  # still active: may be annulled
    assert (
        "Ссылка не действует (истёк срок): не раздавайте её." in client.get(sheet).content.decode()
    )


# --- Annul, reissue, bulk annul -------------------------------------------------------------------


def test_annul_asks_for_confirmation_and_a_reason(login, operator, link_5a):
    client = login(operator)
    path = reverse("invitations:annul", args=[link_5a.pk])
    assert "Аннулировать ссылку" in client.get(path).content.decode()
    assert client.post(path, {"reason": ""}).status_code == 400
    link_5a.refresh_from_db()
    assert link_5a.status == Invitation.Status.ACTIVE
    response = client.post(path, {"reason": "Ссылка попала в общий чат"})
    assert response.status_code == 302
    link_5a.refresh_from_db()
    assert (link_5a.status, link_5a.annulled_by, link_5a.annul_reason) == (
        Invitation.Status.ANNULLED,
        operator,
        "Ссылка попала в общий чат",
    )
    # A second annulment changes nothing.
    client.post(path, {"reason": "ещё раз"})
    link_5a.refresh_from_db()
    assert link_5a.annul_reason == "Ссылка попала в общий чат"


def test_staff_post_without_csrf_is_refused(operator, link_5a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post(reverse("invitations:annul", args=[link_5a.pk]), {"reason": "x"})
    assert response.status_code == 403
    link_5a.refresh_from_db()
    assert link_5a.status == Invitation.Status.ACTIVE


def test_reissue_makes_a_new_link_and_annuls_the_old(login, operator, meeting_link_5a):
    client = login(operator)
    path = reverse("invitations:reissue", args=[meeting_link_5a.pk])
    assert client.get(path).status_code == 200
    response = client.post(path)
    new = Invitation.objects.exclude(pk=meeting_link_5a.pk).get()
    assert response["Location"] == reverse("invitations:detail", args=[new.pk])
    meeting_link_5a.refresh_from_db()
    assert (
        meeting_link_5a.status == Invitation.Status.ANNULLED and meeting_link_5a.replaced_by == new
    )
    assert (new.school_class, new.role, new.max_uses, new.platform_url, new.status) == (
        meeting_link_5a.school_class,
        meeting_link_5a.role,
        40,
        meeting_link_5a.platform_url,
        "active",
    )
    assert new.token != meeting_link_5a.token
    old_page = client.get(reverse("invitations:detail", args=[meeting_link_5a.pk]))
    assert "replaced" in [event.kind for event in old_page.context["history"]]
    new_page = client.get(reverse("invitations:detail", args=[new.pk]))
    assert "reissued_from" in [event.kind for event in new_page.context["history"]]
    # Reissuing twice does not make a third link.
    client.post(path)
    assert Invitation.objects.count() == 2


def test_reissue_of_an_expired_link_keeps_it_expired(login, operator, link_5a):
    Invitation.objects.filter(pk=link_5a.pk).update(status="expired", annulled_at=timezone.now())
    login(operator).post(reverse("invitations:reissue", args=[link_5a.pk]))
    link_5a.refresh_from_db()
    assert link_5a.status == "expired" and link_5a.replaced_by is not None


def test_bulk_annul_of_the_filtered_selection(
    login, operator, class_5a, class_5b, other_school_link
):
    parents_5a = InvitationFactory.create_batch(3, school_class=class_5a, role=Role.PARENT)
    students_5a = InvitationFactory(school_class=class_5a, role=Role.STUDENT)
    parents_5b = InvitationFactory(school_class=class_5b, role=Role.PARENT)
    client = login(operator)
    query = f"?role=parent&school_class={class_5a.pk}"
    confirm = client.get(reverse("invitations:annul_bulk") + query)
    assert confirm.status_code == 200 and confirm.context["count"] == 3
    as_of = confirm.context["as_of"]
    late = InvitationFactory(
        school_class=class_5a, role=Role.PARENT
    )  # issued after the confirmation
    assert (
        client.post(
            reverse("invitations:annul_bulk"),
            {"role": "parent", "school_class": class_5a.pk, "as_of": as_of, "reason": ""},
        ).status_code
        == 400
    )
    response = client.post(
        reverse("invitations:annul_bulk"),
        {
            "role": "parent",
            "school_class": class_5a.pk,
            "as_of": as_of,
            "reason": "Родительское собрание прошло",
        },
    )
    assert response.status_code == 302
    assert set(Invitation.objects.filter(status="annulled")) == set(parents_5a)
    assert (
        Invitation.objects.filter(
            status="annulled", annul_reason="Родительское собрание прошло", annulled_by=operator
        ).count()
        == 3
    )
    for untouched in (students_5a, parents_5b, late, other_school_link):
        untouched.refresh_from_db()
        assert untouched.status == "active"


def test_class_teacher_bulk_annul_stays_in_own_classes(login, teacher_5a, link_5a, link_5b):
    response = login(teacher_5a).post(
        reverse("invitations:annul_bulk"), {"reason": "Все ссылки класса"}
    )
    assert response.status_code == 302
    link_5a.refresh_from_db()
    link_5b.refresh_from_db()
    assert (link_5a.status, link_5b.status) == ("annulled", "active")


# --- Join requests queue --------------------------------------------------------------------------


def test_queue_shows_pending_with_the_link_and_escapes_names(login, operator, meeting_link_5a):
    JoinRequestFactory(invitation=meeting_link_5a, full_name=XSS, child_name=XSS)
    JoinRequestFactory(
        invitation=meeting_link_5a,
        status="approved",
        reviewed_at=timezone.now(),
        full_name="Уже принят",
    )
    response = login(operator).get(QUEUE)
    page = response.content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    assert "Уже принят" not in page
    assert reverse("invitations:detail", args=[meeting_link_5a.pk]) in page
    assert "Уже принят" in login(operator).get(QUEUE + "?status=").content.decode()


def test_approve_reject_and_bulk_approve(login, operator, meeting_link_5a):
    one, two, three, four = JoinRequestFactory.create_batch(4, invitation=meeting_link_5a)
    client = login(operator)
    assert (
        client.post(reverse("invitations:join_request_approve", args=[one.pk])).status_code == 302
    )
    path = reverse("invitations:join_request_reject", args=[two.pk])
    assert client.get(path).status_code == 200
    assert client.post(path, {"reason": ""}).status_code == 400
    client.post(path, {"reason": "Такого ученика нет в классе"})
    client.post(
        reverse("invitations:join_requests_approve"), {"ids": [three.pk, four.pk, one.pk, two.pk]}
    )
    statuses = dict(JoinRequest.objects.values_list("pk", "status"))
    assert statuses == {
        one.pk: "approved",
        two.pk: "rejected",
        three.pk: "approved",
        four.pk: "approved",
    }
    two.refresh_from_db()
    assert two.reason == "Такого ученика нет в классе" and two.reviewed_by == operator


def test_class_teacher_queue_and_review_only_own_class(
    login, teacher_5a, link_5a, link_5b, teacher_link
):
    own = JoinRequestFactory(invitation=link_5a)
    foreign = JoinRequestFactory(invitation=link_5b, child_name="")
    school_wide = JoinRequestFactory(invitation=teacher_link, child_name="")
    client = login(teacher_5a)
    assert [row.pk for row in client.get(QUEUE).context["page"].object_list] == [own.pk]
    assert (
        client.post(reverse("invitations:join_request_approve", args=[foreign.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("invitations:join_request_reject", args=[school_wide.pk])).status_code
        == 404
    )
    client.post(
        reverse("invitations:join_requests_approve"), {"ids": [own.pk, foreign.pk, school_wide.pk]}
    )
    assert dict(JoinRequest.objects.values_list("pk", "status")) == {
        own.pk: "approved",
        foreign.pk: "pending",
        school_wide.pk: "pending",
    }


def test_director_cannot_review(login, director, link_5a):
    request_ = JoinRequestFactory(invitation=link_5a)
    client = login(director)
    assert client.get(QUEUE).status_code == 200
    assert (
        client.post(reverse("invitations:join_request_approve", args=[request_.pk])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("invitations:join_requests_approve"), {"ids": [request_.pk]}
        ).status_code
        == 403
    )
    request_.refresh_from_db()
    assert request_.status == "pending"


def test_queue_query_count_is_the_same_for_5_and_50(
    login, operator, meeting_link_5a, django_assert_max_num_queries
):
    client = login(operator)
    JoinRequestFactory.create_batch(5, invitation=meeting_link_5a)
    client.get(QUEUE)
    with django_assert_max_num_queries(12) as five:
        client.get(QUEUE)
    JoinRequestFactory.create_batch(45, invitation=meeting_link_5a)
    with django_assert_max_num_queries(len(five.captured_queries)):
        client.get(QUEUE)


# --- The count in the navigation ------------------------------------------------------------------


def test_navigation_counts_pending_requests_for_reviewers_only(
    login,
    operator,
    teacher_5a,
    director,
    staff_member,
    link_5a,
    link_5b,
    django_assert_max_num_queries,
):
    from django.test import RequestFactory

    from gymnasium_portal.context_processors import portal

    JoinRequestFactory.create_batch(2, invitation=link_5a)
    JoinRequestFactory(invitation=link_5b, child_name="")
    JoinRequestFactory(invitation=link_5a, status="approved", reviewed_at=timezone.now())

    def count(user):
        request = RequestFactory().get("/")
        request.user = user
        context = portal(request)
        user.has_perm("invitations.view_invitation")  # the page has loaded the rights already
        str(context["portal_person"])
        bool(context["nav_leads_class"])  # the navigation asks this anyway («Мой класс»)
        with django_assert_max_num_queries(1):
            return str(context["nav_pending_join_requests"])

    assert count(operator) == "3"
    assert count(teacher_5a) == "2"
    assert count(director) == "None"
    assert count(staff_member) == "None"
    page = login(operator).get(reverse("invitations:list")).content.decode()
    assert 'class="nav-badge"' in page and ">3</span>" in page


def test_names_are_escaped_on_the_reject_page_and_in_the_flash(login, operator, meeting_link_5a):
    first, second = JoinRequestFactory.create_batch(
        2, invitation=meeting_link_5a, full_name=XSS, child_name=XSS
    )
    client = login(operator)
    page = client.get(reverse("invitations:join_request_reject", args=[first.pk])).content.decode()
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    response = client.post(
        reverse("invitations:join_request_approve", args=[second.pk]), follow=True
    )
    page = response.content.decode()
    assert "принята" in page and XSS not in page


def test_create_form_shows_every_error_at_once(login, operator):
    """A parents' link without a class, with a bad use count and a plain-HTTP platform link: the
    three errors come together, not one per attempt."""
    response = login(operator).post(
        reverse("invitations:create"),
        {
            "role": "parent",
            "school_class": "",
            "max_uses": "много",
            "term_days": 14,
            "platform_url": "http://sferum.ru/join",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"school_class", "max_uses", "platform_url"}
    assert errors["school_class"] == ["Для ссылки учащегося или родителя укажите класс."]
    assert len(errors["platform_url"]) == 1  # each field's error once
    page = response.content.decode()
    assert "Для ссылки учащегося или родителя укажите класс." in page
    assert "Нужна защищённая ссылка платформы" in page
    assert not Invitation.objects.exists()


def test_the_class_is_marked_required_for_pupils_and_parents(login, operator, teacher_5a):
    page = login(operator).get(reverse("invitations:create")).content.decode()
    assert 'Класс <span class="field__required-when">(обязательно для учащихся и родителей)' in page
    # A class teacher issues only class links: the class is simply required there.
    page = login(teacher_5a).get(reverse("invitations:create")).content.decode()
    assert "field__required-when" not in page

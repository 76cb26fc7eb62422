"""The public page /invite/<token>/ (API.md «Using a link»): no login, a parent's phone."""

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from invitations.models import ConsentText, Invitation, JoinRequest, Role
from invitations.selectors import invitation_by_token
from invitations.services import invitation_annul, invitation_use, invitations_expire_unused
from tests.factories import InvitationFactory

from .conftest import PLATFORM_URL, expired

pytestmark = pytest.mark.django_db

PARENT = {"full_name": "Петрова Анна Сергеевна", "child_name": "Петров Ваня", "consent": "on"}


def url(invitation):
    return reverse("invite", kwargs={"token": invitation.token})


def test_get_names_school_class_and_role_without_login(client, link_5a, school):
    response = client.get(url(link_5a))
    assert response.status_code == 200
    page = response.content.decode()
    assert school.name in page
    assert "5А класс" in page
    assert "родитель (законный представитель)" in page
    assert "152-ФЗ" in page and "согласие" in page
    # The platform link is revealed only after the form is sent.
    assert PLATFORM_URL not in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_school_wide_link_names_the_whole_school(client, teacher_link):
    page = client.get(url(teacher_link)).content.decode()
    assert "Вся школа" in page and "учитель" in page
    assert 'name="child_name"' not in page


def test_unknown_token_is_404_in_russian(client, link_5a):
    response = client.get("/invite/this-token-does-not-exist/")
    assert response.status_code == 404
    assert "Ссылка-приглашение не найдена" in response.content.decode()


def test_valid_post_records_request_counts_use_and_shows_platform_link(client, link_5a, class_5a):
    response = client.post(url(link_5a), PARENT)
    assert response.status_code == 200
    assert PLATFORM_URL in response.content.decode()
    link_5a.refresh_from_db()
    assert link_5a.uses == 1 and link_5a.status == Invitation.Status.USED
    join_request = JoinRequest.objects.get()
    assert (join_request.full_name, join_request.child_name, join_request.consent) == (
        "Петрова Анна Сергеевна",
        "Петров Ваня",
        True,
    )
    assert join_request.invitation == link_5a
    assert join_request.status == JoinRequest.Status.PENDING


@pytest.mark.parametrize(
    "data, field",
    [
        ({"child_name": "Петров Ваня", "consent": "on"}, "full_name"),
        ({"full_name": "   ", "child_name": "Петров Ваня", "consent": "on"}, "full_name"),
        ({"full_name": "Петрова Анна", "consent": "on"}, "child_name"),
        ({"full_name": "Петрова Анна", "child_name": "Петров Ваня"}, "consent"),
        ({"full_name": "П" * 201, "child_name": "Петров Ваня", "consent": "on"}, "full_name"),
    ],
)
def test_invalid_form_is_400_keeps_input_and_does_not_count(client, link_5a, data, field):
    response = client.post(url(link_5a), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    page = response.content.decode()
    if data.get("child_name"):
        assert 'value="Петров Ваня"' in page  # the input is kept
    link_5a.refresh_from_db()
    assert link_5a.uses == 0 and link_5a.status == Invitation.Status.ACTIVE
    assert not JoinRequest.objects.exists()


def test_student_link_does_not_ask_for_a_child(client, link_5b):
    response = client.post(url(link_5b), {"full_name": "Сидоров Петя", "consent": "on"})
    assert response.status_code == 200
    assert JoinRequest.objects.get().child_name == ""


def test_child_name_is_ignored_on_a_teacher_link(client, teacher_link):
    response = client.post(
        url(teacher_link), {"full_name": "Учитель Иван", "child_name": "x", "consent": "on"}
    )
    assert response.status_code == 200
    assert JoinRequest.objects.get().child_name == ""


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_link_is_410_even_before_the_job_ran(client, link_5a, method):
    expired(link_5a)
    response = getattr(client, method)(url(link_5a), PARENT)
    assert response.status_code == 410
    assert "Срок действия ссылки истёк" in response.content.decode()
    assert "классного руководителя 5А" in response.content.decode()
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_by_the_job_is_410(client, link_5a, method):
    expired(link_5a)
    assert invitations_expire_unused() == 1
    assert getattr(client, method)(url(link_5a), PARENT).status_code == 410
    link_5a.refresh_from_db()
    assert link_5a.uses == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_annulled_link_is_410(client, link_5a, operator, method):
    invitation_annul(invitation=link_5a, by=operator, reason="Ошибка в классе")
    response = getattr(client, method)(url(link_5a), PARENT)
    assert response.status_code == 410
    assert "аннулирована" in response.content.decode()
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_used_up_link_is_410(client, link_5a, method):
    assert client.post(url(link_5a), PARENT).status_code == 200
    response = getattr(client, method)(url(link_5a), {**PARENT, "full_name": "Другой родитель"})
    assert response.status_code == 410
    assert "уже использована" in response.content.decode()
    assert JoinRequest.objects.count() == 1


def test_double_submit_of_the_same_form_counts_once(client, meeting_link_5a):
    data = {**PARENT, "submission_key": "k" * 22}
    assert client.post(url(meeting_link_5a), data).status_code == 200
    second = client.post(url(meeting_link_5a), data)
    assert second.status_code == 200 and PLATFORM_URL in second.content.decode()
    meeting_link_5a.refresh_from_db()
    assert meeting_link_5a.uses == 1
    assert JoinRequest.objects.count() == 1


def test_double_submit_on_a_single_use_link_shows_success_not_410(client, link_5a):
    data = {**PARENT, "submission_key": "abcDEF0123456789_-xyz"}
    assert client.post(url(link_5a), data).status_code == 200
    assert client.post(url(link_5a), data).status_code == 200
    # The same person again from another form sees their request (issue 12, item 4); anybody else
    # finds the single-use link used.
    again = client.post(url(link_5a), {**PARENT, "submission_key": "another-key"})
    assert again.status_code == 200 and "Вы уже подавали заявку" in again.content.decode()
    other = {**PARENT, "full_name": "Другой родитель", "submission_key": "third-key"}
    assert client.post(url(link_5a), other).status_code == 410
    assert JoinRequest.objects.count() == 1


def test_post_without_csrf_token_is_refused(link_5a):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(link_5a), PARENT)
    assert response.status_code == 403
    link_5a.refresh_from_db()
    assert link_5a.uses == 0 and not JoinRequest.objects.exists()


def test_post_with_csrf_token_from_the_page_works(link_5a):
    client = Client(enforce_csrf_checks=True)
    client.get(url(link_5a))
    token = client.cookies["csrftoken"].value
    response = client.post(url(link_5a), {**PARENT, "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_names_are_escaped_on_the_public_page(client, meeting_link_5a):
    evil = "<script>alert(1)</script>"
    response = client.post(url(meeting_link_5a), {**PARENT, "full_name": evil})
    page = response.content.decode()
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Kept input on an invalid form is escaped too.
    response = client.post(url(meeting_link_5a), {"full_name": evil, "child_name": evil})
    assert response.status_code == 400
    assert evil not in response.content.decode()


def test_the_request_goes_into_the_links_own_school_and_class(
    client, link_5a, other_school_class, class_5b
):
    """The visitor cannot steer the request elsewhere (Zulip CVE-2022-21706)."""
    client.post(
        url(link_5a),
        {
            **PARENT,
            "school": other_school_class.school_id,
            "school_class": class_5b.pk,
            "role": Role.TEACHER,
            "invitation": 999,
        },
    )
    join_request = JoinRequest.objects.get()
    assert (
        join_request.school_id,
        join_request.school_class_id,
        join_request.role,
        join_request.invitation_id,
    ) == (link_5a.school_id, link_5a.school_class_id, Role.PARENT, link_5a.pk)


# --- Guessing ----------------------------------------------------------------------------------
# django-ratelimit on the test database's cache table (no CACHE_URL here): each test's counts are
# rolled back with its transaction. Its clock is held still, so that no window ends mid-test.


@pytest.fixture(autouse=True)
def guess_clock(monkeypatch):
    """The clock django-ratelimit reads its windows from; ``guess_clock.now`` moves it."""
    import time
    from types import SimpleNamespace

    from django_ratelimit import core

    clock = SimpleNamespace(now=time.time())
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


@override_settings(INVITE_GUESS_LIMIT=5)
def test_guessing_unknown_tokens_is_limited_per_address(client):
    statuses = [
        client.get(f"/invite/guess-{n}/", REMOTE_ADDR="198.51.100.7").status_code for n in range(7)
    ]
    assert statuses == [404] * 5 + [429] * 2
    response = client.get("/invite/guess-x/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Слишком много попыток" in response.content.decode()
    # Another address has its own budget.
    assert client.get("/invite/guess-y/", REMOTE_ADDR="198.51.100.8").status_code == 404
    # POSTs count too.
    assert client.post("/invite/guess-z/", PARENT, REMOTE_ADDR="198.51.100.7").status_code == 429


@override_settings(INVITE_GUESS_LIMIT=5)
def test_a_valid_link_is_never_limited_even_for_an_address_that_guessed(client, meeting_link_5a):
    for n in range(10):
        client.get(f"/invite/guess-{n}/", REMOTE_ADDR="198.51.100.9")
    assert client.get(url(meeting_link_5a), REMOTE_ADDR="198.51.100.9").status_code == 200
    assert client.post(url(meeting_link_5a), PARENT, REMOTE_ADDR="198.51.100.9").status_code == 200


@override_settings(INVITE_GUESS_LIMIT=3)
def test_forty_parents_behind_one_address_all_get_through(client, meeting_link_5a):
    """A parent meeting behind the school's NAT: forty uses of one link within a minute, all
    succeed."""
    for n in range(40):
        assert client.get(url(meeting_link_5a), REMOTE_ADDR="203.0.113.5").status_code == 200
        response = client.post(
            url(meeting_link_5a),
            {**PARENT, "full_name": f"Родитель {n}"},
            REMOTE_ADDR="203.0.113.5",
        )
        assert response.status_code == 200, n
    meeting_link_5a.refresh_from_db()
    assert meeting_link_5a.uses == 40 and meeting_link_5a.status == Invitation.Status.USED
    assert JoinRequest.objects.count() == 40
    # Valid links never touch the counter: the address still has its whole budget for misses.
    statuses = [
        client.get(f"/invite/guess-{n}/", REMOTE_ADDR="203.0.113.5").status_code for n in range(4)
    ]
    assert statuses == [404] * 3 + [429]


@override_settings(INVITE_GUESS_LIMIT=2)
def test_ipv6_clients_are_counted_by_their_64_network(client):
    for n in range(2):
        assert client.get(f"/invite/g{n}/", REMOTE_ADDR=f"2001:db8:1:2::{n + 1}").status_code == 404
    assert client.get("/invite/g9/", REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert client.get("/invite/g9/", REMOTE_ADDR="2001:db8:1:3::1").status_code == 404


@override_settings(INVITE_GUESS_LIMIT=2)
def test_x_forwarded_for_is_not_trusted_unless_configured(client):
    for n in range(3):
        response = client.get(
            f"/invite/g{n}/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
    assert response.status_code == 429
    with override_settings(INVITE_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP"):
        assert (
            client.get(
                "/invite/g5/", REMOTE_ADDR="192.0.2.1", HTTP_X_REAL_IP="10.9.9.9"
            ).status_code
            == 404
        )


@override_settings(INVITE_GUESS_LIMIT=2, PORTAL_PROXY_COUNT=1)
def test_behind_trusted_proxies_each_client_behind_them_has_its_own_budget(client):
    """TRUSTED_PROXY_COUNT: the address the proxy appended counts, not the proxy's own, and not
    what the client wrote into X-Forwarded-For itself."""
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(2):
        forged = f"192.0.2.{n}, 198.51.100.20"  # the client's own entry first, the proxy's last
        response = client.get(f"/invite/g{n}/", HTTP_X_FORWARDED_FOR=forged, **proxy)
        assert response.status_code == 404
    assert (
        client.get("/invite/g7/", HTTP_X_FORWARDED_FOR="192.0.2.9, 198.51.100.20", **proxy)
    ).status_code == 429
    # Another client behind the same proxy is not held up by the first one's guessing.
    assert (
        client.get("/invite/g8/", HTTP_X_FORWARDED_FOR="198.51.100.21", **proxy).status_code == 404
    )


@override_settings(INVITE_GUESS_LIMIT=2, INVITE_GUESS_WINDOW=datetime.timedelta(minutes=10))
def test_the_limit_ends_with_its_window(client, guess_clock):
    for n in range(2):
        assert client.get(f"/invite/g{n}/", REMOTE_ADDR="192.0.2.50").status_code == 404
    limited = client.get("/invite/g2/", REMOTE_ADDR="192.0.2.50")
    assert limited.status_code == 429
    retry_after = int(limited["Retry-After"])
    assert 1 <= retry_after <= 600
    guess_clock.now += retry_after - 1
    assert client.get("/invite/g3/", REMOTE_ADDR="192.0.2.50").status_code == 429
    guess_clock.now += 1  # the window has ended: a new budget
    assert client.get("/invite/g4/", REMOTE_ADDR="192.0.2.50").status_code == 404
    assert client.get("/invite/g5/", REMOTE_ADDR="192.0.2.50").status_code == 404
    assert client.get("/invite/g6/", REMOTE_ADDR="192.0.2.50").status_code == 429


def test_public_page_query_count(client, link_5a, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get(url(link_5a)).status_code == 200
    # The lookup, then the use in its own transaction: the UPDATE that claims it and the INSERT of
    # the request. Inside the test's transaction that block is a savepoint: SAVEPOINT and RELEASE
    # are the other two (in production BEGIN and COMMIT, which are not counted as queries).
    # (The school's first consent ever also saves version 1 of its wording, once: done here first.)
    ConsentText.objects.shown(school=link_5a.school, version=None)
    with django_assert_max_num_queries(5):
        assert client.post(url(link_5a), PARENT).status_code == 200


def test_other_links_are_unaffected(client, link_5a, class_5a, operator):
    other = InvitationFactory(school_class=class_5a, role=Role.PARENT, created_by=operator)
    client.post(url(link_5a), PARENT)
    other.refresh_from_db()
    assert other.uses == 0 and other.status == Invitation.Status.ACTIVE


def test_a_use_records_the_request_with_the_links_school_class_and_role(
    client, meeting_link_5a, teacher_link
):
    assert client.post(url(meeting_link_5a), PARENT).status_code == 200
    assert client.post(url(teacher_link), {**PARENT, "full_name": "Учитель"}).status_code == 200
    parent, teacher = JoinRequest.objects.order_by("pk")
    assert (
        parent.school_id,
        parent.school_class_id,
        parent.role,
        parent.child_name,
        parent.status,
    ) == (
        meeting_link_5a.school_id,
        meeting_link_5a.school_class_id,
        "parent",
        "Петров Ваня",
        "pending",
    )
    assert (teacher.school_class_id, teacher.role, teacher.child_name) == (None, "teacher", "")
    teacher_link.refresh_from_db()
    assert (teacher_link.uses, teacher_link.status) == (1, "used")


# --- The token lookup and the lean public frame --------------------------------------------------


def _orm_lookup(token):
    return Invitation.objects.select_related("school", "school_class").get(token=token)


@pytest.mark.parametrize("fixture", ["link_5a", "teacher_link"])
def test_token_lookup_gives_what_the_orm_gives_in_one_query(
    request, fixture, django_assert_num_queries
):
    link = request.getfixturevalue(fixture)
    expected = _orm_lookup(link.token)
    with django_assert_num_queries(1):
        found = invitation_by_token(link.token)
        # The related rows come with it: reading them costs nothing more.
        school_name, school_class = found.school.name, found.school_class
    assert type(found) is Invitation and not found._state.adding and found._state.db == "default"
    for field in Invitation._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.get_deferred_fields() == set()
    assert school_name == expected.school.name
    assert found.school.__dict__.keys() == expected.school.__dict__.keys()
    if expected.school_class is None:
        assert school_class is None
    else:
        assert (school_class.pk, school_class.name, school_class.school.pk) == (
            expected.school_class.pk,
            expected.school_class.name,
            expected.school.pk,
        )
        assert school_class.get_deferred_fields() == set()
    assert found.expires_at.tzinfo is not None and found.expires_at == expected.expires_at


@pytest.mark.parametrize("token", ["", "no-such-token", "x" * 65, "' OR 1=1 --"])
def test_token_lookup_of_unknown_tokens_is_none(link_5a, token):
    assert invitation_by_token(token) is None


def test_a_found_link_saves_like_any_other(link_5a):
    found = invitation_by_token(link_5a.token)
    found.annul_reason = "проверка"
    found.save(update_fields=["annul_reason"])
    link_5a.refresh_from_db()
    assert link_5a.annul_reason == "проверка" and link_5a.uses == found.uses


def test_public_pages_have_the_site_frame_without_the_staff_navigation(client, operator, link_5a):
    # Even a signed-in member of staff sees the parent's page: no menu, no logout form.
    client.force_login(operator)
    page = client.get(url(link_5a)).content.decode()
    assert (
        '<html lang="ru">' in page and '<main id="content"' in page and 'class="skip-link"' in page
    )
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "invitations/invitations.css" in page and "invitations/invitations.js" in page
    assert "site-nav" not in page and "logout" not in page
    # Every input has its label and the hidden key of the form travels with it.
    for name in ("full_name", "child_name", "consent"):
        assert f'<label for="id_{name}"' in page or f'for="id_{name}"' in page
        assert f'id="id_{name}"' in page
    assert 'name="submission_key"' in page and 'name="csrfmiddlewaretoken"' in page


def test_errors_are_tied_to_their_inputs(client, link_5a):
    page = client.post(
        url(link_5a), {"full_name": "", "child_name": "", "consent": ""}
    ).content.decode()
    assert 'id="id_full_name"' in page and 'aria-describedby="id_full_name_error"' in page
    assert 'id="id_full_name_error"' in page and 'aria-describedby="id_child_name_error"' in page
    assert "Укажите фамилию, имя и отчество." in page and "Укажите фамилию и имя ребёнка." in page
    assert "Без согласия на обработку персональных данных присоединиться нельзя." in page


def test_a_duplicate_submission_key_gives_the_earlier_request_and_counts_no_use(
    meeting_link_5a, django_assert_num_queries
):
    invitation_use(invitation_id=meeting_link_5a.pk, full_name="Первая", child_name="Первый")
    first = invitation_use(
        invitation_id=meeting_link_5a.pk,
        full_name="Вторая",
        child_name="Вторая",
        submission_key="k",
    )
    # The INSERT fails on the unique key, the counted use is rolled back with it.
    again = invitation_use(
        invitation_id=meeting_link_5a.pk,
        full_name="Вторая",
        child_name="Вторая",
        submission_key="k",
    )
    assert again.pk == first.pk and again.full_name == "Вторая"
    meeting_link_5a.refresh_from_db()
    assert (
        meeting_link_5a.uses == 2 == JoinRequest.objects.filter(invitation=meeting_link_5a).count()
    )


def test_the_token_lookup_is_one_plain_select(link_5a, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        assert invitation_by_token(link_5a.token) == link_5a
    assert captured.captured_queries[0]["sql"].lstrip().startswith("SELECT")

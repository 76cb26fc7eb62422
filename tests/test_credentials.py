"""Sessions and tokens (issue 15, item 4): API tokens expire (a fixed term), a password change or a
deactivated account revokes every token and every other session, a person who leaves loses their
login at once, the password reset is rate-limited and its link, like the invitation link, is built
from PORTAL_BASE_URL and never from the request's Host."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from roster.services import person_leave

from .factories import InvitationFactory, PersonFactory

User = get_user_model()
PASSWORD = "Pushkin-883-old"
NEW_PASSWORD = "Sferum-2025-new"
PROTECTED = "/api/v1/classes/"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(coordinator):
    coordinator.email = "coord@school.example"
    coordinator.set_password(PASSWORD)
    coordinator.save()
    return coordinator


def _token(username: str, password: str = PASSWORD) -> dict:
    response = Client().post(
        reverse("api-token"), {"username": username, "password": password}, "application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    assert client.get(reverse("staff:people")).status_code == 200
    return client


# --- Expiry --------------------------------------------------------------------------------------


def test_a_token_works_within_its_term_and_says_when_it_ends(user, settings):
    body = _token(user.username)
    assert _api(body["token"]).get(PROTECTED).status_code == 200
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    expected = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert abs((expires - expected).total_seconds()) < 60


def test_a_token_past_its_term_is_refused_and_deleted_a_fixed_term_not_prolonged_by_use(
    user, settings
):
    key = _token(user.username)["token"]
    token = Token.objects.get(key=key)
    # Used every day: still ends API_TOKEN_TTL_DAYS after it was issued (fixed, not sliding).
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS, seconds=1)
    )
    response = _api(key).get(PROTECTED)
    assert response.status_code == 401
    assert "истёк" in response.json()["detail"]
    assert not Token.objects.filter(key=key).exists()
    # Asking again gives a new token, which works.
    fresh = _token(user.username)["token"]
    assert fresh != key
    assert _api(fresh).get(PROTECTED).status_code == 200


def test_a_valid_token_is_read_not_written(user):
    """Every API request checks its token: a valid one is one read (with its user), never a
    transaction that deletes nothing."""
    client = _api(_token(user.username)["token"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROTECTED).status_code == 200
    statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
    assert "DELETE" not in statements
    assert statements.count("SELECT") == len(statements), statements
    assert any('FROM "authtoken_token"' in query["sql"] for query in queries.captured_queries)


def test_the_term_is_a_setting(user, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    key = _token(user.username)["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(hours=25))
    assert _api(key).get(PROTECTED).status_code == 401


# --- Revocation ----------------------------------------------------------------------------------


def test_changing_the_password_revokes_every_token_and_every_other_session(user):
    key = _token(user.username)["token"]
    other_device = _signed_in(user.username)
    this_device = _signed_in(user.username)

    response = this_device.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    assert _api(key).get(PROTECTED).status_code == 401
    assert not Token.objects.filter(user=user).exists()
    assert other_device.get(reverse("staff:people")).status_code == 302  # to the login page
    assert this_device.get(reverse("staff:people")).status_code == 200  # the one that changed it


def test_logging_out_revokes_the_tokens(user):
    key = _token(user.username)["token"]
    browser = _signed_in(user.username)
    assert browser.post(reverse("logout")).status_code == 200
    assert _api(key).get(PROTECTED).status_code == 401
    assert not Token.objects.filter(user=user).exists()


def test_a_password_set_anywhere_else_revokes_the_tokens_too(user):
    key = _token(user.username)["token"]
    user.set_password(NEW_PASSWORD)  # the admin, the reset link, changepassword: the same save
    user.save()
    assert _api(key).get(PROTECTED).status_code == 401


def test_a_deactivated_account_loses_its_tokens_and_sessions(user):
    key = _token(user.username)["token"]
    browser = _signed_in(user.username)
    user.is_active = False
    user.save()
    assert _api(key).get(PROTECTED).status_code == 401
    assert browser.get(reverse("staff:people")).status_code == 302
    user.is_active = True  # re-activated: the old token stays dead
    user.save()
    assert not Token.objects.filter(key=key).exists()
    assert _api(key).get(PROTECTED).status_code == 401


def test_a_person_who_leaves_loses_the_login_at_once(user, coordinator):
    leaver = User.objects.create_user(username="leaver", password=PASSWORD)

    person = PersonFactory(school=user.person.school, user=leaver)
    key = _token("leaver")["token"]
    browser = Client()
    assert browser.login(username="leaver", password=PASSWORD)
    assert browser.get(reverse("orders:list")).status_code == 200

    person_leave(person=person, left_on=timezone.localdate(), by=coordinator)

    leaver.refresh_from_db()
    assert leaver.is_active is False
    assert not Token.objects.filter(user=leaver).exists()
    assert _api(key).get(PROTECTED).status_code == 401
    assert browser.get(reverse("orders:list")).status_code == 302
    assert not Client().login(username="leaver", password=PASSWORD)


# --- Password reset ------------------------------------------------------------------------------


def test_the_reset_link_uses_the_base_url_not_the_forged_host(user, settings):
    settings.PORTAL_BASE_URL = "https://portal.example"
    settings.ALLOWED_HOSTS = ["testserver", "portal.example", "evil.example"]
    response = Client().post(
        reverse("password_reset"), {"email": user.email}, HTTP_HOST="evil.example:9999"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert links and all(
        link.startswith("https://portal.example/accounts/reset/") for link in links
    )
    assert "evil.example" not in mail.outbox[0].body and "9999" not in mail.outbox[0].body


def test_the_invitation_link_uses_the_base_url_not_the_forged_host(
    client, coordinator, class_5a, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    invitation = InvitationFactory(school_class=class_5a)
    client.force_login(coordinator)
    response = client.get(
        reverse("invitation-detail", kwargs={"pk": invitation.pk}), HTTP_HOST="evil.example:9999"
    )
    assert response.json()["link"] == f"https://portal.example/invite/{invitation.token}/"
    page = client.get(
        reverse("invitations:detail", kwargs={"pk": invitation.pk}), HTTP_HOST="evil.example:9999"
    ).content.decode()
    assert f"https://portal.example/invite/{invitation.token}/" in page
    assert "evil.example:9999/invite" not in page


def test_reset_requests_are_limited_per_account(user, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    for n in range(3):
        client = Client(REMOTE_ADDR=f"10.0.0.{n}")  # a different address each time
        assert client.post(reverse("password_reset"), {"email": user.email}).status_code == 302
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        reverse("password_reset"), {"email": user.email.upper()}
    )
    assert response.status_code == 429
    assert "Слишком много запросов" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert len(mail.outbox) == 3


def test_reset_requests_are_limited_per_client_address(user, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    client = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(4):
        response = client.post(reverse("password_reset"), {"email": f"nobody{n}@school.example"})
        assert response.status_code == 302
    assert client.post(reverse("password_reset"), {"email": user.email}).status_code == 429
    assert mail.outbox == []
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.1.1.2")
    assert other.post(reverse("password_reset"), {"email": user.email}).status_code == 302
    assert len(mail.outbox) == 1

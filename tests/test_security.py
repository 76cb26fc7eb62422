"""Security settings (issue 7, item 3): CSP, login lockout, session expiry, production cookies and
HSTS, and personal data (phones, e-mails) shown to the coordinator and the operator only and never
written to the logs."""

import base64
import datetime
import hashlib
import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from orders.models import AdminRegistrationRequest
from staff.models import Person

from .factories import InvitationFactory, OrderFactory, PersonFactory
from .test_settings import production_env, run_python

BASE_DIR = Path(__file__).resolve().parent.parent
EMAIL = "kontakt.sekret@school.example"
PHONE = "+7 912 345-67-89"
REQUEST_EMAIL = "zayavka.sekret@school.example"
REQUEST_PHONE = "+7 922 000-11-22"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]  # speed, not security


@pytest.fixture
def contact(school):
    return PersonFactory(
        school=school, full_name="Контактова Анна Ивановна", email=EMAIL, phone=PHONE
    )


@pytest.fixture
def registration_request(school, coordinator):
    return AdminRegistrationRequest.objects.create(
        school=school,
        order=OrderFactory(school=school),
        full_name="Заявкина Ольга",
        email=REQUEST_EMAIL,
        phone=REQUEST_PHONE,
        consent=True,
        created_by=coordinator,
    )


ROLE_FIXTURES = [
    "coordinator",
    "operator",
    "director",
    "teacher_5a",
    "staff_member",
    "web_editor",
    "inspector",
    "other_director",
]
MAY_SEE_CONTACTS = {"coordinator", "operator"}


# --- Personal data on pages ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_FIXTURES)
def test_phones_and_emails_on_the_people_page_only_for_coordinator_and_operator(
    request, client, contact, role
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("staff:people"))

    body = response.content.decode()
    shown = EMAIL in body or PHONE in body
    assert shown is (role in MAY_SEE_CONTACTS), (role, response.status_code)
    if role in {"director", "inspector"}:  # they do see the list, without the contacts
        assert response.status_code == 200 and "Контактова" in body


@pytest.mark.parametrize("role", ["coordinator", "operator", "director"])
def test_admin_registration_contacts_only_for_coordinator_and_operator(
    request, client, registration_request, role
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("orders:admin_request"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Заявкина Ольга" in body
    assert (REQUEST_EMAIL in body or REQUEST_PHONE in body) is (role in MAY_SEE_CONTACTS)


@pytest.mark.parametrize("role", ["coordinator", "director"])
def test_admin_forms_show_contacts_only_to_those_who_may_see_them(
    request, client, contact, registration_request, role
):
    user = request.getfixturevalue(role)
    user.is_staff = True  # a director given the admin by mistake still gets no contacts
    user.save(update_fields=["is_staff"])
    client.force_login(user)

    person_page = client.get(reverse("admin:staff_person_change", args=[contact.pk]))
    request_page = client.get(
        reverse("admin:orders_adminregistrationrequest_change", args=[registration_request.pk])
    )

    assert person_page.status_code == 200 and request_page.status_code == 200
    bodies = person_page.content.decode() + request_page.content.decode()
    for value in (EMAIL, PHONE, REQUEST_EMAIL, REQUEST_PHONE):
        assert (value in bodies) is (role == "coordinator"), value


def test_no_api_serializer_exposes_contacts(school, coordinator, contact):
    """The API has no person endpoint;
    no JSON answer of the coordinator carries a phone or e-mail."""
    client = Client()
    client.force_login(coordinator)
    for name in (
        "schoolclass-list",
        "order-list",
        "chat-list",
        "invitation-list",
        "join-request-list",
        "api-dashboard",
    ):
        body = client.get(reverse(name)).content.decode()
        assert EMAIL not in body and PHONE not in body, name
    schema = client.get(reverse("api-schema"), {"format": "json"}).content.decode()
    assert '"phone"' not in schema


# --- Nothing personal in the logs -----------------------------------------------------------------


def test_a_working_day_writes_nothing_personal_to_the_logs(
    caplog, school, class_5a, coordinator, operator, contact, registration_request
):
    coordinator.person.email, coordinator.person.phone = (
        "koordinator.sekret@school.example",
        "+7 999 111-22-33",
    )
    coordinator.person.save()
    secrets_ = [
        EMAIL,
        PHONE,
        REQUEST_EMAIL,
        REQUEST_PHONE,
        coordinator.person.email,
        coordinator.person.phone,
        "Родителева Секрета",
        "Ребёнков Секрет",
        "wrong-password-123",
    ]
    invitation = InvitationFactory(school_class=class_5a, school=school)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(
        logging.INFO, logger="django.db.backends"
    )  # SQL parameters are not a log of ours

    anonymous = Client()
    anonymous.post(reverse("login"), {"username": EMAIL, "password": "wrong-password-123"})
    for _ in range(django_settings.AXES_FAILURE_LIMIT + 1):  # up to the lockout, which is logged
        anonymous.post(
            reverse("login"), {"username": "coordinator", "password": "wrong-password-123"}
        )
    anonymous.post(reverse("api-token"), {"username": EMAIL, "password": "wrong-password-123"})
    anonymous.get(reverse("invite", args=[invitation.token]))
    anonymous.post(
        reverse("invite", args=[invitation.token]),
        {
            "full_name": "Родителева Секрета",
            "child_name": "Ребёнков Секрет",
            "consent": "on",
            "submission_key": "k" * 20,
        },
    )
    anonymous.get(reverse("invite", args=["no-such-token"]))
    staff = Client()
    staff.force_login(operator)
    staff.get(reverse("staff:people"))
    staff.get(reverse("orders:admin_request"))
    staff.post(reverse("staff:person_leave", args=[contact.pk]), {"left_on": "31.12.2025"})
    staff.get(reverse("staff:absence_edit", args=[999999]))  # a 404 is logged with its path
    staff.get(reverse("orders:create"))  # a 403 is logged too

    assert caplog.records, "the flow must log something for the check to mean anything"
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}"
        for record in caplog.records
    )
    for value in secrets_:
        assert value not in logged, value


# --- Content-Security-Policy ----------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_content_security_policy(client, coordinator):
    for response in (client.get(reverse("login")), client.get(reverse("healthz"))):
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert (
            "'unsafe-inline'" not in policy["script-src"]
            and "'unsafe-eval'" not in policy["script-src"]
        )
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert not any(
            source.startswith("http") for sources in policy.values() for source in sources
        )
    client.force_login(coordinator)
    assert "Content-Security-Policy" in client.get(reverse("home")).headers


def test_swagger_ui_works_under_the_policy(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.content.decode(), re.DOTALL)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    init = client.get(reverse("api-docs"), {"script": ""})
    assert init.status_code == 200 and b"SwaggerUIBundle" in init.content


def _templates():
    for folder in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]:
        if ".venv" not in folder.parts:
            yield from folder.rglob("*.html")


def test_templates_have_no_inline_script_the_policy_would_block():
    """Inline <script> blocks and on…= handlers are blocked,
    except handlers whose hash is allowed."""
    allowed = {
        source.strip("'")[len("sha256-") :]
        for source in django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
        if source.startswith("'sha256-")
    }
    problems = []
    for path in _templates():
        if "email" in path.parts:
            continue  # e-mail bodies are not served by the site
        text = path.read_text()
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", text, re.DOTALL):
            if body.strip() and "application/json" not in attrs:
                problems.append(f"{path}: inline <script>")
        for handler in re.findall(r"\son[a-z]+=\"([^\"]*)\"", text):
            digest = base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()
            if digest not in allowed:
                problems.append(f"{path}: handler {handler!r} not allowed by its hash")
    assert not problems, problems


# --- Login brute-force protection (django-axes) ---------------------------------------------------


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_form_locks_a_username_out_after_the_failure_limit(client, coordinator, director):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert (
            _login(client, "coordinator", "wrong").status_code == 200
        )  # the form again, with an error
    assert (
        _login(client, "coordinator", "wrong").status_code == 429
    )  # the last one allowed locks out

    locked = _login(client, "coordinator", "pass")  # even the right password now

    assert locked.status_code == 429
    assert "Вход временно заблокирован" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not affected.
    assert _login(Client(), "director", "pass").status_code == 302


def test_a_successful_login_resets_the_count(client, coordinator):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "coordinator", "wrong")
    assert _login(client, "coordinator", "pass").status_code == 302
    other = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        _login(other, "coordinator", "wrong")
    assert _login(other, "coordinator", "pass").status_code == 302


def test_the_api_token_endpoint_counts_failures_and_is_locked_too(coordinator):
    api = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        assert api.post(
            reverse("api-token"), {"username": "coordinator", "password": "wrong"}
        ).status_code in (400, 429)

    token = api.post(reverse("api-token"), {"username": "coordinator", "password": "pass"})

    assert token.status_code in (400, 403, 429)
    assert "token" not in token.content.decode()
    assert (
        _login(Client(), "coordinator", "pass").status_code == 429
    )  # the same lockout as the form


def test_test_client_login_still_works_without_a_request(client, coordinator):
    assert client.login(username="coordinator", password="pass")


# --- Sessions and production settings -------------------------------------------------------------


def test_the_session_ends_with_the_browser_and_after_the_cookie_age(client, coordinator):
    response = _login(client, "coordinator", "pass")

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    age = client.session.get_expiry_age()
    assert 0 < age <= 60 * 60 * 12
    assert client.session.get_expire_at_browser_close()


SHOW_SECURITY = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "csp": "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE,
    "axes": settings.AXES_ENABLED and "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE,
    "expire_at_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    "default_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["default-src"],
}))
"""


def test_production_settings_are_hardened(tmp_path):
    result = run_python(["-c", SHOW_SECURITY], **production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown == {
        "session_secure": True,
        "csrf_secure": True,
        "hsts": 60 * 60 * 24 * 365,
        "ssl_redirect": True,
        "csp": True,
        "axes": True,
        "expire_at_close": True,
        "default_src": ["'self'"],
    }


def test_lockout_settings_come_from_the_environment(tmp_path):
    script = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds())"
    )
    result = run_python(
        ["-c", script],
        **production_env(tmp_path),
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "3600.0"]
    assert isinstance(django_settings.AXES_COOLOFF_TIME, datetime.timedelta)
    assert Person  # the model whose contacts the tests above protect

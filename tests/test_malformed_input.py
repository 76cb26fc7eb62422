"""Malformed input answers 400 or 404 with the Russian error page (JSON under /api/), never 500.

Found by hand (issue «Hardening II»): a NUL character that PostgreSQL refuses in a text value
(``psycopg2`` raises ``ValueError``), a JSON body nested deeper than Python's recursion limit, and a
month whose neighbours fall outside the ``date`` range.
"""

import pytest
from django.urls import reverse

from chats.models import Chat

from .factories import InvitationFactory

pytestmark = pytest.mark.django_db

NOT_FOUND_PAGE = "Страница не найдена"
BAD_REQUEST_PAGE = "Неверный запрос"


def _page(response, status: int, text: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert text in body and '<html lang="ru">' in body
    return body


@pytest.fixture
def admin_coordinator(coordinator):
    coordinator.is_staff = True
    coordinator.save()
    return coordinator


# --- NUL characters ----------------------------------------------------------------------------


def test_a_nul_in_a_link_address_is_404(client):
    _page(client.get("/invite/%00/"), 404, NOT_FOUND_PAGE)


def test_a_nul_in_the_public_forms_data_is_400(client, class_5a):
    invitation = InvitationFactory(school_class=class_5a)
    response = client.post(
        reverse("invite", args=[invitation.token]),
        {"full_name": "Петрова Анна", "consent": "on", "submission_key": "k\x00"},
    )
    _page(response, 400, BAD_REQUEST_PAGE)
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_a_nul_in_the_drilldown_filter_is_400(client, director):
    client.force_login(director)
    _page(client.get("/orders/board/findings/?check=%00"), 400, BAD_REQUEST_PAGE)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/staff/person/?q=%00",
        "/admin/staff/person/?school__id__exact=%00",
        "/admin/chats/chat/?kind__exact=%00",
        "/admin/chats/chat/?q=%00",
        "/admin/invitations/invitation/?status__exact=%00",
        "/admin/invitations/joinrequest/?q=%00",
        "/admin/orders/order/?status__exact=%00",
        "/admin/orders/orderpoint/?check_key__exact=%00",
        "/admin/compliance/finding/?check_key__exact=%00",
        "/admin/compliance/finding/?q%00=1",
    ],
)
def test_a_nul_in_an_admin_list_filter_is_400(client, admin_coordinator, url):
    client.force_login(admin_coordinator)
    _page(client.get(url), 400, BAD_REQUEST_PAGE)


def test_a_nul_in_form_data_is_400_and_nothing_is_written(client, teacher_5a, class_5a):
    client.force_login(teacher_5a)
    url = reverse("chats:class_chat_add", args=[class_5a.pk, "class_parents"])
    data = {
        "class_parents-kind": "class_parents",
        "class_parents-title": "чат\x00",
        "class_parents-url": "https://web.max.ru/p5a",
    }
    response = client.post(url, data)
    _page(response, 400, BAD_REQUEST_PAGE)
    assert not Chat.objects.exists()


def test_a_nul_in_the_session_cookie_is_400(client):
    client.cookies["sessionid"] = "\x00" * 32
    _page(client.get(reverse("login")), 400, BAD_REQUEST_PAGE)


def test_a_nul_in_an_api_filter_is_a_json_400(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/api/v1/chats/?kind=%00")
    assert response.status_code == 400
    assert response.json() == {"detail": "Искаженный запрос."}


# --- JSON nested too deeply ----------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000, '{"username": ' + "[" * 100_000 + "}"])
def test_a_deeply_nested_json_body_is_a_json_400(client, body):
    response = client.post(reverse("api-token"), body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


# --- Months out of range -------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1899-12", "2101-01"])
def test_a_month_out_of_range_is_404(client, director, month):
    client.force_login(director)
    _page(client.get(reverse("chats:meetings"), {"month": month}), 404, NOT_FOUND_PAGE)


@pytest.mark.parametrize("month", ["1900-01", "2100-12"])
def test_the_months_at_the_bounds_still_open(client, director, month):
    client.force_login(director)
    assert client.get(reverse("chats:meetings"), {"month": month}).status_code == 200

"""The project-level pages: sign-in, the start page, the error pages and static files."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from gymnasium_portal import views


@pytest.mark.django_db
def test_login_page_is_in_russian_and_fits_a_phone(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert 'name="viewport"' in html
    assert "Вход на портал" in html
    assert "Имя пользователя" in html and "Пароль" in html
    assert "/static/portal/portal.css" in html
    assert "htmx" in html


def test_home_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_signing_in_leads_to_the_home_page(client, director):
    response = client.post("/accounts/login/", {"username": "director", "password": "pass"})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_wrong_password_is_explained_in_russian_and_keeps_the_username(client, director):
    response = client.post("/accounts/login/", {"username": "director", "password": "wrong"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "правильные имя пользователя и пароль" in html
    assert 'value="director"' in html


@pytest.mark.django_db
def test_home_greets_a_signed_in_staff_member(client, director, django_assert_max_num_queries):
    director.person.full_name = "Иванова Мария Петровна"
    director.person.save()
    client.force_login(director)

    with django_assert_max_num_queries(8):
        response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Здравствуйте, Мария Петровна!" in html
    assert "Выйти" in html
    assert director.person.school.name in html


@pytest.mark.django_db
def test_home_knows_who_leads_a_class(client, teacher_5a, director):
    client.force_login(teacher_5a)
    assert client.get("/").context["nav_leads_class"]

    client.force_login(director)
    assert not client.get("/").context["nav_leads_class"]


@pytest.mark.django_db
def test_a_user_without_a_school_is_told_whom_to_ask(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="pass"))

    response = client.get("/")

    assert response.status_code == 200
    assert "пока не привязана к школе" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post_and_says_goodbye(client, director):
    client.force_login(director)

    response = client.post("/accounts/logout/", follow=True)

    assert response.status_code == 200
    assert "Вы вышли с портала" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_unknown_page_answers_404_in_russian(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert "администратора-координатора" in html


@pytest.mark.django_db
def test_403_page_is_in_russian(rf, director):
    request = rf.get("/")
    request.user = director

    response = views.permission_denied(request)

    assert response.status_code == 403
    assert "Нет прав на это действие" in response.content.decode()


def test_500_page_renders_without_a_request_or_database():
    assert "На сервере что-то сломалось" in loader.get_template("500.html").render()

    response = views.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "главному инженеру" in response.content.decode()


def test_410_page_gives_the_reason_and_whom_to_ask(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    html = loader.render_to_string(
        "410.html", {"reason": "Срок действия ссылки истёк 01.12.2025."}, request
    )

    assert "Срок действия ссылки истёк 01.12.2025." in html
    assert "классного руководителя" in html


@pytest.mark.django_db
def test_a_stale_form_gets_a_russian_csrf_page(director):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "director", "password": "pass"})

    assert response.status_code == 403
    assert "Форма устарела" in response.content.decode()


def test_the_stylesheet_is_served(client):
    response = client.get("/static/portal/portal.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b".btn--primary" in b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, sees_invitations, sees_join_requests",
    [
        ("director", True, True),
        ("coordinator", True, True),
        ("operator", True, True),
        ("teacher_5a", True, True),
        ("staff_member", False, False),
        ("inspector", False, False),
    ],
)
def test_navigation_shows_each_role_its_own_screens(
    client, request, role, sees_invitations, sees_join_requests
):
    client.force_login(request.getfixturevalue(role))

    html = client.get("/").content.decode()

    assert (f'href="{reverse("invitations:list")}"' in html) is sees_invitations
    assert (f'href="{reverse("invitations:join_requests")}"' in html) is sees_join_requests
    assert 'href="/admin/"' not in html


@pytest.mark.django_db
def test_navigation_offers_the_admin_to_staff_users_only(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)

    assert 'href="/admin/"' in client.get("/").content.decode()

"""The accounts flow in Chromium: the coordinator creates a login, the e-mail's link sets a
password, the person signs in; the link works once."""

import re

import pytest
from django.core import mail

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_creates_login_person_sets_password_and_signs_in(
    live_server, desktop_page, phone_page, login, screenshot, coordinator, school
):
    person = PersonFactory(
        school=school, full_name="Петрова Анна Сергеевна", email="petrova@example.ru"
    )
    page = desktop_page
    login(page, "coordinator")
    page.goto(f"{live_server.url}/staff/accounts/")
    row = page.locator("tr", has_text="Петрова Анна Сергеевна")
    row.get_by_role("button", name="Создать учётную запись").click()
    page.wait_for_load_state("networkidle")
    assert "Письмо со ссылкой для установки пароля отправлено 1 сотруднику." in page.content()
    assert "пароль не задан" in page.locator("tr", has_text="Петрова Анна Сергеевна").inner_text()
    screenshot(page, "accounts-01-created")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["petrova@example.ru"]
    link = re.search(r"https?://\S+/accounts/set/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)

    # The person opens the link on a phone and sets a password; then sees their login.
    phone = phone_page
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Задайте пароль"
    phone.fill("input[name=new_password1]", "Zx9!long-pass")
    phone.fill("input[name=new_password2]", "Zx9!long-pass")
    screenshot(phone, "accounts-02-set-password-phone")
    phone.click("button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".account-login").inner_text() == "petrova.as"
    phone.click("text=Войти на портал")
    phone.wait_for_load_state("networkidle")
    phone.fill("input[name=username]", "petrova.as")
    phone.fill("input[name=password]", "Zx9!long-pass")
    phone.click("button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "Петрова Анна Сергеевна" in phone.locator(".nav-user__name").inner_text()
    person.refresh_from_db()
    assert person.user.has_usable_password()

    # The link works once.
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Ссылка больше не действует"

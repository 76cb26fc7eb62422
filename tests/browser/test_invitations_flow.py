"""The invitation flow in a real browser: the operator issues a link
and prints its QR code, a parent
opens it on a phone and joins, the operator approves the request."""

import pytest

from invitations.models import Invitation, JoinRequest

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORM_URL = "https://sferum.ru/?invite=browser-test-5a"


def test_operator_issues_parent_joins_on_phone_operator_approves(
    live_server, desktop_page, phone_page, login, screenshot, operator, class_5a, settings
):
    # The links are built from PORTAL_BASE_URL (never the request's Host): here, the live server.
    settings.PORTAL_BASE_URL = live_server.url
    page = desktop_page
    login(page, "engineer")

    # The operator issues a parent-meeting link for 5А.
    page.goto(f"{live_server.url}/invitations/new/")
    page.select_option("select[name=role]", "parent")
    page.select_option("select[name=school_class]", str(class_5a.pk))
    page.fill("input[name=max_uses]", "30")
    page.fill("input[name=platform_url]", PLATFORM_URL)
    screenshot(page, "invitations-01-create-form")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    invitation = Invitation.objects.get()
    assert page.url.endswith(f"/invitations/{invitation.pk}/")
    assert (invitation.school_class_id, invitation.max_uses, invitation.created_by_id) == (
        class_5a.pk,
        30,
        operator.pk,
    )
    link = page.input_value("#invite-link")
    assert link == f"{live_server.url}/invite/{invitation.token}/"
    screenshot(page, "invitations-02-detail")

    # Its printable QR page: the QR image is really served and drawn.
    page.click("text=QR-код и печать")
    page.wait_for_load_state("networkidle")
    assert page.locator(".inv-sheet__title").inner_text().strip() == "5А класс"
    assert page.locator(".inv-sheet__link").inner_text().strip() == link
    assert page.locator(".inv-sheet__steps li").count() == 3
    assert page.eval_on_selector(".inv-sheet__qr", "img => img.complete && img.naturalWidth > 0")
    screenshot(page, "invitations-03-print-qr")

    # A parent opens the link on a phone, without an account.
    phone = phone_page
    phone.goto(link)
    assert "5А класс" in phone.locator(".inv-public__class").inner_text()
    assert PLATFORM_URL not in phone.content()
    screenshot(phone, "invitations-04-phone-invite")
    phone.click("button[type=submit]")  # nothing filled: errors, input kept, nothing counted
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".errorlist").count() >= 2
    invitation.refresh_from_db()
    assert invitation.uses == 0
    phone.fill("input[name=full_name]", "Смирнова Елена Викторовна")
    phone.fill("input[name=child_name]", "Смирнов Артём")
    phone.check("input[name=consent]")
    phone.click("button[type=submit]")
    phone.wait_for_load_state("networkidle")
    platform_link = phone.locator("a.inv-platform-link")
    assert platform_link.get_attribute("href") == PLATFORM_URL
    assert platform_link.is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the public page must not scroll sideways on a phone"
    screenshot(phone, "invitations-05-phone-joined")
    invitation.refresh_from_db()
    assert invitation.uses == 1
    join_request = JoinRequest.objects.get()
    assert join_request.status == JoinRequest.Status.PENDING

    # The operator approves the request from the queue; the navigation counted it.
    page.goto(f"{live_server.url}/invitations/join-requests/")
    assert page.locator(".nav-badge").first.inner_text().strip() == "1"
    row = page.locator("tr", has_text="Смирнова Елена Викторовна")
    assert row.locator(f"a[href='/invitations/{invitation.pk}/']").count() == 1
    screenshot(page, "invitations-06-queue")
    row.locator("button", has_text="Принять").click()
    page.wait_for_load_state("networkidle")
    assert "принята" in page.locator(".flashes").inner_text()
    join_request.refresh_from_db()
    assert (
        join_request.status == JoinRequest.Status.APPROVED
        and join_request.reviewed_by_id == operator.pk
    )
    page.goto(f"{live_server.url}/invitations/{invitation.pk}/")
    assert "Заявка принята" in page.locator(".inv-history").inner_text()
    screenshot(page, "invitations-07-history")

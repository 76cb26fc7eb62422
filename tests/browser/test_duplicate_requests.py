"""Duplicate requests in a real browser (issue 12, item 4): a parent who fills the form again on the
phone sees the request already made and spends no second use; the operator's queue marks the same
family asking through another link."""

import pytest

from invitations.models import JoinRequest, Role
from tests.browser.phone import WIDE, assert_no_horizontal_scroll, assert_not_clipped, shot
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _join(page, link_url, full_name, child_name):
    page.goto(link_url)
    page.fill("input[name=full_name]", full_name)
    page.fill("input[name=child_name]", child_name)
    page.check("input[name=consent]")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_parent_again_sees_the_earlier_request_and_the_queue_marks_the_other_link(
    phone_page, desktop_page, live_server, login, operator, class_5a
):
    meeting = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    chat_link = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    phone = phone_page
    meeting_url = f"{live_server.url}/invite/{meeting.token}/"
    _join(phone, meeting_url, "Смирнова Елена Викторовна", "Смирнов Артём")
    assert "ваша заявка записана" in phone.locator("main").inner_text()
    _join(phone, meeting_url, "смирнова  елена викторовна", "Смирнов Артем")
    body = phone.locator("main").inner_text()
    assert "Вы уже подавали заявку" in body and "ожидает" in body
    assert_no_horizontal_scroll(phone)
    shot(phone, "invite-parent-again-phone")
    meeting.refresh_from_db()
    assert meeting.uses == 1 == JoinRequest.objects.filter(invitation=meeting).count()

    # The same family through the class chat's link: a new request, marked in the queue.
    _join(phone, f"{live_server.url}/invite/{chat_link.token}/", "Смирнова Елена", "Смирнов Артём")
    _join(
        phone,
        f"{live_server.url}/invite/{chat_link.token}/",
        "Смирнова Елена Викторовна",
        "Смирнов Артём",
    )
    for page, size in ((phone, "phone"), (desktop_page, "desktop")):
        if size == "desktop":
            page.set_viewport_size(WIDE)
        login(page, "engineer")
        page.goto(f"{live_server.url}/invitations/join-requests/")
        page.wait_for_selector("#join-requests")
        marked = page.locator("tr.inv-card:has(.inv-dup)")
        assert marked.count() == 2
        assert f"ссылка № {meeting.pk}" in marked.nth(1).inner_text()
        assert page.locator("tr.inv-card:not(:has(.inv-dup))").count() == 1  # «Смирнова Елена»
        assert_no_horizontal_scroll(page)
        assert_not_clipped(page, "#join-requests .badge")
        shot(page, f"join-requests-duplicates-operator-{size}")

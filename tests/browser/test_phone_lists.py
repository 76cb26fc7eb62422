"""Join requests and links on a phone (390 px) and a desktop (1366 px): every action inside the
screen, rows as cards, 44 px tap targets, «Выбрать все», badges whole, the bulk annulment apart
with the links it will annul named; and sending a link (copy, share, the full link readable)."""

import pytest

from invitations.models import Invitation, JoinRequest, Role
from tests.browser.phone import (
    WIDE,
    assert_inside_viewport,
    assert_no_horizontal_scroll,
    assert_not_clipped,
    assert_tap_targets,
    shot,
)
from tests.factories import InvitationFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAMES = [
    "Константинопольская-Церетели Анастасия Вячеславовна",
    "Иванов Иван Иванович",
    "Ким Ли",
    "Абдурахмангаджиева Мадина Магомедовна",
]


@pytest.fixture
def queue(school, class_5a):
    link = InvitationFactory(school_class=class_5a, max_uses=30, uses=4)
    return [
        JoinRequestFactory(invitation=link, full_name=name, child_name="Ребёнок " + name.split()[0])
        for name in LONG_NAMES
    ]


@pytest.fixture
def links(school, class_5a, class_5b):
    parents_5a = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    parents_5b = InvitationFactory(school_class=class_5b, role=Role.PARENT, max_uses=30)
    pupils_5a = InvitationFactory(school_class=class_5a, role=Role.STUDENT, max_uses=30)
    used = InvitationFactory(
        school_class=class_5a, role=Role.PARENT, uses=1, max_uses=1, status="used"
    )
    return parents_5a, parents_5b, pupils_5a, used


def test_join_requests_on_a_phone_every_action_on_screen_and_select_all_approves(
    phone_page, live_server, login, operator, queue
):
    page = phone_page
    login(page, "engineer")
    page.goto(f"{live_server.url}/invitations/join-requests/")
    page.wait_for_selector("#join-requests")
    assert page.locator("tr.inv-card").count() == len(LONG_NAMES)
    assert_no_horizontal_scroll(page)
    buttons = page.locator("#join-requests .btn, .inv-bulkbar .btn")
    assert buttons.count() == 2 * len(LONG_NAMES) + 1
    assert_inside_viewport(page, buttons)
    assert_tap_targets(buttons)
    checks = page.locator("#join-requests label.inv-check")
    assert_inside_viewport(page, checks)
    assert_tap_targets(checks)
    assert_not_clipped(page, "#join-requests .badge")
    # A card, not a table row: the name heads it and the fields are one under another.
    first = page.locator("tr.inv-card").first
    assert first.locator("td.inv-card__title").bounding_box()["width"] > 300
    shot(page, "join-requests-operator-phone")

    select_all = page.locator("label.inv-check--all")
    assert select_all.is_visible()
    assert_tap_targets(select_all)
    select_all.click()
    assert page.locator("#join-requests input[name=ids]:checked").count() == len(LONG_NAMES)
    assert "Отмечено: 4" in page.locator("[data-selected-count]").inner_text()
    shot(page, "join-requests-operator-phone-selected")
    page.locator(".inv-bulkbar button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Принято заявок: 4" in page.locator(".flashes").inner_text()
    assert set(JoinRequest.objects.values_list("status", flat=True)) == {"approved"}
    assert_no_horizontal_scroll(page)
    shot(page, "join-requests-operator-phone-empty")


def test_join_requests_on_a_desktop_as_a_table(desktop_page, live_server, login, teacher_5a, queue):
    page = desktop_page
    page.set_viewport_size(WIDE)
    login(page, "teacher_5a")
    page.goto(f"{live_server.url}/invitations/join-requests/")
    page.wait_for_selector("#join-requests")
    assert page.locator("#join-requests thead").is_visible()
    assert_no_horizontal_scroll(page)
    assert_inside_viewport(page, page.locator("#join-requests .btn"))
    assert_not_clipped(page, "#join-requests .badge")
    shot(page, "join-requests-teacher-desktop")
    page.locator("label.inv-check--all").click()
    page.locator("#join-requests input[name=ids]").nth(1).uncheck()
    assert page.locator("#join-requests input[name=ids]:checked").count() == len(LONG_NAMES) - 1
    assert page.locator("input[data-select-all]").evaluate("el => el.indeterminate")


def test_links_on_a_phone_and_the_bulk_annulment_names_what_it_annuls(
    phone_page, live_server, login, coordinator, links
):
    parents_5a, parents_5b, pupils_5a, used = links
    page = phone_page
    login(page, "coordinator")
    page.goto(f"{live_server.url}/invitations/")
    page.wait_for_selector("#invitation-list")
    assert_no_horizontal_scroll(page)
    assert_not_clipped(page, "#invitation-list .badge")
    assert page.locator("tr.inv-card").count() == 4
    shot(page, "links-coordinator-phone")

    page.select_option("select[name=status]", "active")
    page.select_option("select[name=role]", "parent")
    page.locator(".inv-filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tr.inv-card").count() == 2
    bulk = page.locator("#bulk-annul")
    # Apart from the list: in its own box, below the table.
    assert page.locator(".inv-danger-zone #bulk-annul").count() == 1
    table_bottom = page.locator("#invitation-list").bounding_box()
    zone_top = page.locator(".inv-danger-zone").bounding_box()["y"]
    assert zone_top > table_bottom["y"] + table_bottom["height"] + 16
    href = bulk.get_attribute("href")
    assert "??" not in href and href.endswith("?status=active&role=parent&school_class=")
    assert_inside_viewport(page, bulk)
    assert_tap_targets(bulk)
    shot(page, "links-coordinator-phone-filtered")

    bulk.click()
    page.wait_for_selector("#annul-links")
    named = page.locator("#annul-links li")
    assert sorted(int(named.nth(i).get_attribute("data-invitation")) for i in range(2)) == sorted(
        [parents_5a.pk, parents_5b.pk]
    )
    assert named.count() == 2
    assert "5Б" in page.locator("#annul-links").inner_text()
    assert_no_horizontal_scroll(page)
    shot(page, "links-bulk-annul-confirm-phone")
    page.fill("textarea[name=reason]", "Собрание перенесено")
    page.locator("form.form button.btn--danger").click()
    page.wait_for_load_state("networkidle")
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert statuses[parents_5a.pk] == statuses[parents_5b.pk] == "annulled"
    assert statuses[pupils_5a.pk] == "active"  # the first filter (status) and the role both held


def test_sending_a_link_copy_share_and_the_whole_link_on_a_phone(
    browser, live_server, login, teacher_5a, class_5a
):
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT, max_uses=30)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ru-RU"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    # Chromium headless has no share sheet: stand one in that records what it was given.
    context.add_init_script(
        "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"
    )
    page = context.new_page()
    try:
        login(page, "teacher_5a")
        page.goto(f"{live_server.url}/invitations/{link.pk}/")
        url = f"{live_server.url}/invite/{link.token}/"
        field = page.locator("#invite-link")
        assert field.input_value() == url
        # The whole link is readable: the field is as wide as the screen allows and nothing hides.
        assert field.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
        assert field.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        assert_no_horizontal_scroll(page)
        copy = page.locator("button[data-copy]")
        share = page.locator("button[data-share]")
        assert copy.is_visible() and share.is_visible()
        assert_inside_viewport(page, page.locator(".inv-send .btn"))
        assert_tap_targets(page.locator(".inv-send .btn"))
        # The script is the app's own file, not a CDN's.
        scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
        assert all(src.startswith(live_server.url) for src in scripts)
        copy.click()
        page.wait_for_function("() => document.getElementById('invite-link-status').innerText")
        assert "скопирована" in page.locator("#invite-link-status").inner_text()
        assert page.evaluate("navigator.clipboard.readText()") == url
        share.click()
        shared = page.evaluate("window.__shared")
        assert shared["url"] == url and "5А" in shared["text"]
        shot(page, "link-detail-teacher-phone")
    finally:
        context.close()


def test_without_web_share_the_share_button_stays_hidden(
    desktop_page, live_server, login, operator, class_5a
):
    link = InvitationFactory(school_class=class_5a, role=Role.PARENT)
    page = desktop_page
    page.set_viewport_size(WIDE)
    page.add_init_script("delete Navigator.prototype.share;")
    login(page, "engineer")
    page.goto(f"{live_server.url}/invitations/{link.pk}/")
    page.wait_for_selector("button[data-copy]:visible")
    assert not page.locator("button[data-share]").is_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "link-detail-operator-desktop")

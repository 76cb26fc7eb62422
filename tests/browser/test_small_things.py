"""Issue 12, items 7, 8 and 10 as the users see them, on a phone (390×844) and a desktop
(1366×800): the Russian error page, trends with too little data, acknowledging an order, the new
link form's errors, the chat link's domains, a parent's stale link, the favicon."""

import pytest

from chats.models import ChatKind
from chats.services import chat_requirements_create_defaults
from invitations.models import Role
from orders.models import Acknowledgement, Order
from orders.services import acknowledgements_distribute
from tests.factories import ChatFactory, InvitationFactory, OrderFactory, OrderPointFactory
from tests.invitations.conftest import expired

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = {"width": 1366, "height": 800}


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport=WIDE, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_wrong_address_shows_the_russian_page(
    phone_page, wide_page, live_server, login, screenshot, staff_member
):
    for page, name in ((phone_page, "phone"), (wide_page, "desktop")):
        login(page, "staff_member")
        response = page.goto(f"{live_server.url}/no-such-page/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Страница не найдена"
        assert "URLconf" not in page.content()
        assert no_sideways_scroll(page)
        screenshot(page, f"ui2-404-{name}")


def test_the_board_says_too_little_data_for_a_trend(
    phone_page, wide_page, live_server, login, screenshot, director
):
    for page, name in ((phone_page, "phone"), (wide_page, "desktop")):
        login(page, "director")
        page.goto(f"{live_server.url}/orders/board/")
        trends = page.locator(".board-trends")
        assert "Мало данных для динамики: показатели есть за 1 день" in trends.inner_text()
        assert page.locator("svg.chart").count() == 0
        assert no_sideways_scroll(page)
        trends.scroll_into_view_if_needed()
        screenshot(page, f"ui2-board-trends-{name}")


@pytest.fixture
def order_to_read(school, staff_member):
    order = OrderFactory(school=school, number="883", status=Order.Status.IN_FORCE)
    OrderPointFactory(order=order, number="1", text="Утвердить Положение.")
    acknowledgements_distribute(order=order)
    return order


def test_acknowledging_an_order_means_opening_it_and_ticking_the_box(
    phone_page, wide_page, live_server, login, screenshot, order_to_read, staff_member
):
    page = phone_page
    login(page, "staff_member")
    page.goto(f"{live_server.url}/")
    screenshot(page, "ui2-home-order-to-read-phone")
    page.click("text=Открыть приказ и ознакомиться")
    page.wait_for_load_state("networkidle")
    label = page.locator("label", has_text="Ознакомлен(а) с приказом № 883 от 15.12.2025")
    assert label.is_visible() and no_sideways_scroll(page)
    screenshot(page, "ui2-order-acknowledge-phone")
    label.click()
    page.click("text=Подтвердить ознакомление")
    page.wait_for_load_state("networkidle")
    assert "вы ознакомлены с приказом № 883" in page.content()
    assert Acknowledgement.objects.get(person=staff_member.person).acknowledged_at is not None

    login(wide_page, "director")
    wide_page.goto(f"{live_server.url}/orders/{order_to_read.pk}/")
    screenshot(wide_page, "ui2-order-acknowledge-desktop")


def test_the_new_link_form_shows_every_error_at_once(
    phone_page, wide_page, live_server, login, screenshot, operator, class_5a
):
    for page, name in ((phone_page, "phone"), (wide_page, "desktop")):
        login(page, "engineer")
        page.goto(f"{live_server.url}/invitations/new/")
        assert "(обязательно для учащихся и родителей)" in page.locator("form.form").inner_text()
        page.select_option("select[name=role]", Role.PARENT)
        page.fill("input[name=max_uses]", "0")
        page.fill("input[name=platform_url]", "http://sferum.ru/join")
        page.click("text=Выдать ссылку")
        page.wait_for_load_state("networkidle")
        errors = page.locator(".errorlist").all_inner_texts()
        assert len(errors) == 3, errors
        assert "Для ссылки учащегося или родителя укажите класс." in " ".join(errors)
        assert no_sideways_scroll(page)
        screenshot(page, f"ui2-new-link-errors-{name}")


def test_a_chat_link_elsewhere_is_refused_and_unknown_members_say_no_data(
    phone_page, live_server, login, screenshot, teacher_5a, class_5a
):
    chat_requirements_create_defaults(school=class_5a.school)
    class_5a.students_expected = 43
    class_5a.save()
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_STUDENTS, members_count=None)
    page = phone_page
    login(page, "teacher_5a")
    page.goto(f"{live_server.url}/chats/my-class/{class_5a.pk}/")
    assert "нет данных" in page.content() and "? из 43" not in page.content()
    screenshot(page, "ui2-my-class-no-data-phone")
    page.goto(f"{live_server.url}/chats/my-class/{class_5a.pk}/add/class_parents/")
    page.fill("input[name$=url]", "https://t.me/joinchat/5a")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert (
        "Ссылка на чат должна вести на платформу: max.ru, web.max.ru, sferum.ru."
        in page.locator(".errorlist").inner_text()
    )
    assert no_sideways_scroll(page)
    screenshot(page, "ui2-chat-link-domain-phone")


def test_a_parent_with_a_stale_link_and_the_favicon(
    phone_page, wide_page, live_server, screenshot, class_5a, operator
):
    link = expired(InvitationFactory(school_class=class_5a, role=Role.PARENT, created_by=operator))
    response = phone_page.goto(f"{live_server.url}/invite/{link.token}/")
    assert response.status == 410
    text = phone_page.locator("main").inner_text()
    assert "Ссылка больше не действует" in text and "Ошибка" not in text
    screenshot(phone_page, "ui2-parent-stale-link-phone")

    icon = wide_page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg")

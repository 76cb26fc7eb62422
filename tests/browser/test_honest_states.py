"""No false «all clear» in a real browser (issue 12, item 1): before the first run of the checks
the director's board and drill-down, and the class teacher's «Мой класс», say «Проверка ещё не
выполнялась» — on a phone and a desktop; after `run_job --all` they say what the checks found."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import Order
from tests.browser.phone import WIDE, assert_no_horizontal_scroll, shot
from tests.factories import OrderFactory, OrderPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def overdue_point(school):
    order = OrderFactory(school=school, status=Order.Status.IN_FORCE, number="883")
    return OrderPointFactory(
        order=order,
        number="1",
        text="Утвердить Положение об информационно-коммуникационной образовательной платформе",
        check_key="regulation_attached",
        deadline=timezone.localdate() - datetime.timedelta(days=10),
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_board_and_drilldown_before_and_after_the_first_check(
    size, browser, live_server, login, director, overdue_point, settings
):
    settings.BOARD_CACHE_SECONDS = 0
    viewport = {"width": 390, "height": 844} if size == "phone" else WIDE
    context = browser.new_context(viewport=viewport, is_mobile=size == "phone", locale="ru-RU")
    page = context.new_page()
    try:
        login(page, "director")
        page.goto(f"{live_server.url}/orders/board/")
        freshness = page.locator(".board-freshness")
        assert "Проверка ещё не выполнялась" in freshness.inner_text()
        findings = page.locator('li.board-figure:has([data-figure="findings"])')
        assert findings.locator(".board-figure__value").inner_text().strip() == "—"
        assert "Проверка ещё не выполнялась" in findings.inner_text()
        assert page.locator('tr[data-point="1"]').get_attribute("data-status") == "overdue"
        assert_no_horizontal_scroll(page)
        shot(page, f"board-director-not-checked-{size}")

        page.locator('tr[data-point="1"] a', has_text="Что не так").click()
        page.wait_for_load_state("networkidle")
        body = page.locator("main").inner_text()
        assert "Открытых замечаний нет" not in body
        assert "Проверка ещё не выполнялась" in body and "Пункт просрочен" in body
        assert_no_horizontal_scroll(page)
        shot(page, f"drilldown-director-not-checked-{size}")

        call_command("run_job", "--all")
        page.reload()
        body = page.locator("main").inner_text()
        assert "Проверка ещё не выполнялась" not in body and "Открытых замечаний нет" not in body
        assert "Просрочен п. 1 приказа № 883" in body
        shot(page, f"drilldown-director-checked-{size}")
        page.goto(f"{live_server.url}/orders/board/")
        assert "Замечания проверены только что" in page.locator(".board-freshness").inner_text()
        value = page.locator('li.board-figure:has([data-figure="findings"]) .board-figure__value')
        assert value.inner_text().strip() == "1"
        shot(page, f"board-director-checked-{size}")
    finally:
        context.close()


def test_my_class_before_and_after_the_first_check(
    phone_page, live_server, login, teacher_5a, class_5a
):
    page = phone_page
    login(page, "teacher_5a")
    page.goto(f"{live_server.url}/chats/my-class/{class_5a.pk}/")
    findings = page.locator("#findings")
    assert "Проверка ещё не выполнялась" in findings.inner_text()
    assert "Открытых замечаний нет" not in findings.inner_text()
    assert_no_horizontal_scroll(page)
    shot(page, "my-class-teacher-not-checked-phone")
    call_command("run_job", "--all")
    page.reload()
    findings = page.locator("#findings")
    assert "Проверка ещё не выполнялась" not in findings.inner_text()
    # The checks have run and found nothing for this class: now the page may say so, and when.
    assert "Открытых замечаний нет" in findings.inner_text()
    assert "Проверено" in findings.inner_text()
    shot(page, "my-class-teacher-checked-phone")

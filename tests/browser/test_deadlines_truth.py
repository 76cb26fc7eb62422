"""Deadlines in a real browser (issue 12, item 5), phone and desktop: the responsible person's
start page and «Мои задачи» flag the overdue task; the board says «выполнено с опозданием» for a
point done late; moving a recorded deadline asks for a reason and the history shows it."""

import datetime

import pytest
from django.utils import timezone

from orders.models import Order, OrderEvent, Regulation, Responsibility
from tests.browser.phone import WIDE, assert_no_horizontal_scroll, assert_not_clipped, shot
from tests.factories import OrderFactory, OrderPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def order_with_deadlines(school, coordinator):
    order = OrderFactory(school=school, status=Order.Status.IN_FORCE, number="883")
    overdue = OrderPointFactory(
        order=order,
        number="1",
        position=1,
        text="Утвердить Положение об информационно-коммуникационной образовательной платформе",
        check_key="regulation_attached",
        deadline=_days(-5),
    )
    late = OrderPointFactory(
        order=order,
        number="8",
        position=8,
        text="Разместить Положение на официальном сайте гимназии",
        check_key="regulation_published",
        deadline=_days(-10),
    )
    Regulation.objects.create(
        school=school,
        order=order,
        title="Положение",
        approved_on=_days(-30),
        published_on=_days(-2),
        published_url="https://school.example/reg.pdf",
    )
    for point in (overdue, late):
        Responsibility.objects.create(point=point, person=coordinator.person)
    return overdue, late


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_overdue_badge_done_late_and_a_reason_for_a_moved_deadline(
    size, browser, live_server, login, coordinator, director, order_with_deadlines, settings
):
    settings.BOARD_CACHE_SECONDS = 0
    overdue, late = order_with_deadlines
    viewport = {"width": 390, "height": 844} if size == "phone" else WIDE
    context = browser.new_context(viewport=viewport, is_mobile=size == "phone", locale="ru-RU")
    page = context.new_page()
    try:
        login(page, "coordinator")
        page.goto(f"{live_server.url}/")
        flag = page.locator("[data-overdue-tasks]")
        assert "Просрочено задач: 1" in flag.inner_text()
        assert "п. 1 приказа № 883" in flag.inner_text()
        assert page.locator("[data-overdue-badge]").is_visible()
        assert_no_horizontal_scroll(page)
        shot(page, f"home-coordinator-overdue-{size}")

        flag.locator("a", has_text="Все мои задачи").click()
        page.wait_for_load_state("networkidle")
        first = page.locator("table.my-tasks tbody tr").first
        assert first.get_attribute("data-point") == str(overdue.pk)
        assert first.locator(".badge--overdue").inner_text() == "просрочено"
        assert (
            "выполнено с опозданием"
            in page.locator(f'table.my-tasks tr[data-point="{late.pk}"]').inner_text()
        )
        assert_no_horizontal_scroll(page)
        assert_not_clipped(page, "table.my-tasks .badge")
        shot(page, f"my-tasks-coordinator-{size}")

        page.goto(f"{live_server.url}/orders/points/{overdue.pk}/edit/")
        page.fill("input[name=deadline]", _days(14).isoformat())
        page.locator("form.form button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        assert "укажите причину" in page.locator("main").inner_text()
        assert_no_horizontal_scroll(page)
        shot(page, f"point-deadline-reason-required-{size}")
        page.fill("input[name=date_change_reason]", "Письмо управления образования")
        page.locator("form.form button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        assert OrderEvent.objects.filter(kind="date_changed", point=overdue).count() == 1
        history = page.locator(f"#point-{overdue.pk} details.point__history")
        history.locator("summary").click()
        assert "Причина: Письмо управления образования" in history.inner_text()
        shot(page, f"order-detail-history-{size}")

        context.clear_cookies()
        login(page, "director")
        page.goto(f"{live_server.url}/orders/board/")
        badge = page.locator('tr[data-point="8"] .board-point__status .badge')
        assert badge.inner_text() == "выполнено с опозданием"
        assert_no_horizontal_scroll(page)
        shot(page, f"board-director-done-late-{size}")
    finally:
        context.close()

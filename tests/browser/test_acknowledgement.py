"""The acknowledgement sheet in a real browser: a member of staff acknowledges the order with one
click from the start page (on a phone), and the coordinator sees the share change."""

import pytest
from django.core.files.base import ContentFile

from orders.models import Acknowledgement, Order, Responsibility
from orders.services import acknowledgements_distribute
from tests.factories import OrderFactory, OrderPointFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent_order(school, coordinator, staff_member):
    order = OrderFactory(
        school=school,
        number="883",
        status=Order.Status.IN_FORCE,
        title=(
            "Об использовании информационно-коммуникационной образовательной платформы "
            "«Сферум» в национальном мессенджере «МАХ»"
        ),
    )
    order.file.save("prikaz-883.pdf", ContentFile(b"%PDF-1.4\n"))
    point = OrderPointFactory(
        order=order,
        number="2",
        check_key="person_in_charge_today",
        text="Назначить администратором Горбатенко В.И., при её отсутствии – Костюкова Д.Ю.",
    )
    Responsibility.objects.create(point=point, person=coordinator.person)
    Responsibility.objects.create(
        point=point,
        person=PersonFactory(school=school, full_name="Костюков Дмитрий Юрьевич"),
        role=Responsibility.Role.BACKUP,
    )
    OrderPointFactory(
        order=order, number="10", check_key="order_acknowledged", text="Лист ознакомления"
    )
    for index in range(2):
        PersonFactory(school=school, full_name=f"Учитель {index + 1}", position="учитель")
    acknowledgements_distribute(
        order=order
    )  # coordinator, staff_member, backup and two teachers: 5
    return order


def share(page):
    element = page.locator("#ack-summary .ack-share")
    return element.get_attribute("data-done"), element.get_attribute("data-total")


def test_staff_member_acknowledges_and_the_coordinator_sees_the_share_change(
    browser, phone_page, desktop_page, live_server, login, screenshot, sent_order, staff_member
):
    order_url = f"{live_server.url}/orders/{sent_order.pk}/"

    # The coordinator looks at the order first: nobody has read it yet.
    login(desktop_page, "coordinator")
    desktop_page.goto(order_url)
    assert share(desktop_page) == ("0", "5")
    assert "ознакомлены 0 из 5 (0%)" in desktop_page.locator("#ack-summary").inner_text()
    assert (
        desktop_page.locator('[data-status="not_done"] .point__number', has_text="п. 10").count()
        == 1
    )
    screenshot(desktop_page, "order-detail-before-acknowledgement")

    # A member of staff, on a phone: the start page asks to open the order; there it is read
    # and confirmed with the order's number and date.
    login(phone_page, "staff_member")
    phone_page.goto(f"{live_server.url}/")
    prompt = phone_page.locator("#acknowledge-prompt")
    assert "Приказ № 883 от 15.12.2025" in prompt.inner_text()
    assert prompt.locator("button").count() == 0  # nothing acknowledged unread
    screenshot(phone_page, "home-acknowledge-prompt-phone")
    prompt.locator("a", has_text="Открыть приказ и ознакомиться").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.url.endswith(f"/orders/{sent_order.pk}/#acknowledge")
    form = phone_page.locator("#acknowledge")
    assert form.is_visible()
    screenshot(phone_page, "order-acknowledge-form-phone")
    form.locator("button", has_text="Подтвердить ознакомление").click()
    # The browser holds the form back until the box is ticked.
    assert (
        Acknowledgement.objects.get(order=sent_order, person=staff_member.person).acknowledged_at
        is None
    )
    phone_page.check("text=Ознакомлен(а) с приказом № 883 от 15.12.2025")
    form.locator("button", has_text="Подтвердить ознакомление").click()
    phone_page.wait_for_load_state("networkidle")
    assert "вы ознакомлены с приказом № 883" in phone_page.content()
    screenshot(phone_page, "order-acknowledged-phone")
    row = Acknowledgement.objects.get(order=sent_order, person=staff_member.person)
    assert row.acknowledged_at is not None

    # Reloading the start page no longer asks.
    phone_page.reload()
    assert phone_page.locator("#acknowledge-prompt").count() == 0

    # The coordinator sees the share change, on the order and on the sheet.
    desktop_page.reload()
    assert share(desktop_page) == ("1", "5")
    assert "ознакомлены 1 из 5 (20%)" in desktop_page.locator("#ack-summary").inner_text()
    assert (
        desktop_page.locator('[data-status="partial"] .point__number', has_text="п. 10").count()
        == 1
    )
    assert (
        "1 из 5" in desktop_page.locator('[data-status="partial"]', has_text="п. 10").inner_text()
    )
    screenshot(desktop_page, "order-detail-after-acknowledgement")

    desktop_page.click("text=лист ознакомления")
    desktop_page.wait_for_load_state("networkidle")
    acknowledged = desktop_page.locator('tr[data-acknowledged="yes"]')
    assert acknowledged.count() == 1 and staff_member.person.full_name in acknowledged.inner_text()
    assert desktop_page.locator('tr[data-acknowledged="no"]').count() == 4
    screenshot(desktop_page, "acknowledgement-sheet")

    desktop_page.click("text=Версия для печати")
    desktop_page.wait_for_load_state("networkidle")
    headers = desktop_page.locator("thead th").all_inner_texts()
    assert headers == ["№", "ФИО", "Должность", "Дата ознакомления", "Подпись"]
    assert desktop_page.locator("tbody tr").count() == 5
    screenshot(desktop_page, "acknowledgement-sheet-print")


def test_the_order_page_on_a_phone(
    phone_page, live_server, login, screenshot, sent_order, staff_member
):
    login(phone_page, "staff_member")
    phone_page.goto(f"{live_server.url}/orders/{sent_order.pk}/")
    assert phone_page.locator(".point").count() == 2
    # Nothing wider than the screen: the page does not scroll sideways.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone_page.check("text=Ознакомлен(а) с приказом № 883 от 15.12.2025")
    phone_page.click("text=Подтвердить ознакомление")
    phone_page.wait_for_load_state("networkidle")
    assert "Вы ознакомлены с приказом" in phone_page.content()
    screenshot(phone_page, "order-detail-phone")

"""The import, accounts and schedule screens at 390×844 and 1366×800: no sideways scroll, the
actions inside the viewport; screenshots in var/shots/ to look at."""

from pathlib import Path

import pytest
from django.core.management import call_command

from roster.imports.services import import_read
from roster.models import ImportRun
from staff.models import Person
from tests.factories import OrderFactory, PersonFactory
from tests.roster.files import CLASSES_HEADER, STAFF_HEADER, staff_rows, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "var" / "shots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 800}}


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url}: {width}px wide"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_roster_screens(live_server, browser, size, coordinator, school):
    call_command("setup_periodic_tasks", stdout=open("/dev/null", "w"))
    PersonFactory(school=school, full_name="Петрова Анна Сергеевна", email="petrova@example.ru")
    PersonFactory(school=school, full_name="Сидоров Пётр Ильич", email="")
    ok = ImportRun.objects.create(
        school=school,
        kind="staff",
        file_name="сотрудники-2026.xlsx",
        created_by=coordinator,
        content=xlsx_bytes([STAFF_HEADER, *staff_rows(120)]),
    )
    import_read(run_id=ok.pk)
    bad = ImportRun.objects.create(
        school=school,
        kind="classes",
        file_name="классы.xlsx",
        created_by=coordinator,
        content=xlsx_bytes(
            [
                CLASSES_HEADER,
                ["5А", "", 25, 40],
                ["12Б", "", 20, ""],
                ["5 а", "Нет Такого Человека", "двадцать", ""],
            ]
        ),
    )
    import_read(run_id=bad.pk)
    running = ImportRun.objects.create(
        school=school,
        kind="staff",
        file_name="большой.xlsx",
        created_by=coordinator,
        content=b"",
        status="running",
        progress_done=1300,
        progress_total=5000,
    )

    context = browser.new_context(
        viewport=SIZES[size], locale="ru-RU", is_mobile=size == "phone", has_touch=size == "phone"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "coordinator")
    page.fill("input[name=password]", "pass")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    screens = [
        ("imports", "/staff/imports/"),
        ("import-preview", f"/staff/imports/{ok.pk}/"),
        ("import-errors", f"/staff/imports/{bad.pk}/"),
        ("import-progress", f"/staff/imports/{running.pk}/"),
        ("accounts", "/staff/accounts/"),
        ("accounts-create-all", "/staff/accounts/create-all/"),
        ("jobs", "/staff/jobs/"),
    ]
    for name, path in screens:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1
        _no_sideways_scroll(page)
        _shoot(page, f"{name}-{size}")

    # The progress bar is there and polls; the preview's «Применить» is inside the viewport.
    page.goto(f"{live_server.url}/staff/imports/{running.pk}/")
    assert page.locator("progress").get_attribute("value") == "26"
    page.goto(f"{live_server.url}/staff/imports/{ok.pk}/")
    box = page.get_by_role("button", name="Применить").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["width"]
    assert box["height"] >= 44
    assert (
        "Строка 3, «Класс»: «12Б» — в школе классы с 1 по 11"
        in page.goto(f"{live_server.url}/staff/imports/{bad.pk}/").text()
    )

    # The printed sheet of codes (Сидоров has no e-mail).
    page.goto(f"{live_server.url}/staff/accounts/create-all/")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".code-card").count() == 1
    _no_sideways_scroll(page)
    _shoot(page, f"account-codes-{size}")
    page.emulate_media(media="print")
    _shoot(page, f"account-codes-print-{size}")
    page.emulate_media(media="screen")

    # The person's pages: the code page and the dead-link page.
    anonymous = browser.new_context(viewport=SIZES[size], locale="ru-RU").new_page()
    anonymous.goto(f"{live_server.url}/accounts/code/")
    _no_sideways_scroll(anonymous)
    _shoot(anonymous, f"account-code-{size}")
    anonymous.goto(f"{live_server.url}/accounts/set/MQ/bad-token/")
    _shoot(anonymous, f"account-link-gone-{size}")
    assert Person.objects.filter(user__isnull=False).count() >= 3
    context.close()


def test_admin_tables_fit_1366(live_server, browser, coordinator, school, class_5a):
    call_command("setup_periodic_tasks", stdout=open("/dev/null", "w"))
    OrderFactory(school=school)
    PersonFactory(
        school=school,
        full_name="Константинопольская-Рождественская Мария Петровна",
        position="заместитель директора по учебно-воспитательной работе",
    )
    coordinator.is_staff = True
    coordinator.save()
    context = browser.new_context(viewport=SIZES["desktop"], locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "coordinator")
    page.fill("input[name=password]", "pass")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "ЗДРАВСТВУЙТЕ, СОТРУДНИК COORDINATOR" in page.locator("#user-tools").inner_text()
    for name, path in [
        ("admin-index", "/admin/"),
        ("admin-people", "/admin/staff/person/"),
        ("admin-person-add", "/admin/staff/person/add/"),
        ("admin-classes", "/admin/staff/schoolclass/"),
        ("admin-points", "/admin/orders/orderpoint/"),
        ("admin-responsibilities", "/admin/orders/responsibility/"),
        ("admin-imports", "/admin/roster/importrun/"),
        ("admin-jobruns", "/admin/compliance/jobrun/"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        _no_sideways_scroll(page)
        _shoot(page, f"{name}-desktop")
    context.close()

"""The director's order board in a real browser: board, drill-down, XLSX and PDF,
a phone-sized screen."""

import io

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.orders.board_data import build_gappy_school, register_fixed_checks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gappy(school, monkeypatch):
    register_fixed_checks(monkeypatch)  # the live server runs in this process: it sees these checks
    return build_gappy_school(school, today=timezone.localdate())


def test_director_reads_the_board_drills_down_and_downloads_reports(
    desktop_page, live_server, login, screenshot, gappy, director, tmp_path
):
    page = desktop_page
    login(page, "director")
    page.goto(f"{live_server.url}/orders/board/")
    assert page.locator("h1").inner_text() == "Исполнение приказа"
    assert page.locator('tr[data-point="2"] .badge').inner_text() == "просрочено"
    assert page.locator('tr[data-point="1"] .board-point__figure').inner_text() == "3 из 3 классов"
    assert "Костюков Дмитрий Юрьевич" in page.locator('tr[data-point="2"]').inner_text()
    # No snapshots yet besides today's figures: the trends say so instead of drawing a dot.
    assert page.locator("svg.chart").count() == 0
    assert "Мало данных для динамики" in page.locator(".board-trends").inner_text()
    screenshot(page, "board-desktop")

    # Click-through from a headline figure to what is missing and who answers for it.
    page.click('a[data-figure="classes"]')
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Что не так и кто отвечает"
    table = page.locator(".drilldown-table").inner_text()
    assert "Нет чата с родителями 6А" in table and "Иванова Анна Сергеевна" in table
    screenshot(page, "board-drilldown")

    page.goto(f"{live_server.url}/orders/board/")
    with page.expect_download() as xlsx_download:
        page.click("text=Скачать XLSX")
    xlsx_path = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == ["Пункты", "Классы", "Замечания", "Ссылки"]
    sheet = workbook["Пункты"]
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert gappy.school.name in cells
    assert "Отчёт об исполнении: Приказ № 883 от 15.12.2025. Пункты приказа" in cells

    with page.expect_download() as pdf_download:
        page.click("text=Скачать PDF")
    pdf_path = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf_path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "№ 883" in text


def test_board_is_readable_on_a_phone(phone_page, live_server, login, screenshot, gappy, director):
    page = phone_page
    login(page, "director")
    page.goto(f"{live_server.url}/orders/board/")
    # No sideways scrolling of the page: the points read as cards, one under another.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.locator(".board-points thead").is_hidden()
    row = page.locator('tr[data-point="2"]')
    box = row.bounding_box()
    assert box["width"] <= 390
    assert row.locator("td").first.evaluate("el => getComputedStyle(el).display") == "block"
    assert "просрочено" in row.inner_text() and "1 из 3 классов" in row.inner_text()
    assert page.locator(".board-figure").first.is_visible()
    screenshot(page, "board-phone")

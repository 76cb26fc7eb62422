"""Reports for the education department: XLSX and PDF, one school and the municipality."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from board.exports import board_pdf
from board.selectors import boards_build
from board.workbook import board_xlsx
from orders.models import OrderPoint
from staff.models import School

from .board_data import build_gappy_school, build_scale_school, register_fixed_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def gappy(school, monkeypatch):
    register_fixed_checks(monkeypatch)
    return build_gappy_school(school, today=timezone.localdate())


def _cells(sheet) -> list[str]:
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


SHEETS = ["Пункты", "Классы", "Замечания", "Ссылки"]


def _table(sheet) -> list[dict]:
    """The rows of a sheet's table (header on row 4) as dicts, down to the first empty row."""
    header = [cell.value for cell in sheet[4]]
    rows = []
    for row in sheet.iter_rows(min_row=5):
        if row[0].value is None:
            break
        rows.append(dict(zip(header, (cell.value for cell in row), strict=False)))
    return rows


def _school_workbook(client, director):
    client.force_login(director)
    response = client.get(reverse("board:board_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"] and "883" in response["Content-Disposition"]
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_school_xlsx_looks_like_a_report(client, gappy, director):
    workbook = _school_workbook(client, director)

    assert workbook.sheetnames == SHEETS
    points = workbook["Пункты"]
    cells = _cells(points)
    text = "\n".join(cells)
    assert points["A1"].value == gappy.school.name
    assert points["A2"].value == "Отчёт об исполнении: Приказ № 883 от 15.12.2025. Пункты приказа"
    assert points["A3"].value == f"По состоянию на {timezone.localdate():%d.%m.%Y}"
    for status in ("выполнено", "просрочено", "частично", "не измеряется", "не выполнено"):
        assert status in cells
    assert "Костюков Д.Ю. (за Горбатенко В.И.)" in cells  # who answers today for point 2
    assert "Директор  _______________________  / Гладкова Людмила Ивановна /" in text
    assert f"Дата: {timezone.localdate():%d.%m.%Y}" in cells


def test_school_xlsx_figures_are_numbers_in_their_own_columns(client, gappy, director):
    points = _school_workbook(client, director)["Пункты"]

    rows = {row["№ п."]: row for row in _table(points)}
    assert (rows["1"]["Выполнено"], rows["1"]["Всего"], rows["1"]["Доля, %"]) == (3, 3, 100)
    assert (rows["2"]["Выполнено"], rows["2"]["Всего"], rows["2"]["Доля, %"]) == (1, 3, 33)
    assert rows["2"]["Единица"] == "классов" and rows["2"]["Срок"].date() < timezone.localdate()
    assert rows["7.1"]["Выполнено"] is None and rows["7.1"]["Срок"] == "постоянно"
    # Nobody is named for point 7.1: the document says so instead of leaving a blank.
    assert rows["7.1"]["Ответственный сегодня"] == "не назначен"
    for row in points.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # values, not Excel formulas
    headline = next(
        row for row in points.iter_rows() if row[0].value == "Классы со всеми обязательными чатами"
    )
    assert [cell.value for cell in headline[:4]] == [
        "Классы со всеми обязательными чатами",
        1,
        3,
        33,
    ]
    assert all(cell.data_type == "n" for cell in headline[1:4])


def test_every_sheet_has_a_frozen_filtered_header_and_widths_that_fit(client, gappy, director):
    workbook = _school_workbook(client, director)

    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A5", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A4:"), sheet.title
        for heading in sheet[4]:
            width = sheet.column_dimensions[heading.column_letter].width
            longest_word = max(len(word) for word in str(heading.value).split())
            values = [
                10 if isinstance(value, datetime.date) else len(str(value))
                for value in (row[heading.value] for row in _table(sheet))
                if value is not None
            ]
            assert width >= min(max([longest_word, *values]), 60), (sheet.title, heading.value)
            assert width <= 62, (sheet.title, heading.value)


def test_the_tables_look_like_a_report(client, gappy, director):
    """Bold shaded headings, every cell of a table boxed and wrapped, dates as dates, the state of a
    point in its colour; the title above in a larger bold type."""
    workbook = _school_workbook(client, director)
    points = workbook["Пункты"]
    assert points["A1"].font.b and points["A1"].font.sz == 13
    assert not points["A2"].font.b
    for heading in points[4]:
        assert heading.font.b and heading.fill.fgColor.rgb[-6:] == "E6EEFB", heading.coordinate
        assert heading.border.left.style == "thin" and heading.alignment.wrap_text
    header = [cell.value for cell in points[4]]
    state, deadline = header.index("Состояние"), header.index("Срок")
    colours = {}
    for row in points.iter_rows(min_row=5, max_row=4 + len(_table(points))):
        for cell in row:
            assert cell.border.bottom.style == "thin" and cell.alignment.wrap_text, cell.coordinate
            assert not cell.font.b, cell.coordinate
        if isinstance(row[deadline].value, datetime.datetime):
            assert row[deadline].number_format == "DD.MM.YYYY"
        colours[row[state].value] = row[state].fill.fgColor.rgb[-6:]  # without the alpha
    assert colours["выполнено"] == "E3F4E8" and colours["просрочено"] == "F6C9C4"
    assert colours["частично"] == "FFF3D6" and colours["не измеряется"] == "ECEFF3"
    shown = next(row for row in points.iter_rows() if row[0].value == "Показатели")
    assert shown[0].font.b
    for sheet in workbook.worksheets[1:]:
        assert all(cell.font.b for cell in sheet[4]), sheet.title


def test_the_classes_findings_and_links_sheets(client, gappy, director):
    workbook = _school_workbook(client, director)

    classes = {row["Класс"]: row for row in _table(workbook["Классы"])}
    assert set(classes) == {"5А", "5Б", "6А"}  # the archived 11А is not listed
    assert classes["5А"]["Классный руководитель"] == "Иванова Анна Сергеевна"
    assert (classes["5А"]["Обязательных чатов"], classes["5А"]["Создано"]) == (2, 2)
    assert classes["5А"]["Все чаты есть"] == "да" and classes["6А"]["Все чаты есть"] == "нет"
    assert classes["5А"]["Участников в чате учащихся"] == 20
    assert classes["5А"]["Учащихся по списку"] == 25
    assert classes["5Б"]["Участников в чате учащихся"] is None  # no chat: nothing to count
    assert classes["5Б"]["Классный руководитель"] == "не назначен"

    findings = _table(workbook["Замечания"])
    assert sorted(row["Что не так"] for row in findings) == [
        "Иное",
        "Нет чата с родителями 6А",
        "Пункт 2 просрочен",
    ]
    assert next(row for row in findings if row["Класс"] == "6А")["Выявлено"].date() == (
        timezone.localdate()
    )

    links = {row["Класс"]: row for row in _table(workbook["Ссылки"])}
    assert links["5Б"]["Действует"] == 1 and links["5Б"]["Использована"] == 1
    assert links["5Б"]["Всего ссылок"] == 2 and links["5Б"]["Использований"] == 1
    assert links["6А"]["Истёк срок"] == 1 and links["6А"]["Аннулирована"] == 1


def test_school_pdf_has_the_order_number_and_cyrillic_text(client, gappy, director):
    client.force_login(director)
    response = client.get(reverse("board:board_export_school", args=[gappy.school.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Приказ № 883 от 15.12.2025" in text
    assert "Гимназия им. А.С. Пушкина" in text
    assert "просрочено" in text and "Директор" in text and "Гладкова Людмила Ивановна" in text


def test_municipal_exports_cover_every_school(client, gappy, other_school, inspector):
    client.force_login(inspector)
    xlsx = client.get(reverse("board:inspector_export", args=["xlsx"]))
    assert xlsx.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Свод", *SHEETS]
    summary = _cells(workbook["Свод"])
    assert gappy.school.short_name in summary and other_school.short_name in summary
    assert "Действующий приказ не внесён" in summary  # the other school has no order yet
    # Who answers today, as the school's board says: the inspector's workbook is not blank there.
    points = {row["№ п."]: row for row in _table(workbook["Пункты"])}
    assert points["2"]["Школа"] == gappy.school.short_name
    assert points["2"]["Ответственный сегодня"] == "Костюков Д.Ю. (за Горбатенко В.И.)"
    classes = _table(workbook["Классы"])
    assert {row["Школа"] for row in classes} == {gappy.school.short_name}

    pdf = client.get(reverse("board:inspector_export", args=["pdf"]))
    assert pdf.status_code == 200
    text = _pdf_text(pdf.content)
    assert (
        "883" in text
        and other_school.short_name in text
        and "Начальник управления образования" in text
    )


def test_export_builders_handle_a_school_without_points(other_school):
    boards = boards_build(schools=School.objects.filter(pk=other_school.pk))
    assert (
        openpyxl.load_workbook(io.BytesIO(board_xlsx(boards=boards)))["Пункты"]["A1"].value
        == other_school.name
    )
    assert "Действующий приказ не внесён" in _pdf_text(board_pdf(boards=boards))


@pytest.mark.parametrize(
    "user_fixture, expected",
    [
        ("director", 200),
        ("coordinator", 200),
        ("operator", 200),
        ("inspector", 200),
        ("teacher_5a", 403),
        ("staff_member", 403),
        ("other_director", 404),
    ],
)
def test_school_export_access(client, request, school, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    url = reverse("board:board_export_school", args=[school.pk, "xlsx"])
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("user_fixture", ["director", "coordinator", "operator", "teacher_5a"])
def test_only_the_inspector_exports_the_municipality(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("board:inspector_export", args=["pdf"])).status_code == 403


def test_exports_require_login(client, school):
    response = client.get(reverse("board:board_export_school", args=[school.pk, "pdf"]))
    assert response.status_code == 302


@pytest.fixture
def demo_school(settings, tmp_path):
    """The gymnasium of order No. 883 as `make run` loads it: names as the school writes them."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    call_command("seed_demo", password="demo-pass-1", stdout=io.StringIO())
    return School.objects.get(short_name="Гимназия им. А.С. Пушкина")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_demo_schools_pdf_reads_like_the_order(client, demo_school):
    client.force_login(User.objects.get(username="director"))
    response = client.get(reverse("board:board_export_school", args=[demo_school.pk, "pdf"]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = _words("\n".join(page.extract_text() for page in reader.pages))

    point_8 = OrderPoint.objects.get(order__school=demo_school, order__number="883", number="8")
    assert len(_words(point_8.text)) > 200  # long enough to have been cut before
    assert _words(point_8.text) in text  # wrapped in full, never cut short
    assert "…" not in text
    assert "Гладкова Л.И." in text and "Гладкова Л. " not in text
    assert "Осипов А.А." in text  # point 8's responsible
    # Every point names who answers for it (or says nobody does).
    points = OrderPoint.objects.filter(order__school=demo_school, order__number="883")
    assert "классные руководители" in text  # point 4 addresses every class teacher
    assert text.count("не назначен") < points.count()
    pages = len(reader.pages)
    for number in range(1, pages + 1):
        assert f"Страница {number} из {pages}" in text
    assert f"Дата: {timezone.localdate():%d.%m.%Y}" in text
    assert "Директор _______________________ / Гладкова Л.И. /" in text


def test_the_demo_schools_workbook_names_people_as_the_school_writes_them(client, demo_school):
    client.force_login(User.objects.get(username="director"))
    response = client.get(reverse("board:board_export_school", args=[demo_school.pk, "xlsx"]))
    points = {
        row["№ п."]: row
        for row in _table(openpyxl.load_workbook(io.BytesIO(response.content))["Пункты"])
    }
    assert points["9"]["Ответственный сегодня"].startswith("Гладкова Л.И.")
    assert points["8"]["Ответственный сегодня"] == "Осипов А.А."
    point_8 = OrderPoint.objects.get(order__school=demo_school, order__number="883", number="8")
    assert points["8"]["Содержание пункта"] == _words(point_8.text)


def _export_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_municipal_workbook_costs_the_same_queries_for_2_and_6_schools(
    client, monkeypatch, inspector, django_assert_max_num_queries
):
    """Classes, findings and links of every school: one query each, not one per school."""
    register_fixed_checks(monkeypatch)
    for index in range(2):
        build_scale_school(index, classes=2)
    client.force_login(inspector)
    url = reverse("board:inspector_export", args=["xlsx"])
    client.get(url)  # warm up: session, content types
    two = _export_queries(client, url)
    for index in range(2, 6):
        build_scale_school(index, classes=4)
    with django_assert_max_num_queries(two):
        response = client.get(url)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len({row["Школа"] for row in _table(workbook["Классы"])}) == 6
    assert len(_table(workbook["Замечания"])) == 2 * 2 + 4 * 4

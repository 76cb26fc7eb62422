"""Reports for the education department: XLSX and PDF, one school and the municipality."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from board.exports import board_pdf, board_xlsx
from board.selectors import boards_build
from staff.models import School

from .board_data import build_gappy_school, register_fixed_checks

pytestmark = pytest.mark.django_db


@pytest.fixture
def gappy(school, monkeypatch):
    register_fixed_checks(monkeypatch)
    return build_gappy_school(school, today=timezone.localdate())


def _cells(sheet) -> list[str]:
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_school_xlsx_looks_like_a_report(client, gappy, director):
    client.force_login(director)
    response = client.get(reverse("board:board_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"] and "883" in response["Content-Disposition"]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = _cells(workbook.active)
    text = "\n".join(cells)
    assert gappy.school.name in cells
    assert "Отчёт об исполнении: Приказ № 883 от 15.12.2025" in cells
    assert f"По состоянию на {timezone.localdate():%d.%m.%Y}" in cells
    for status in ("выполнено", "просрочено", "частично", "не измеряется", "не выполнено"):
        assert status in cells
    assert "3 из 3 классов" in cells
    assert "Костюков Д.Ю. (за Горбатенко В.И.)" in cells  # who answers today for point 2
    assert "1 из 3 (33%)" in cells  # classes with every required chat
    assert "Директор  _______________________  / Гладкова Людмила Ивановна /" in text


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
    assert workbook.sheetnames[0] == "Свод" and len(workbook.sheetnames) == 3
    summary = _cells(workbook["Свод"])
    assert gappy.school.short_name in summary and other_school.short_name in summary
    assert "Действующий приказ не внесён" in summary  # the other school has no order yet

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
        openpyxl.load_workbook(io.BytesIO(board_xlsx(boards=boards))).active["A1"].value
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

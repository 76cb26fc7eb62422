"""Spreadsheet formula injection (CSV/XLSX injection): no text a school enters becomes a formula.

A point's text, a person's name or a school's short name beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return would be a live formula in the department's workbook (one school's
coordinator planting ``=HYPERLINK(…)`` in the inspector's file). Every text cell is written as a
string, such text prefixed with ``'`` as OWASP advises; numbers stay numbers.
"""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gymnasium_portal.spreadsheets import spreadsheet_text
from tests.factories import SchoolFactory

from .board_data import build_gappy_school, register_fixed_checks

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil","x")'
HOSTILE_SHORT_NAMES = ("+cmd", "-2+3", "\t=1")


@pytest.fixture
def hostile(school, monkeypatch):
    register_fixed_checks(monkeypatch)
    gappy = build_gappy_school(school, today=timezone.localdate())
    point = gappy.points["1"]
    point.text = HYPERLINK
    point.save()
    person = gappy.people["Осипов"]  # point 1's primary, present today
    person.full_name = "=1+1"
    person.save()
    school.short_name = "@SUM(1)"
    school.name = "-1+МАОУ"
    school.save()
    for short_name in HOSTILE_SHORT_NAMES:
        SchoolFactory(short_name=short_name)
    return gappy


def _workbook(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _cells(workbook):
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _assert_no_formulas(workbook):
    formulas = [
        f"{cell.parent.title}!{cell.coordinate}: {cell.value!r}"
        for cell in _cells(workbook)
        if cell.data_type == "f"
    ]
    assert formulas == []


def _texts(workbook) -> set[str]:
    return {cell.value for cell in _cells(workbook) if cell.data_type == "s"}


def test_the_schools_workbook_has_no_formulas(client, hostile, director):
    client.force_login(director)
    url = reverse("board:board_export_school", args=[hostile.school.pk, "xlsx"])
    workbook = _workbook(client.get(url))
    _assert_no_formulas(workbook)
    texts = _texts(workbook)
    assert "'" + HYPERLINK in texts  # the point's text, shown as written
    assert "'=1+1" in texts  # who answers for point 1
    assert "'-1+МАОУ" in texts  # the school's full name heading the sheet
    assert HYPERLINK not in texts and "=1+1" not in texts


def test_the_inspectors_workbook_has_no_formulas(client, hostile, inspector):
    client.force_login(inspector)
    workbook = _workbook(client.get(reverse("board:inspector_export", args=["xlsx"])))
    _assert_no_formulas(workbook)
    texts = _texts(workbook)
    for short_name in ("@SUM(1)", *HOSTILE_SHORT_NAMES):
        assert "'" + short_name in texts and short_name not in texts
    assert "'" + HYPERLINK in texts  # the school's sheet of the municipal workbook

    summary = workbook["Свод"]
    header = next(row for row in summary.iter_rows() if row[0].value == "Школа")
    school_row = next(row for row in summary.iter_rows() if row[0].value == "'@SUM(1)")
    counts = {head.value: cell.value for head, cell in zip(header, school_row, strict=True)}
    # Numbers stay numbers: the point counts and the open findings of the gappy school.
    assert counts["Выполнено"] == 1 and counts["Просрочено"] == 1
    assert counts["Открытые замечания"] == 3
    for cell in school_row[2:7] + school_row[8:9]:
        assert cell.data_type == "n" and isinstance(cell.value, int)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Гимназия № 1", "Гимназия № 1"),
        ("1 из 3 (33%)", "1 из 3 (33%)"),
        ("", ""),
    ],
)
def test_text_beginning_like_a_formula_is_prefixed(text, expected):
    assert spreadsheet_text(text) == expected

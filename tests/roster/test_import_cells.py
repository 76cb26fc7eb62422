"""What real files contain, normalised: classes, names, phones, yes/no, counts, headers."""

import pytest

from roster.imports import cells


@pytest.mark.parametrize(
    "value", ["5А", "5 А", "5-а", "5а", "5  а", " 5А ", "5A", "5 «А»", "5\u00a0а"]
)
def test_class_notations_are_one_class(value):
    assert cells.parse_class(value) == (5, "А")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12Б", "«12Б» — в школе классы с 1 по 11"),
        ("0А", "«0А» — в школе классы с 1 по 11"),
        ("5", "«5» — не указана буква класса"),
        ("пятый", "«пятый» — не похоже на класс (пример: «5А»)"),
        ("", "не указан класс"),
    ],
)
def test_bad_classes_are_named_in_russian(value, message):
    with pytest.raises(cells.CellError) as error:
        cells.parse_class(value)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "value",
    [
        "+7 912 345-67-89",
        "8 (912) 345-67-89",
        "89123456789",
        "79123456789",
        "9123456789",
        "+7(912)3456789",
        "8-912-345-67-89",
        "8 912 345 67 89",
        "89123456789.0",
    ],
)
def test_phone_notations_become_plus_seven(value):
    assert cells.parse_phone(value) == "+79123456789"


@pytest.mark.parametrize("value", ["123", "+44 20 7946 0958", "нет телефона", "8912345678901"])
def test_bad_phones_are_refused(value):
    with pytest.raises(cells.CellError):
        cells.parse_phone(value)


def test_full_name_in_one_column_with_doubled_spaces():
    assert cells.parse_full_name("  Иванова   Мария\u00a0Петровна ") == "Иванова Мария Петровна"
    assert cells.parse_full_name("Гладкова Л.И.") == "Гладкова Л.И."
    for bad in ("Иванова", "", "Иванова 123"):
        with pytest.raises(cells.CellError):
            cells.parse_full_name(bad)


def test_names_and_headers_compare_without_case_spaces_and_yo():
    assert cells.text_key("Пётр  ФЁДОРОВ") == cells.text_key("петр федоров")
    assert cells.header_key(" e-mail ") == cells.header_key("E-MAIL") == "email"
    assert cells.header_key("Классный  руководитель") == cells.header_key("классныйруководитель")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("да", True), ("Да", True), ("нет", False), ("НЕТ", False), ("1", True), ("0", False)],
)
def test_yes_no(value, expected):
    assert cells.parse_yes_no(value) is expected


def test_counts():
    assert cells.parse_count("25", required=True) == 25
    assert cells.parse_count("25.0", required=True) == 25
    assert cells.parse_count("", required=False) is None
    for bad in ("-3", "двадцать", "2.5"):
        with pytest.raises(cells.CellError):
            cells.parse_count(bad, required=True)

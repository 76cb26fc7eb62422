"""Imports through the real stack: files built here, the API of API.md, preview then apply."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from roster.imports import services
from roster.imports.reading import MAX_ROWS
from roster.imports.services import import_read
from roster.models import ImportRun
from staff.models import Movement, Person, SchoolClass
from staff.roles import Role
from tests.factories import PersonFactory, make_user

from .files import (
    CLASSES_HEADER,
    PNG,
    STAFF_HEADER,
    csv_bytes,
    staff_rows,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

STAFF = [
    STAFF_HEADER,
    ["Петрова  Анна Сергеевна", "учитель химии", "да", "Petrova@Example.ru", "8 (912) 345-67-89"],
    ["Сидоров Пётр Ильич", "заведующий хозяйством", "нет", "", "+7 912 345 67 90"],
    ["Ёлкина Вера", "учитель музыки", "Да", "", ""],
]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_file(client, name: str, content: bytes, kind: str = "staff"):
    return client.post(
        "/api/v1/imports/", {"file": upload(name, content), "kind": kind}, format="multipart"
    )


def read_and_get(client, response) -> dict:
    """The worker's part, in this process (the real worker has tests of its own), then a GET."""
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    import_read(run_id=response.json()["id"])
    return client.get(f"/api/v1/imports/{response.json()['id']}/").json()


def imported(operator, name, content, kind="staff") -> dict:
    client = api(operator)
    return read_and_get(client, post_file(client, name, content, kind))


# --- Files of every kind ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("staff.xlsx", xlsx_bytes(STAFF)),
        ("staff.csv", csv_bytes(STAFF, encoding="cp1251", separator=";")),
        ("staff.csv", csv_bytes(STAFF, encoding="utf-8", separator=",", bom=True)),
        ("staff.csv", csv_bytes(STAFF, encoding="utf-8", separator=";")),
        ("staff.csv", csv_bytes(STAFF, encoding="utf-8-sig", separator="\t")),
        ("STAFF.CSV", csv_bytes(STAFF, encoding="utf-16", separator=";")),
    ],
    ids=["xlsx", "cp1251-semicolon", "utf8-bom-comma", "utf8-semicolon", "tab", "utf16"],
)
def test_staff_file_in_any_encoding_and_separator_previews_alike(operator, name, content):
    body = imported(operator, name, content)
    assert body["status"] == "preview", body["errors"]
    assert body["errors"] == []
    assert (body["rows_total"], body["rows_valid"]) == (3, 3)
    assert body["summary"] == {"create": 3, "update": 0, "unchanged": 0}
    assert body["progress"] == {"done": 3, "total": 3}
    run = ImportRun.objects.get(pk=body["id"])
    assert [r["full_name"] for r in run.rows] == [
        "Петрова Анна Сергеевна",
        "Сидоров Пётр Ильич",
        "Ёлкина Вера",
    ]
    assert run.rows[0]["phone"] == "+79123456789"
    assert run.rows[0]["email"] == "petrova@example.ru"
    assert [r["teaching"] for r in run.rows] == [True, False, True]


def test_headers_in_another_case_with_spaces_and_unknown_columns(operator):
    rows = [
        ["Список сотрудников на 01.09"],  # a title line above the header
        ["  фио ", "ДОЛЖНОСТЬ", "педагог", "Примечание", "e-mail"],
        ["Петрова Анна", "учитель", "да", "что-то", ""],
    ]
    body = imported(operator, "s.xlsx", xlsx_bytes(rows))
    assert body["status"] == "preview" and body["errors"] == []
    assert body["rows_total"] == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "Файл пуст."),
        ("blank.csv", b"\r\n ; ;\r\n", "Файл пуст: в нём нет ни одной строки."),
        ("picture.xlsx", PNG, "Файл не является таблицей Excel (.xlsx)"),
        ("picture.csv", PNG, "не является текстовым файлом CSV"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "старого формата Excel"),
        ("header.csv", csv_bytes([STAFF_HEADER]), "только заголовок"),
        ("noheader.csv", csv_bytes(STAFF[1:]), "Не найдена строка заголовков"),
        (
            "partial.csv",
            csv_bytes([["ФИО", "Телефон"], ["Петрова Анна", ""]]),
            "нет столбцов «Должность», «Педагог»",
        ),
        ("broken.xlsx", xlsx_bytes(STAFF)[:2000], "повреждён"),
    ],
)
def test_unreadable_files_fail_with_a_clear_message(operator, name, content, message):
    client = api(operator)
    response = client.post(
        "/api/v1/imports/",
        {"file": upload(name, content or b"x"), "kind": "staff"},
        format="multipart",
    )
    if not content:  # an empty upload is refused at once
        response = client.post(
            "/api/v1/imports/", {"file": upload(name, b""), "kind": "staff"}, format="multipart"
        )
        assert response.status_code == 400
        assert "file" in response.json()
        return
    body = read_and_get(client, response)
    assert body["status"] == "failed"
    assert len(body["errors"]) == 1
    assert body["errors"][0]["row"] is None
    assert message in body["errors"][0]["message"]
    assert Person.objects.count() == 1  # the operator alone: nothing written
    apply = client.post(f"/api/v1/imports/{body['id']}/apply/")
    assert apply.status_code == 409


def test_a_50_megabyte_file_is_refused_at_upload(operator):
    big = b"a;b\r\n" * (50 * 1024 * 1024 // 5)
    response = post_file(api(operator), "big.csv", big)
    assert response.status_code == 400
    assert "5 МБ" in response.json()["file"][0]
    assert not ImportRun.objects.exists()


def test_wrong_extension_and_kind_are_400(operator):
    client = api(operator)
    response = post_file(client, "staff.pdf", b"%PDF-1.4")
    assert response.status_code == 400 and "file" in response.json()
    response = post_file(client, "staff.csv", csv_bytes(STAFF), kind="pupils")
    assert response.status_code == 400 and "kind" in response.json()


def test_twenty_thousand_rows_give_a_result(operator):
    rows = [STAFF_HEADER, *staff_rows(MAX_ROWS)]
    body = imported(operator, "big.csv", csv_bytes(rows))
    assert body["status"] == "preview"
    assert body["rows_total"] == MAX_ROWS and body["errors"] == []
    assert body["summary"]["create"] == MAX_ROWS
    # One row more is a clear error, not a half-read file.
    rows.append(["Лишняя Строка", "учитель", "да", "", ""])
    body = imported(operator, "bigger.csv", csv_bytes(rows))
    assert body["status"] == "failed"
    assert "больше 20\u00a0000 строк" in body["errors"][0]["message"]


# --- Problems by row and column --------------------------------------------------------------


def test_every_problem_is_named_by_row_and_column(operator, class_5a):
    rows = [
        ["Класс", "Классный руководитель", "Учащихся"],
        ["5 б", "", "26"],
        ["12Б", "", "3"],
        ["5-Б", "", "1"],
        ["6в", "Нет Такого", "x"],
    ]
    body = imported(operator, "classes.csv", csv_bytes(rows), kind="classes")
    assert body["status"] == "preview"
    assert body["errors"] == [
        {"row": 3, "column": "Класс", "message": "«12Б» — в школе классы с 1 по 11"},
        {"row": 4, "column": "Класс", "message": "класс 5Б уже есть в строке 2"},
        {"row": 5, "column": "Учащихся", "message": "«x» — нужно целое число не меньше 0"},
        {
            "row": 5,
            "column": "Классный руководитель",
            "message": "«Нет Такого» — нет такого сотрудника в школе (сначала загрузите список "
            "сотрудников)",
        },
    ]
    assert (body["rows_total"], body["rows_valid"]) == (4, 1)
    response = api(operator).post(f"/api/v1/imports/{body['id']}/apply/")
    assert response.status_code == 409
    assert "ошибками" in response.json()["detail"]
    assert SchoolClass.objects.count() == 1  # nothing written


# --- Preview, apply, apply again -------------------------------------------------------------


def test_preview_writes_nothing_apply_writes_reapply_changes_nothing(operator, school):
    before = Person.objects.count()
    body = imported(operator, "staff.xlsx", xlsx_bytes(STAFF))
    assert Person.objects.count() == before  # the preview wrote nothing

    client = api(operator)
    response = client.post(f"/api/v1/imports/{body['id']}/apply/")
    assert response.status_code == 200
    applied = response.json()
    assert applied["status"] == "applied" and applied["applied_at"]
    assert applied["summary"] == {"create": 3, "update": 0, "unchanged": 0}
    assert Person.objects.count() == before + 3
    petrova = Person.objects.get(full_name="Петрова Анна Сергеевна")
    assert (petrova.school, petrova.position, petrova.staff_kind, petrova.phone, petrova.email) == (
        school,
        "учитель химии",
        Person.StaffKind.TEACHING,
        "+79123456789",
        "petrova@example.ru",
    )
    # Applying one import twice is a 409.
    assert client.post(f"/api/v1/imports/{body['id']}/apply/").status_code == 409

    # The same file, uploaded again — and in another notation: all unchanged, nothing duplicated.
    again = [STAFF_HEADER] + [
        [r[0].upper().replace("Ё", "Е"), r[1], r[2], r[3], r[4]] for r in STAFF[1:]
    ]
    for content, name in (
        (xlsx_bytes(STAFF), "staff.xlsx"),
        (csv_bytes(again, encoding="cp1251"), "staff.csv"),
    ):
        second = imported(operator, name, content)
        assert second["summary"] == {"create": 0, "update": 0, "unchanged": 3}
        response = client.post(f"/api/v1/imports/{second['id']}/apply/")
        assert response.json()["summary"] == {"create": 0, "update": 0, "unchanged": 3}
    assert Person.objects.count() == before + 3


def test_a_changed_row_updates_the_person(operator, school):
    person = PersonFactory(school=school, full_name="Петрова Анна Сергеевна", position="учитель")
    body = imported(operator, "staff.csv", csv_bytes(STAFF))
    assert body["summary"] == {"create": 2, "update": 1, "unchanged": 0}
    api(operator).post(f"/api/v1/imports/{body['id']}/apply/")
    person.refresh_from_db()
    assert (person.position, person.phone) == ("учитель химии", "+79123456789")


def test_namesakes_are_told_apart_by_position(operator, school):
    first = PersonFactory(
        school=school, full_name="Иванова Мария Петровна", position="учитель физики"
    )
    second = PersonFactory(
        school=school, full_name="Иванова Мария Петровна", position="учитель химии"
    )
    rows = [
        STAFF_HEADER,
        ["Иванова Мария Петровна", "учитель химии", "да", "chem@example.ru", ""],
        ["иванова мария  петровна", "учитель физики", "да", "phys@example.ru", ""],
    ]
    body = imported(operator, "s.csv", csv_bytes(rows))
    assert body["summary"] == {"create": 0, "update": 2, "unchanged": 0}
    api(operator).post(f"/api/v1/imports/{body['id']}/apply/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.email, second.email) == ("phys@example.ru", "chem@example.ru")
    # The same name with the same position twice in one file is a doubled row.
    body = imported(operator, "s.csv", csv_bytes([*rows, rows[1]]))
    assert body["errors"][0]["row"] == 4 and "уже есть в строке 2" in body["errors"][0]["message"]


def test_classes_apply_with_teachers_and_counts(operator, school, class_5a):
    teacher = PersonFactory(school=school, full_name="Смирнова Ольга Ивановна")
    rows = [
        CLASSES_HEADER,
        ["5а", "смирнова  ольга ивановна", 27, 44],  # the existing 5А: new teacher and counts
        ["6 Б", "", 25, ""],
        ["7-в", "Смирнова Ольга Ивановна", "30", "50"],
    ]
    body = imported(operator, "classes.xlsx", xlsx_bytes(rows), kind="classes")
    assert body["errors"] == []
    assert body["summary"] == {"create": 2, "update": 1, "unchanged": 0}
    assert SchoolClass.objects.filter(school=school).count() == 1
    response = api(operator).post(f"/api/v1/imports/{body['id']}/apply/")
    assert response.status_code == 200
    class_5a.refresh_from_db()
    assert (class_5a.class_teacher, class_5a.students_expected, class_5a.parents_expected) == (
        teacher,
        27,
        44,
    )
    new = SchoolClass.objects.get(school=school, grade=7, letter="В")
    assert new.class_teacher == teacher and new.academic_year == class_5a.academic_year
    assert SchoolClass.objects.get(school=school, grade=6, letter="Б").students_expected == 25
    assert Movement.objects.filter(
        kind=Movement.Kind.STUDENTS_CHANGED, school_class=class_5a
    ).exists()
    # Again: every class unchanged, nothing recorded twice.
    movements = Movement.objects.count()
    body = imported(operator, "classes.xlsx", xlsx_bytes(rows), kind="classes")
    assert body["summary"] == {"create": 0, "update": 0, "unchanged": 3}
    api(operator).post(f"/api/v1/imports/{body['id']}/apply/")
    assert Movement.objects.count() == movements
    assert SchoolClass.objects.filter(school=school).count() == 3


def test_a_teacher_must_be_a_teacher_of_the_school(operator, school, other_school):
    PersonFactory(school=school, full_name="Завхозова Ирина", staff_kind=Person.StaffKind.OTHER)
    PersonFactory(school=other_school, full_name="Чужая Учительница")
    rows = [CLASSES_HEADER, ["5А", "Завхозова Ирина", 20, ""], ["5Б", "Чужая Учительница", 20, ""]]
    body = imported(operator, "c.csv", csv_bytes(rows), kind="classes")
    assert [e["message"] for e in body["errors"]] == [
        "«Завхозова Ирина» — не педагог",
        "«Чужая Учительница» — нет такого сотрудника в школе (сначала загрузите список "
        "сотрудников)",
    ]


def test_apply_while_pending_is_409(operator):
    response = post_file(api(operator), "s.csv", csv_bytes(STAFF))
    apply = api(operator).post(f"/api/v1/imports/{response.json()['id']}/apply/")
    assert apply.status_code == 409


def test_a_failure_inside_apply_leaves_nothing(operator, school, monkeypatch):
    body = imported(operator, "staff.csv", csv_bytes(STAFF))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Person.objects, "bulk_update", broken)
    PersonFactory(school=school, full_name="Петрова Анна Сергеевна", position="другая")
    with pytest.raises(RuntimeError):
        services.import_apply(run=ImportRun.objects.get(pk=body["id"]), by=operator)
    assert not Person.objects.filter(full_name="Сидоров Пётр Ильич").exists()
    assert ImportRun.objects.get(pk=body["id"]).status == "preview"


# --- The template ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "header"), [("staff", STAFF_HEADER), ("classes", CLASSES_HEADER)])
def test_template_has_the_header_and_an_example_that_imports(operator, school, kind, header):
    if kind == "classes":
        PersonFactory(school=school, full_name="Иванова Мария Петровна")
    response = api(operator).get(f"/api/v1/imports/template/?kind={kind}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == header and len(rows) == 2
    body = imported(operator, "template.xlsx", response.content, kind=kind)
    assert body["errors"] == [] and body["rows_valid"] == 1


def test_template_needs_a_kind(operator):
    assert api(operator).get("/api/v1/imports/template/").status_code == 400


# --- Who may --------------------------------------------------------------------------------


def test_another_schools_import_is_404(operator, other_school):
    other = make_user(school=other_school, username="other_op", roles=[Role.OPERATOR, Role.STAFF])
    body = imported(other, "s.csv", csv_bytes(STAFF))
    client = api(operator)
    assert client.get(f"/api/v1/imports/{body['id']}/").status_code == 404
    assert client.post(f"/api/v1/imports/{body['id']}/apply/").status_code == 404
    assert client.get("/api/v1/imports/").json()["count"] == 0


def test_coordinator_may_import(coordinator):
    body = imported(coordinator, "s.csv", csv_bytes(STAFF))
    assert body["status"] == "preview"
    assert api(coordinator).post(f"/api/v1/imports/{body['id']}/apply/").status_code == 200


@pytest.mark.parametrize("role", ["director", "teacher_5a", "inspector", "staff_member"])
def test_others_get_403(request, operator, role):
    body = imported(operator, "s.csv", csv_bytes(STAFF))
    client = api(request.getfixturevalue(role))
    assert post_file(client, "s.csv", csv_bytes(STAFF)).status_code == 403
    assert client.get(f"/api/v1/imports/{body['id']}/").status_code == 403
    assert client.post(f"/api/v1/imports/{body['id']}/apply/").status_code == 403
    assert client.get("/api/v1/imports/template/?kind=staff").status_code == 403


def test_anonymous_gets_401(operator):
    assert APIClient().get("/api/v1/imports/").status_code == 401
    assert post_file(APIClient(), "s.csv", csv_bytes(STAFF)).status_code == 401


def test_the_schema_documents_the_imports(operator):
    response = api(operator).get("/api/schema/?format=json")
    paths = response.json()["paths"]
    assert {
        "/api/v1/imports/",
        "/api/v1/imports/{id}/",
        "/api/v1/imports/{id}/apply/",
        "/api/v1/imports/template/",
    } <= set(paths)
    assert "409" in paths["/api/v1/imports/{id}/apply/"]["post"]["responses"]
    assert "multipart/form-data" in paths["/api/v1/imports/"]["post"]["requestBody"]["content"]


def test_the_list_costs_the_same_queries_whatever_its_size(operator, django_assert_max_num_queries):
    for _ in range(12):
        imported(operator, "s.csv", csv_bytes(STAFF))
    with django_assert_max_num_queries(8):
        response = api(operator).get("/api/v1/imports/")
    assert response.json()["count"] == 12

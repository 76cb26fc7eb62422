"""The import pages of the portal and of the admin: upload, progress, preview, «Применить»."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from roster.imports.services import import_read
from roster.models import ImportRun
from staff.models import Person, SchoolClass

from .files import CLASSES_HEADER, STAFF_HEADER, csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

STAFF = [STAFF_HEADER, ["Петрова Анна Сергеевна", "учитель химии", "да", "", "89123456789"]]


def upload_on_page(client, content: bytes, name="staff.csv", kind="staff"):
    return client.post(reverse("staff:imports"), {"kind": kind, "file": upload(name, content)})


def test_operator_uploads_sees_progress_then_preview_and_applies(client, operator):
    client.force_login(operator)
    response = client.get(reverse("staff:imports"))
    assert response.status_code == 200
    assert "Образец: сотрудники (.xlsx)" in response.content.decode()

    response = upload_on_page(client, csv_bytes(STAFF, encoding="cp1251"))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "staff:import_detail", args=[run.pk]
    )
    page = client.get(response.url).content.decode()
    assert f'hx-get="{reverse("staff:import_progress", args=[run.pk])}"' in page
    assert "<progress" in page and "Применить" not in page

    # The htmx poll while reading; when the worker is done it asks for the whole page again.
    partial = client.get(reverse("staff:import_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode()
    import_read(run_id=run.pk)
    partial = client.get(reverse("staff:import_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"

    page = client.get(reverse("staff:import_detail", args=[run.pk])).content.decode()
    assert "Применить" in page and "Петрова Анна Сергеевна" in page and "+79123456789" in page
    assert not Person.objects.filter(full_name="Петрова Анна Сергеевна").exists()
    response = client.post(reverse("staff:import_apply", args=[run.pk]))
    assert response.status_code == 302
    assert Person.objects.filter(full_name="Петрова Анна Сергеевна").exists()
    page = client.get(response.url).content.decode()
    assert "Загрузка применена: добавлено 1, изменено 0, без изменений 0." in page


def test_preview_lists_problems_by_row_and_column_and_refuses_to_apply(client, operator):
    client.force_login(operator)
    rows = [CLASSES_HEADER, *[[f"{g}А", "", 20, ""] for g in range(1, 12)], ["12Б", "", 20, ""]]
    upload_on_page(client, xlsx_bytes(rows), name="classes.xlsx", kind="classes")
    run = ImportRun.objects.get()
    import_read(run_id=run.pk)
    page = client.get(reverse("staff:import_detail", args=[run.pk])).content.decode()
    assert "Строка 13, «Класс»: «12Б» — в школе классы с 1 по 11" in page
    assert "1 ошибка в файле" in page
    assert f'action="{reverse("staff:import_apply", args=[run.pk])}"' not in page
    response = client.post(reverse("staff:import_apply", args=[run.pk]))
    assert response.status_code == 409
    assert "Загрузку с ошибками применить нельзя" in response.content.decode()
    assert not SchoolClass.objects.exists()


def test_a_picture_renamed_xlsx_fails_with_a_message_on_the_page(client, operator):
    client.force_login(operator)
    upload_on_page(client, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, name="photo.xlsx")
    run = ImportRun.objects.get()
    import_read(run_id=run.pk)
    response = client.get(reverse("staff:import_detail", args=[run.pk]))
    assert response.status_code == 200
    assert "Файл не является таблицей Excel" in response.content.decode()


def test_upload_form_errors_are_400_and_russian(client, operator):
    client.force_login(operator)
    response = upload_on_page(client, b"%PDF", name="x.pdf")
    assert response.status_code == 400
    assert "Нужен файл .xlsx или .csv." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_template_download_on_the_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("staff:import_template", args=["classes"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get("/staff/imports/template/pupils.xlsx").status_code == 404


@pytest.mark.parametrize("role", ["director", "teacher_5a", "inspector", "staff_member"])
def test_others_may_not_open_the_import_pages(client, operator, request, role):
    client.force_login(operator)
    upload_on_page(client, csv_bytes(STAFF))
    run = ImportRun.objects.get()
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("staff:imports")).status_code == 403
    assert client.get(reverse("staff:import_detail", args=[run.pk])).status_code == 403
    assert client.post(reverse("staff:import_apply", args=[run.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("staff:imports"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_another_schools_import_page_is_404(client, operator, other_school):
    run = ImportRun.objects.create(
        school=other_school, kind="staff", file_name="x.csv", content=b""
    )
    client.force_login(operator)
    assert client.get(reverse("staff:import_detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("staff:import_apply", args=[run.pk])).status_code == 404


def test_import_list_queries_do_not_grow(client, operator, django_assert_max_num_queries):
    client.force_login(operator)
    for _ in range(15):
        upload_on_page(client, csv_bytes(STAFF))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:imports"))
    assert response.content.decode().count("staff.csv") == 15


def test_admin_upload_and_apply_action(client, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    add = reverse("admin:roster_importrun_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"kind": "staff", "upload": upload("s.xlsx", xlsx_bytes(STAFF))})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.get()
    assert (run.school, run.created_by, run.file_name) == (
        coordinator.person.school,
        coordinator,
        "s.xlsx",
    )
    import_read(run_id=run.pk)
    page = client.get(reverse("admin:roster_importrun_change", args=[run.pk])).content.decode()
    assert "Предпросмотр и «Применить»" in page
    response = client.post(
        reverse("admin:roster_importrun_changelist"),
        {"action": "apply_selected", "_selected_action": [run.pk]},
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "applied"
    assert Person.objects.filter(full_name="Петрова Анна Сергеевна").exists()


def test_import_roster_command(tmp_path, school, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(STAFF, encoding="cp1251"))
    call_command("import_roster", str(path), kind="staff", school=str(school.pk))
    assert not Person.objects.filter(full_name="Петрова Анна Сергеевна").exists()
    call_command("import_roster", str(path), kind="staff", school=school.short_name, apply=True)
    assert "applied: created 1, updated 0, unchanged 0" in capsys.readouterr().out
    call_command("import_roster", str(path), kind="staff", school=school.short_name, apply=True)
    assert "applied: created 0, updated 0, unchanged 1" in capsys.readouterr().out
    assert Person.objects.filter(full_name="Петрова Анна Сергеевна").count() == 1

"""Imports: create (the upload), read (the worker), apply (one transaction), the template file.

Nothing of the school changes before ``import_apply``; apply re-reads the school under a lock and
works out again what each row changes, so applying a file a second time (a new upload of the same
file) finds every row unchanged and writes nothing.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gymnasium_portal.spreadsheets import workbook_bytes
from staff.models import Person, School, SchoolClass
from staff.services import schoolclass_students_change

from ..models import ImportRun
from ..services import class_teacher_assign
from .checking import (
    COLUMNS,
    EXAMPLE_ROWS,
    check_sheet,
    class_changes,
    classes_of_year,
    current_academic_year,
    match_people,
    people_by_name,
    person_changes,
)
from .reading import ReadError, open_sheet

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
EXTENSIONS = ("xlsx", "csv")


def validate_upload(upload):
    """What is checked at once on upload (the rest is the worker's): the type by name, the size."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(_("Нужен файл .xlsx или .csv."))
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("Файл больше %(mb)d МБ: разделите его на несколько.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not upload.size:
        raise ValidationError(_("Файл пуст."))
    return upload


class ImportConflict(Exception):
    """Apply asked of an import that is not in preview or has errors (the API's 409)."""


def import_create(*, school: School, kind: str, file_name: str, content: bytes, by) -> ImportRun:
    """Record the upload (``roster.tasks.import_upload`` also hands it to a worker)."""
    return ImportRun.objects.create(
        school=school, kind=kind, file_name=file_name[:255], content=content, created_by=by
    )


def _progress(run_id: int):
    def write(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=run_id).update(progress_done=done, progress_total=total)

    return write


def import_read(*, run_id: int) -> ImportRun | None:
    """The worker's part: read and check the file, fill the preview. Nothing of the school is
    written. A run already read (a redelivered message) is left as it is."""
    claimed = ImportRun.objects.filter(
        pk=run_id, status__in=[ImportRun.Status.PENDING, ImportRun.Status.RUNNING]
    ).update(status=ImportRun.Status.RUNNING, updated_at=timezone.now())
    if not claimed:
        return None
    run = ImportRun.objects.select_related("school").get(pk=run_id)
    try:
        sheet = open_sheet(bytes(run.content), run.file_name)
        checked = check_sheet(
            sheet=sheet, kind=run.kind, school=run.school, progress=_progress(run.pk)
        )
    except ReadError as error:
        return _fail(run, str(error))
    except Exception:  # never a crashed import: the operator gets a message, the log the trace
        logger.exception("import %s could not be read", run.pk)
        return _fail(
            run,
            _(
                "Файл не удалось прочитать. Проверьте, что это таблица .xlsx или "
                ".csv, и загрузите его снова."
            ),
        )
    rows = checked.rows
    summary = _plan(run.kind, run.school, rows)
    run.status = ImportRun.Status.PREVIEW
    run.rows_total, run.rows_valid = (
        checked.rows_total,
        checked.rows_total - len(checked.invalid_rows),
    )
    run.errors, run.rows, run.summary = checked.errors, rows, summary
    run.progress_done = run.progress_total = checked.rows_total
    run.save()
    return run


def _fail(run: ImportRun, message: str) -> ImportRun:
    run.status = ImportRun.Status.FAILED
    run.errors = [{"row": None, "column": None, "message": message}]
    run.rows, run.summary = [], {}
    run.save()
    return run


def _plan(kind: str, school: School, rows: list[dict]) -> dict:
    """What apply would do with each row: its ``action`` is set, the counts returned."""
    summary = {"create": 0, "update": 0, "unchanged": 0}
    if kind == ImportRun.Kind.CLASSES:
        existing = classes_of_year(school, current_academic_year(school))
        changes = [class_changes(r, existing.get((r["grade"], r["letter"]))) for r in rows]
    else:
        matched = match_people(rows, people_by_name(school))
        changes = [person_changes(r, p) for r, p in zip(rows, matched, strict=True)]
    for row, change in zip(rows, changes, strict=True):
        action = "create" if change.get("create") else ("update" if change else "unchanged")
        row["action"] = action
        summary[action] += 1
    return summary


@transaction.atomic
def import_apply(*, run: ImportRun, by) -> ImportRun:
    """Write the previewed rows in one transaction; a failure leaves nothing half-applied."""
    run = ImportRun.objects.select_for_update().select_related("school").get(pk=run.pk)
    if not run.may_apply:
        raise ImportConflict(
            _("Загрузку уже применили.")
            if run.status == ImportRun.Status.APPLIED
            else _("Загрузку с ошибками применить нельзя: исправьте файл и загрузите его снова.")
            if run.errors
            else _("Файл ещё не прочитан.")
        )
    school = School.objects.select_for_update().get(pk=run.school_id)  # one apply at a time
    if run.kind == ImportRun.Kind.CLASSES:
        summary = _apply_classes(school, run.rows, by)
    else:
        summary = _apply_staff(school, run.rows)
    run.status, run.summary = ImportRun.Status.APPLIED, summary
    run.applied_at, run.applied_by = timezone.now(), by
    run.save(update_fields=["status", "summary", "applied_at", "applied_by", "updated_at"])
    return run


def _apply_classes(school: School, rows: list[dict], by) -> dict:
    year = current_academic_year(school)
    existing = classes_of_year(school, year)
    teachers = {p.pk: p for p in Person.objects.filter(school=school, is_active=True)}
    summary = {"create": 0, "update": 0, "unchanged": 0}
    for row in rows:
        school_class = existing.get((row["grade"], row["letter"]))
        changes = class_changes(row, school_class)
        if not changes:
            summary["unchanged"] += 1
            continue
        if school_class is None:
            school_class = SchoolClass.objects.create(
                school=school,
                academic_year=year,
                grade=row["grade"],
                letter=row["letter"],
                students_expected=row["students"] or 0,
                parents_expected=row["parents"] or 0,
            )
            existing[(row["grade"], row["letter"])] = school_class
            summary["create"] += 1
        else:
            summary["update"] += 1
            if "students_expected" in changes:
                schoolclass_students_change(
                    school_class=school_class,
                    students_expected=changes["students_expected"],
                    by=by,
                    comment=_("Загрузка из таблицы"),
                )
            if "parents_expected" in changes:
                SchoolClass.objects.filter(pk=school_class.pk).update(
                    parents_expected=changes["parents_expected"], updated_at=timezone.now()
                )
        teacher_id = row["teacher_id"]
        if teacher_id is not None and teacher_id != school_class.class_teacher_id:
            teacher = teachers.get(teacher_id)
            if teacher is None:  # left the school between preview and apply
                raise ImportConflict(
                    _(
                        "Строка %(row)d: классный руководитель больше не работает в школе; "
                        "загрузите файл снова."
                    )
                    % {"row": row["row"]}
                )
            class_teacher_assign(school_class=school_class, person=teacher, by=by)
    return summary


def _apply_staff(school: School, rows: list[dict]) -> dict:
    matched = match_people(rows, people_by_name(school))
    summary = {"create": 0, "update": 0, "unchanged": 0}
    new_people: list[Person] = []
    changed_people: list[Person] = []
    changed_fields: set[str] = set()
    for row, person in zip(rows, matched, strict=True):
        changes = person_changes(row, person)
        if not changes:
            summary["unchanged"] += 1
        elif person is None:
            summary["create"] += 1
            new_people.append(
                Person(
                    school=school,
                    full_name=row["full_name"],
                    position=row["position"],
                    staff_kind=Person.StaffKind.TEACHING
                    if row["teaching"]
                    else Person.StaffKind.OTHER,
                    email=row["email"],
                    phone=row["phone"],
                )
            )
        else:
            summary["update"] += 1
            for name, value in changes.items():
                setattr(person, name, value)
            changed_people.append(person)
            changed_fields.update(changes)
    Person.objects.bulk_create(new_people, batch_size=1000)
    if changed_people:
        now = timezone.now()
        for person in changed_people:
            person.updated_at = now
        Person.objects.bulk_update(
            changed_people, [*sorted(changed_fields), "updated_at"], batch_size=1000
        )
    return summary


def template_bytes(kind: str) -> bytes:
    """The template of ``kind``: the header row as API.md names the columns and one example."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Классы") if kind == ImportRun.Kind.CLASSES else _("Сотрудники")
    sheet.append([column.title for column in COLUMNS[kind]])
    sheet.append(EXAMPLE_ROWS[kind])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS[kind]):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = max(
            14, len(column.title) + 6, 26 if index < 2 else 0
        )
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)

"""Rows of a file → problems by row and column, the normalised rows and what apply would do.

The check reads the school once (its active people and this year's classes, two queries) and then
goes through the rows one by one: a 20,000-row file costs the same two queries as a 20-row one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Person, School, SchoolClass

from . import cells
from .reading import HEADER_SEARCH_ROWS, MAX_ROWS, ReadError, Sheet


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # as API.md names it (and the template file writes it)
    required: bool
    aliases: tuple[str, ...] = ()

    def keys(self) -> set[str]:
        return {cells.header_key(self.title), *(cells.header_key(a) for a in self.aliases)}


COLUMNS: dict[str, tuple[Column, ...]] = {
    "classes": (
        Column("class", "Класс", True),
        Column("teacher", "Классный руководитель", False, ("Кл. руководитель",)),
        Column("students", "Учащихся", True, ("Учащиеся", "Число учащихся", "Учеников")),
        Column("parents", "Родителей", False, ("Родители", "Число родителей")),
    ),
    "staff": (
        Column("full_name", "ФИО", True, ("Ф.И.О.", "Фамилия Имя Отчество")),
        Column("position", "Должность", True),
        Column("teaching", "Педагог", True, ("Педагогический работник",)),
        Column("email", "E-mail", False, ("Email", "Эл. почта", "Электронная почта")),
        Column("phone", "Телефон", False, ("Мобильный телефон", "Тел.")),
    ),
}

EXAMPLE_ROWS = {
    "classes": ["5А", "Иванова Мария Петровна", 25, 40],
    "staff": [
        "Иванова Мария Петровна",
        "учитель математики",
        "да",
        "ivanova@example.ru",
        "+7 912 345-67-89",
    ],
}

PROGRESS_EVERY = 100  # rows between two progress writes


def current_academic_year(school: School) -> int:
    """The academic year the school's active classes belong to (or the calendar's, if none)."""
    years = SchoolClass.objects.filter(school=school, status=SchoolClass.Status.ACTIVE)
    latest = years.order_by("-academic_year").values_list("academic_year", flat=True).first()
    if latest is not None:
        return latest
    today: datetime.date = timezone.localdate()
    return today.year if today.month >= 8 else today.year - 1


@dataclass
class Checked:
    """What the worker found in a file: everything the preview and apply need."""

    rows_total: int = 0
    errors: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # the valid rows, normalised
    invalid_rows: set[int] = field(default_factory=set)

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})
        if row is not None:
            self.invalid_rows.add(row)


def _find_header(sheet_rows, columns: tuple[Column, ...]) -> tuple[dict[str, int], dict[str, str]]:
    """The header row among the first few: the index and the written title of each known column."""
    seen = []
    for number, values in sheet_rows:
        if not any(cells.clean_text(v) for v in values):
            continue
        positions: dict[str, int] = {}
        titles: dict[str, str] = {}
        for index, value in enumerate(values):
            key = cells.header_key(value)
            for column in columns:
                if key in column.keys() and column.key not in positions:
                    positions[column.key], titles[column.key] = index, cells.clean_text(value)
        if all(c.key in positions for c in columns if c.required):
            return positions, titles
        seen.append((number, positions))
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    required = ", ".join(f"«{c.title}»" for c in columns if c.required)
    if not seen:
        raise ReadError(_("Файл пуст: в нём нет ни одной строки."))
    best = max(seen, key=lambda item: len(item[1]))
    if best[1]:
        missing = ", ".join(f"«{c.title}»" for c in columns if c.required and c.key not in best[1])
        raise ReadError(
            _(
                "В строке заголовков (строка %(row)d) нет столбцов %(missing)s. Нужны столбцы: "
                "%(required)s — скачайте образец."
            )
            % {"row": best[0], "missing": missing, "required": required}
        )
    raise ReadError(
        _(
            "Не найдена строка заголовков: первая строка должна называть столбцы %(required)s "
            "(скачайте образец)."
        )
        % {"required": required}
    )


def check_sheet(
    *,
    sheet: Sheet,
    kind: str,
    school: School,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Checked:
    columns = COLUMNS[kind]
    rows = iter(sheet.rows)
    positions, titles = _find_header(rows, columns)
    checker = ClassRowChecker(school) if kind == "classes" else StaffRowChecker(school)
    checked = Checked()
    total = max(sheet.estimate - 1, 0)
    progress(0, total)
    for number, values in rows:
        if not any(cells.clean_text(v) for v in values):
            continue
        checked.rows_total += 1
        if checked.rows_total > MAX_ROWS:
            raise ReadError(
                _("В файле больше %(max)s строк данных: разделите его на несколько.")
                % {"max": f"{MAX_ROWS:,}".replace(",", "\u00a0")}
            )
        raw = {
            key: (values[index] if index < len(values) else "") for key, index in positions.items()
        }
        checker.check(number, raw, titles, checked)
        if checked.rows_total % PROGRESS_EVERY == 0:
            progress(checked.rows_total, max(total, checked.rows_total))
    if not checked.rows_total:
        raise ReadError(_("В файле только заголовок: нет ни одной строки с данными."))
    return checked


# --- classes -------------------------------------------------------------------------------------


class ClassRowChecker:
    def __init__(self, school: School):
        self.people = people_by_name(school)
        self.seen: dict[tuple[int, str], int] = {}

    def check(self, number: int, raw: dict[str, str], titles: dict[str, str], out: Checked) -> None:
        row: dict = {"row": number}
        ok = True

        def fail(key: str, message: str) -> None:
            nonlocal ok
            ok = False
            out.error(number, titles.get(key), message)

        try:
            grade, letter = cells.parse_class(raw["class"])
            previous = self.seen.get((grade, letter))
            if previous is not None:
                fail(
                    "class",
                    _("класс %(name)s уже есть в строке %(row)d")
                    % {"name": f"{grade}{letter}", "row": previous},
                )
            else:
                self.seen[(grade, letter)] = number
            row.update(grade=grade, letter=letter)
        except cells.CellError as error:
            fail("class", str(error))
        for key, required in (("students", True), ("parents", False)):
            if key not in raw:
                row[key] = None
                continue
            try:
                row[key] = cells.parse_count(raw[key], required=required)
            except cells.CellError as error:
                fail(key, str(error))
        row["teacher_id"] = None
        teacher = cells.clean_text(raw.get("teacher", ""))
        if teacher:
            found = self.people.get(cells.text_key(teacher), [])
            if not found:
                fail(
                    "teacher",
                    _(
                        "«%(name)s» — нет такого сотрудника в школе (сначала загрузите "
                        "список сотрудников)"
                    )
                    % {"name": teacher},
                )
            elif len(found) > 1:
                fail(
                    "teacher",
                    _("«%(name)s» — в школе несколько сотрудников с таким ФИО") % {"name": teacher},
                )
            elif found[0].staff_kind != Person.StaffKind.TEACHING:
                fail("teacher", _("«%(name)s» — не педагог") % {"name": teacher})
            else:
                row["teacher_id"], row["teacher_name"] = found[0].pk, found[0].full_name
        if ok:
            out.rows.append(row)


def people_by_name(school: School) -> dict[str, list[Person]]:
    grouped: dict[str, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(school=school, is_active=True).order_by("pk"):
        grouped[cells.text_key(person.full_name)].append(person)
    return grouped


def classes_of_year(school: School, year: int) -> dict[tuple[int, str], SchoolClass]:
    return {
        (c.grade, c.letter.upper()): c
        for c in SchoolClass.objects.filter(
            school=school, academic_year=year, status=SchoolClass.Status.ACTIVE
        )
    }


def class_changes(row: dict, existing: SchoolClass | None) -> dict:
    """The fields of ``existing`` that ``row`` changes ({} — unchanged); None — a new class."""
    if existing is None:
        return {"create": True}
    changes = {}
    if row["students"] is not None and row["students"] != existing.students_expected:
        changes["students_expected"] = row["students"]
    if row["parents"] is not None and row["parents"] != existing.parents_expected:
        changes["parents_expected"] = row["parents"]
    if row["teacher_id"] is not None and row["teacher_id"] != existing.class_teacher_id:
        changes["class_teacher_id"] = row["teacher_id"]
    return changes


# --- staff ---------------------------------------------------------------------------------------


class StaffRowChecker:
    def __init__(self, school: School):
        self.seen: dict[tuple[str, str], int] = {}

    def check(self, number: int, raw: dict[str, str], titles: dict[str, str], out: Checked) -> None:
        row: dict = {"row": number}
        ok = True

        def fail(key: str, message: str) -> None:
            nonlocal ok
            ok = False
            out.error(number, titles.get(key), message)

        parsers = {
            "full_name": cells.parse_full_name,
            "teaching": cells.parse_yes_no,
            "email": cells.parse_email,
            "phone": cells.parse_phone,
        }
        for key, parse in parsers.items():
            try:
                row[key] = parse(raw.get(key, ""))
            except cells.CellError as error:
                fail(key, str(error))
        position = cells.clean_text(raw.get("position", ""))
        if len(position) > 200:
            fail("position", _("длиннее 200 символов"))
        row["position"] = position
        if "full_name" in row:
            name_position = (cells.text_key(row["full_name"]), cells.text_key(position))
            previous = self.seen.get(name_position)
            if previous is not None:
                fail(
                    "full_name",
                    _("«%(name)s» с той же должностью уже есть в строке %(row)d")
                    % {"name": row["full_name"], "row": previous},
                )
            else:
                self.seen[name_position] = number
        if ok:
            out.rows.append(row)


def match_people(rows: Iterable[dict], people: dict[str, list[Person]]) -> list[Person | None]:
    """The existing person each row is (None: a new one), API.md's rule: by ФИО without case,
    doubled spaces or «ё»/«е»; where two share a name, by position (job title), then in order."""
    rows = list(rows)
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_name[cells.text_key(row["full_name"])].append(index)
    matched: list[Person | None] = [None] * len(rows)
    for name, indexes in by_name.items():
        free = list(people.get(name, []))
        for index in indexes:  # same position first
            position = cells.text_key(rows[index]["position"])
            same = next((p for p in free if cells.text_key(p.position) == position), None)
            if same is not None:
                matched[index] = same
                free.remove(same)
        for index in indexes:  # then the rest, in order
            if matched[index] is None and free:
                matched[index] = free.pop(0)
    return matched


def person_changes(row: dict, existing: Person | None) -> dict:
    if existing is None:
        return {"create": True}
    kind = Person.StaffKind.TEACHING if row["teaching"] else Person.StaffKind.OTHER
    wanted = {"position": row["position"], "staff_kind": kind}
    if row["email"]:
        wanted["email"] = row["email"]
    if row["phone"]:
        wanted["phone"] = row["phone"]
    return {name: value for name, value in wanted.items() if getattr(existing, name) != value}

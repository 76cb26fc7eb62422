"""The education department's workbook (XLSX): a sheet each for the points, the classes, the open
findings and the links; the municipality's has a summary sheet first and a «Школа» column on each.

Figures are numbers in their own columns (done, total, percent), dates are dates, never Excel
formulas; every table has a frozen header, an autofilter and columns as wide as their contents.
No text a school typed becomes a formula (``gymnasium_portal.spreadsheets``).

Written with XlsxWriter, whose cell formats are made once per workbook (``_FORMATS``) and named by
each cell: a region's workbook has hundreds of thousands of cells, and openpyxl, which the portal
keeps for reading spreadsheets, took about three times as long to write them (``bench_board``).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from board.exports import (
    STATUS_FILL,
    director_line,
    municipal_title,
    order_caption,
    responsible_text,
)
from board.report_data import class_lines, link_lines, open_findings
from board.selectors import Headline, SchoolBoard, share
from board.words import boards_area_name
from chats.models import ChatKind
from compliance.registry import PointStatus, get_check
from gymnasium_portal.spreadsheets import write_cell
from invitations.models import Invitation, Role

_BOX = {"border": 1, "border_color": "#B0B7C3", "text_wrap": True, "valign": "top"}
HEADER_ROW = 4  # below the title, the report's caption and the date
TEXT_WIDTH_CAP = 60  # long texts wrap inside a column this wide
# The cell formats by name: a sheet's title, a bold line, and of a table its header, its cells,
# its date cells and the «Состояние» cell of a point in its status's colour.
TITLE_STYLE = "title"
BOLD_STYLE = "bold"
HEAD_STYLE = "head"
CELL_STYLE = "cell"
DATE_STYLE = "date"
STATUS_STYLE = "status-{status}"
_FORMATS: dict[str, dict] = {
    TITLE_STYLE: {"bold": True, "font_size": 13},
    BOLD_STYLE: {"bold": True},
    HEAD_STYLE: {"bold": True, "bg_color": "#E6EEFB", **_BOX},
    CELL_STYLE: _BOX,
    DATE_STYLE: {"num_format": "DD.MM.YYYY", **_BOX},
    **{
        STATUS_STYLE.format(status=status): {"bg_color": f"#{colour}", **_BOX}
        for status, colour in STATUS_FILL.items()
    },
}
# XlsxWriter adds a cell's padding to the width it is given (about 0.7 of a character).
_PADDING = 1
MUNICIPAL_STATUSES = (
    PointStatus.DONE,
    PointStatus.PARTIAL,
    PointStatus.NOT_DONE,
    PointStatus.OVERDUE,
    PointStatus.NOT_MEASURED,
)


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return max((len(line) for line in text.split("\n")), default=0)


def _heading_width(heading: str) -> int:
    # A heading wraps at its spaces: its longest word is what the column must show.
    return max((len(word) for word in heading.split()), default=0)


class _Sheet:
    """One sheet of the workbook being written, with the widths its columns need (set at the end:
    they come from every row)."""

    def __init__(self, workbook: Workbook, formats: dict, title: str):
        self.sheet = workbook.add_worksheet(title)
        self.formats = formats
        self.widths: dict[int, float] = {}
        self.frozen = False

    def put(self, row: int, column: int, value, style: str | None = None) -> None:
        """``value`` at ``row`` and ``column`` (counted from 1, as Excel shows them)."""
        write_cell(self.sheet, row - 1, column - 1, value, self.formats.get(style))

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.sheet.set_column(column - 1, column - 1, width - _PADDING)


def _title(sheet: _Sheet, lines: Sequence[str]) -> None:
    for row, line in enumerate(lines[: HEADER_ROW - 1], 1):
        sheet.put(row, 1, line, TITLE_STYLE if row == 1 else None)


def _table(
    sheet: _Sheet, headings: Sequence[str], rows: Sequence[Sequence], *, start: int = HEADER_ROW
) -> int:
    """Headings and rows from ``start``; the header frozen and filtered; widths that fit.

    Returns the row after the table."""
    for col, heading in enumerate(headings, 1):
        sheet.put(start, col, str(heading), HEAD_STYLE)
    widths = [_heading_width(str(heading)) for heading in headings]
    for r, values in enumerate(rows, start + 1):
        for col, value in enumerate(values, 1):
            sheet.put(r, col, value, DATE_STYLE if isinstance(value, datetime.date) else CELL_STYLE)
            widths[col - 1] = max(widths[col - 1], _width(value))
    last = start + len(rows)
    if not sheet.frozen:
        sheet.frozen = True
        sheet.sheet.freeze_panes(start, 0)  # the rows down to the header stay in view
        last_column = xl_col_to_name(len(headings) - 1)
        sheet.sheet.autofilter(f"A{start}:{last_column}{max(last, start + 1)}")
    for col, width in enumerate(widths, 1):
        sheet.widths[col] = max(sheet.widths.get(col, 0), min(width, TEXT_WIDTH_CAP) + 2)
    return last + 1


def _headline_rows(headline: Headline) -> list[tuple]:
    """The headline figures as numbers: done, total and percent apart (counts: the number only)."""
    links = headline.invitations
    pairs = [
        (
            _("Классы со всеми обязательными чатами"),
            headline.classes_compliant,
            headline.classes_total,
        ),
        (
            _("Обязательные чаты классов созданы"),
            headline.class_chats_present,
            headline.class_chats_required,
        ),
        (
            _("Охват учащихся и родителей чатами классов"),
            headline.members_reached,
            headline.members_expected,
        ),
        (
            _("Педагоги, прошедшие обучение (п. 7.2)"),
            headline.teaching_trained,
            headline.teaching_total,
        ),
        (_("Ознакомлены с приказом"), headline.acknowledged, headline.acknowledgements_total),
    ]
    rows: list[tuple] = [(label, done, total, share(done, total)) for label, done, total in pairs]
    rows += [
        (
            _("Ссылки-приглашения действуют"),
            links.get(Invitation.Status.ACTIVE, 0),
            None,
            None,
        ),
        (
            _("Заявки на присоединение ждут рассмотрения"),
            headline.join_requests_pending,
            None,
            None,
        ),
        (_("Открытые замечания"), headline.findings_open, None, None),
    ]
    return rows


def _school_columns(board: SchoolBoard, municipality: bool) -> tuple:
    return (board.school.short_name,) if municipality else ()


def _points_sheet(sheet, boards, *, municipality: bool, title: Sequence[str], today) -> None:
    _title(sheet, title)
    headings = [
        *((_("Школа"),) if municipality else ()),
        _("№ п."),
        _("Содержание пункта"),
        _("Срок"),
        _("Состояние"),
        _("Выполнено"),
        _("Всего"),
        _("Доля, %"),
        _("Единица"),
        _("Ответственный сегодня"),
    ]
    rows, statuses = [], []
    for board in boards:
        for row in board.points:
            figure = row.figure
            rows.append(
                (
                    *_school_columns(board, municipality),
                    row.point.number,
                    " ".join(row.point.text.split()),
                    row.point.deadline or _("постоянно"),
                    row.status_label,
                    figure.done if figure else None,
                    figure.total if figure else None,
                    share(figure.done, figure.total) if figure else None,
                    row.unit or None,
                    responsible_text(row),
                )
            )
            statuses.append((row.status, row.status_label))
    end = _table(sheet, headings, rows)
    status_column = headings.index(_("Состояние")) + 1
    for offset, (status, label) in enumerate(statuses, HEADER_ROW + 1):
        sheet.put(offset, status_column, label, STATUS_STYLE.format(status=status))
    sheet.widths[headings.index(_("Содержание пункта")) + 1] = TEXT_WIDTH_CAP + 2
    if municipality:
        return
    board = boards[0] if boards else None
    if board is not None:
        row = end + 1
        sheet.put(row, 1, _("Показатели"), BOLD_STYLE)
        end = _table(
            sheet,
            (_("Показатель"), _("Выполнено"), _("Всего"), _("Доля, %")),
            _headline_rows(board.headline),
            start=row + 1,
        )
    sheet.put(end + 1, 1, _("Дата: %(date)s") % {"date": f"{today:%d.%m.%Y}"})
    if board is not None:
        sheet.put(end + 3, 1, director_line(board))


def _classes_sheet(sheet, boards, lines, *, municipality: bool, title) -> None:
    _title(sheet, title)
    headings = [
        *((_("Школа"),) if municipality else ()),
        _("Класс"),
        _("Классный руководитель"),
        _("Обязательных чатов"),
        _("Создано"),
        _("Все чаты есть"),
        _("Участников в чате учащихся"),
        _("Учащихся по списку"),
        _("Участников в чате родителей"),
        _("Родителей по списку"),
        _("Отказались от МАХ"),
        _("Связь с отказавшимися"),
    ]
    rows = [
        (
            *_school_columns(board, municipality),
            line.name,
            line.teacher or _("не назначен"),
            line.required,
            line.present,
            _("да") if line.compliant else _("нет"),
            line.students_members,
            line.students_expected,
            line.parents_members,
            line.parents_expected,
            line.declined,
            line.declined_channel,
        )
        for board in boards
        for line in lines.get(board.school.pk, [])
    ]
    _table(sheet, headings, rows)


def _findings_sheet(sheet, boards, findings, *, municipality: bool, title) -> None:
    _title(sheet, title)
    headings = [
        *((_("Школа"),) if municipality else ()),
        _("Выявлено"),
        _("Проверка"),
        _("Что не так"),
        _("Класс"),
        _("Вид чата"),
        _("Пункт"),
    ]
    kinds = dict(ChatKind.choices)
    rows = []
    for board in boards:
        for finding in findings.get(board.school.pk, []):
            check = get_check(finding.check_key)
            rows.append(
                (
                    *_school_columns(board, municipality),
                    timezone.localtime(finding.opened_at).date(),
                    str(check.title) if check else finding.check_key,
                    finding.message or finding.subject_key,
                    finding.school_class.name if finding.school_class else None,
                    str(kinds.get(finding.chat_kind, "")) or None,
                    finding.order_point.number if finding.order_point else None,
                )
            )
    _table(sheet, headings, rows)


def _links_sheet(sheet, boards, lines, *, municipality: bool, title) -> None:
    _title(sheet, title)
    status_labels = dict(Invitation.Status.choices)
    role_labels = dict(Role.choices)
    headings = [
        *((_("Школа"),) if municipality else ()),
        _("Класс"),
        _("Роль"),
        *(str(status_labels[status]).capitalize() for status in Invitation.Status.values),
        _("Всего ссылок"),
        _("Использований"),
    ]
    rows = [
        (
            *_school_columns(board, municipality),
            line.unit or _("вся школа"),
            str(role_labels.get(line.role, line.role)),
            *(line.by_status[status] for status in Invitation.Status.values),
            line.total,
            line.uses,
        )
        for board in boards
        for line in lines.get(board.school.pk, [])
    ]
    _table(sheet, headings, rows)


def _summary_sheet(sheet, boards, *, title, today) -> None:
    _title(sheet, title)
    status_labels = dict(PointStatus.choices)
    headings = [
        _("Школа"),
        _("Приказ"),
        *(str(status_labels[status]).capitalize() for status in MUNICIPAL_STATUSES),
        _("Классов со всеми чатами"),
        _("Классов всего"),
        _("Доля, %"),
        _("Открытые замечания"),
    ]
    rows = []
    for board in boards:
        counts, headline = board.status_counts, board.headline
        rows.append(
            (
                board.school.short_name,
                order_caption(board),
                *(counts[status] for status in MUNICIPAL_STATUSES),
                headline.classes_compliant,
                headline.classes_total,
                headline.classes_share,
                headline.findings_open,
            )
        )
    end = _table(sheet, headings, rows)
    sheet.put(end + 1, 1, _("Дата: %(date)s") % {"date": f"{today:%d.%m.%Y}"})
    sheet.put(
        end + 3,
        1,
        _("Начальник управления образования  _______________________  / ____________________ /"),
    )


def board_xlsx(
    *, boards: list[SchoolBoard], today: datetime.date | None = None, municipality: bool = False
) -> bytes:
    """The workbook of one school (``municipality=False``: the first board) or of every school."""
    today = today or timezone.localdate()
    if not municipality:
        boards = boards[:1]
    school_ids = [board.school.pk for board in boards]
    as_of = _("По состоянию на %(date)s") % {"date": f"{today:%d.%m.%Y}"}
    if municipality:
        name = boards_area_name(boards)
        heading = municipal_title(name)
        caption = _("По состоянию на %(date)s; школ: %(count)s") % {
            "date": f"{today:%d.%m.%Y}",
            "count": len(boards),
        }

        def title(what: str) -> list[str]:
            return [heading, what, caption]
    else:
        school = boards[0].school if boards else None
        report = _("Отчёт об исполнении: %(order)s") % {
            "order": order_caption(boards[0]) if boards else ""
        }

        def title(what: str) -> list[str]:
            return [school.name if school else "", f"{report}. {what}", as_of]

    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True})
    formats = {name: workbook.add_format(spec) for name, spec in _FORMATS.items()}
    sheets = []

    def sheet(name: str) -> _Sheet:
        sheets.append(_Sheet(workbook, formats, name))
        return sheets[-1]

    if municipality:
        _summary_sheet(sheet(_("Свод")), boards, title=title(_("Свод по школам")), today=today)
    _points_sheet(
        sheet(_("Пункты")),
        boards,
        municipality=municipality,
        title=title(_("Пункты приказа")),
        today=today,
    )
    _classes_sheet(
        sheet(_("Классы")),
        boards,
        class_lines(school_ids=school_ids),
        municipality=municipality,
        title=title(_("Классы и их чаты")),
    )
    _findings_sheet(
        sheet(_("Замечания")),
        boards,
        open_findings(school_ids=school_ids),
        municipality=municipality,
        title=title(_("Открытые замечания")),
    )
    _links_sheet(
        sheet(_("Ссылки")),
        boards,
        link_lines(school_ids=school_ids),
        municipality=municipality,
        title=title(_("Ссылки-приглашения")),
    )
    for each in sheets:
        each.finish()
    workbook.close()
    return buffer.getvalue()

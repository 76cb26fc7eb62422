"""Reports for the education department: the board as XLSX and PDF,
for one school or the municipality.

They look like a school report: the school's header, the order's number and date,
the table of points
with status, figure and who answers today, the headline figures, the date and a signature line.
The PDF embeds Roboto from the ``font-roboto`` package (Cyrillic, no system font needed).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from board.selectors import STATUS_CODES, SchoolBoard, boards_area_name, point_numbers
from board.words import headline_items, in_charge_text
from compliance.registry import PointStatus
from gymnasium_portal.spreadsheets import workbook_bytes

# fpdf2 subsets the embedded font through fontTools, which logs every table it touches at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

POINT_HEADINGS = (
    _("№ п."),
    _("Содержание пункта"),
    _("Срок"),
    _("Состояние"),
    _("Показатель"),
    _("Ответственный сегодня"),
)
SUMMARY_HEADINGS = (
    _("Школа"),
    _("Приказ"),
    _("Выполнено"),
    _("Частично"),
    _("Не выполнено"),
    _("Просрочено"),
    _("Не измеряется"),
    _("Классы со всеми чатами"),
    _("Открытые замечания"),
)
STATUS_FILL = {
    PointStatus.DONE: "E3F4E8",
    PointStatus.PARTIAL: "FFF3D6",
    PointStatus.NOT_DONE: "FCE8E6",
    PointStatus.OVERDUE: "F6C9C4",
    PointStatus.NOT_MEASURED: "ECEFF3",
}


def _date(value: datetime.date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else str(_("постоянно"))


def order_caption(board: SchoolBoard) -> str:
    if board.order is None:
        return str(_("Действующий приказ не внесён"))
    return str(_("Приказ № %(number)s от %(date)s")) % {
        "number": board.order.number,
        "date": f"{board.order.date:%d.%m.%Y}",
    }


def signer_name(board: SchoolBoard) -> str:
    signer = board.order.signed_by if board.order else None
    return signer.full_name if signer else ""


def _as_of(today: datetime.date) -> str:
    return str(_("По состоянию на %(date)s")) % {"date": f"{today:%d.%m.%Y}"}


def _schools_as_of(today: datetime.date, count: int) -> str:
    return str(_("По состоянию на %(date)s; школ: %(count)s")) % {
        "date": f"{today:%d.%m.%Y}",
        "count": count,
    }


def _dated(today: datetime.date) -> str:
    return str(_("Дата: %(date)s")) % {"date": f"{today:%d.%m.%Y}"}


def _municipal_title(municipality: str) -> str:
    return str(_("Исполнение приказов об использовании платформы «Сферум»: %(name)s")) % {
        "name": municipality
    }


def _director_line(board: SchoolBoard) -> str:
    """The signature line: the director who signed the order, or a blank for the name."""
    name = signer_name(board) or "____________________"
    return str(_("Директор  _______________________  / %(name)s /")) % {"name": name}


def point_rows(board: SchoolBoard, *, text_limit: int | None = None) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in board.points:
        text = " ".join(row.point.text.split())
        if text_limit and len(text) > text_limit:
            text = text[: text_limit - 1].rstrip() + "…"
        rows.append(
            (
                row.point.number,
                text,
                _date(row.point.deadline),
                str(row.status.label),
                row.figure_text or "—",
                in_charge_text(row.people) or "—",
            )
        )
    return rows


def summary_row(board: SchoolBoard) -> tuple:
    counts = board.status_counts
    headline = board.headline
    return (
        board.school.short_name,
        order_caption(board),
        *(
            counts[status]
            for status in (
                PointStatus.DONE,
                PointStatus.PARTIAL,
                PointStatus.NOT_DONE,
                PointStatus.OVERDUE,
                PointStatus.NOT_MEASURED,
            )
        ),
        f"{headline.classes_compliant} из {headline.classes_total}",
        headline.findings_open,
    )


# --- XLSX ----------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="B0B7C3")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEAD_FILL = PatternFill("solid", fgColor="E6EEFB")


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "Школа"
    candidate, n = title, 2
    while candidate.lower() in used:
        candidate, n = f"{title[:25]} ({n})", n + 1
    used.add(candidate.lower())
    return candidate


def _table(
    sheet, start_row: int, headings, rows, *, status_column: int | None = None, statuses=()
) -> int:
    for col, heading in enumerate(headings, 1):
        cell = sheet.cell(row=start_row, column=col, value=str(heading))
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), _HEAD_FILL, _BOX, _WRAP
    for r, values in enumerate(rows, start_row + 1):
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.border, cell.alignment = _BOX, _WRAP
        if status_column is not None:
            status = statuses[r - start_row - 1]
            sheet.cell(row=r, column=status_column).fill = PatternFill(
                "solid", fgColor=STATUS_FILL[status]
            )
    return start_row + len(rows) + 1


def _school_sheet(sheet, board: SchoolBoard, today: datetime.date) -> None:
    school = board.school
    sheet.append([school.name])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([str(school.municipality)])
    sheet.append([str(_("Отчёт об исполнении: %(order)s")) % {"order": order_caption(board)}])
    sheet["A3"].font = Font(bold=True, size=12)
    if board.order:
        sheet.append([board.order.title])
    sheet.append([_as_of(today)])
    row = sheet.max_row + 2
    row = _table(
        sheet,
        row,
        POINT_HEADINGS,
        point_rows(board),
        status_column=4,
        statuses=[p.status for p in board.points],
    )
    row += 1
    sheet.cell(row=row, column=1, value=str(_("Показатели"))).font = Font(bold=True)
    row = _table(
        sheet,
        row + 1,
        (str(_("Показатель")), str(_("Значение"))),
        [(item.label, item.value) for item in headline_items(board.headline)],
    )
    row += 2
    sheet.cell(row=row, column=1, value=_dated(today))
    sheet.cell(
        row=row + 2,
        column=1,
        value=_director_line(board),
    )
    for col, width in enumerate((9, 70, 12, 16, 22, 34), 1):
        sheet.column_dimensions[get_column_letter(col)].width = width


def board_xlsx(
    *, boards: list[SchoolBoard], today: datetime.date | None = None, municipality: bool = False
) -> bytes:
    """The report as an XLSX workbook: one sheet per school,
    a summary sheet first for the municipality. No text a school typed becomes a formula."""
    today = today or timezone.localdate()
    workbook = Workbook()
    used: set[str] = set()
    first = workbook.active
    if municipality:
        first.title = _sheet_title(str(_("Свод")), used)
        name = boards_area_name(boards)
        first.append([_municipal_title(name)])
        first["A1"].font = Font(bold=True, size=13)
        first.append([_schools_as_of(today, len(boards))])
        _table(first, 4, SUMMARY_HEADINGS, [summary_row(board) for board in boards])
        for col, width in enumerate((34, 26, 12, 12, 14, 12, 14, 16, 14), 1):
            first.column_dimensions[get_column_letter(col)].width = width
        for board in boards:
            _school_sheet(
                workbook.create_sheet(_sheet_title(board.school.short_name, used)), board, today
            )
    else:
        for index, board in enumerate(boards):
            sheet = first if index == 0 else workbook.create_sheet()
            sheet.title = _sheet_title(board.school.short_name, used)
            _school_sheet(sheet, board, today)
    return workbook_bytes(workbook)


# --- PDF -----------------------------------------------------------------------------------------


def _font_files() -> dict[str, Path]:
    """Roboto regular and bold, located inside the installed ``font-roboto`` package."""
    import font_roboto

    folder = Path(font_roboto.font_directory)
    return {"": folder / "Roboto-Regular.ttf", "B": folder / "Roboto-Bold.ttf"}


def _new_pdf(*, landscape: bool = False):
    from fpdf import FPDF

    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    for style, path in _font_files().items():
        pdf.add_font("Roboto", style=style, fname=str(path))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.set_creator(str(_("Портал гимназии")))
    return pdf


def _pdf_school(pdf, board: SchoolBoard, today: datetime.date) -> None:
    from fpdf.fonts import FontFace

    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Roboto", "B", 12)
    pdf.multi_cell(width, 6, board.school.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 10)
    pdf.multi_cell(
        width, 5, str(board.school.municipality), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)
    pdf.set_font("Roboto", "B", 12)
    pdf.multi_cell(
        width,
        6,
        str(_("Отчёт об исполнении. %(order)s")) % {"order": order_caption(board)},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if board.order:
        pdf.set_font("Roboto", "", 9)
        pdf.multi_cell(
            width,
            4.5,
            " ".join(board.order.title.split()),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.set_font("Roboto", "", 10)
    pdf.multi_cell(width, 6, _as_of(today), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("Roboto", "", 8)
    heading = FontFace(emphasis="BOLD", fill_color=(230, 238, 251))
    with pdf.table(
        col_widths=(9, 70, 17, 20, 22, 32),
        headings_style=heading,
        line_height=4,
        text_align="LEFT",
        v_align="TOP",
        padding=1,
    ) as table:
        table.row([str(heading) for heading in POINT_HEADINGS])
        for values in point_rows(board, text_limit=200):
            table.row(values)
    pdf.ln(4)
    pdf.set_font("Roboto", "B", 10)
    pdf.cell(0, 6, str(_("Показатели")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 9)
    with pdf.table(
        col_widths=(60, 40), headings_style=heading, line_height=4.5, text_align="LEFT", padding=1
    ) as table:
        table.row((str(_("Показатель")), str(_("Значение"))))
        for item in headline_items(board.headline):
            table.row((item.label, item.value))
    pdf.ln(8)
    pdf.set_font("Roboto", "", 10)
    pdf.cell(0, 6, _dated(today), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(
        0,
        6,
        _director_line(board),
        new_x="LMARGIN",
        new_y="NEXT",
    )


STATUS_RGB = {
    status: tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))
    for status, colour in STATUS_FILL.items()
}


def _pdf_municipality(
    pdf, boards: list[SchoolBoard], numbers: list[str], today: datetime.date
) -> None:
    """The summary of every school, then schools × points as status letters
    (one table, not 40 reports:
    the municipality's PDF stays a few pages and a fraction of a second)."""
    from fpdf.fonts import FontFace

    heading = FontFace(emphasis="BOLD", fill_color=(230, 238, 251))
    pdf.add_page(orientation="L")
    name = boards_area_name(boards)
    pdf.set_font("Roboto", "B", 12)
    pdf.multi_cell(
        pdf.epw,
        6,
        _municipal_title(name),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Roboto", "", 10)
    pdf.cell(
        0,
        6,
        _schools_as_of(today, len(boards)),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Roboto", "", 8)
    with pdf.table(
        col_widths=(50, 36, 15, 15, 17, 16, 17, 20, 18),
        headings_style=heading,
        line_height=4,
        text_align="LEFT",
        padding=1,
    ) as table:
        table.row([str(heading) for heading in SUMMARY_HEADINGS])
        for board in boards:
            table.row(tuple(str(value) for value in summary_row(board)))

    if numbers:
        pdf.add_page(orientation="L")
        pdf.set_font("Roboto", "B", 11)
        pdf.cell(
            0, 6, str(_("Состояние пунктов приказов по школам")), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("Roboto", "", 8)
        legend = "; ".join(f"{code} — {status.label}" for status, code in STATUS_CODES.items())
        pdf.cell(
            0,
            5,
            legend + str(_("; пусто — пункта нет в приказе школы")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(1)
        point_width = min(9.0, (pdf.epw - 48) / len(numbers))
        with pdf.table(
            col_widths=(48, *([point_width] * len(numbers))),
            width=48 + point_width * len(numbers),
            headings_style=heading,
            line_height=4,
            text_align="CENTER",
            padding=0.5,
            align="LEFT",
        ) as table:
            table.row((str(_("Школа")), *numbers))
            for board in boards:
                row = table.row()
                row.cell(board.school.short_name, align="LEFT")
                cells = board.points_by_number
                for number in numbers:
                    point = cells.get(number)
                    if point is None:
                        row.cell("")
                    else:
                        row.cell(
                            STATUS_CODES[point.status],
                            style=FontFace(fill_color=STATUS_RGB[point.status]),
                        )
    pdf.ln(8)
    pdf.set_font("Roboto", "", 10)
    pdf.cell(0, 6, _dated(today), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(
        0,
        6,
        str(
            _("Начальник управления образования  _______________________  / ____________________ /")
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def board_pdf(
    *, boards: list[SchoolBoard], today: datetime.date | None = None, municipality: bool = False
) -> bytes:
    """The report as a PDF: a school's report (a page or two per school),
    or for the municipality the
    summary and the schools × points table."""
    today = today or timezone.localdate()
    pdf = _new_pdf()
    pdf.set_title(str(_("Отчёт об исполнении приказа")))
    if municipality:
        _pdf_municipality(pdf, boards, point_numbers(boards), today)
    else:
        for board in boards:
            _pdf_school(pdf, board, today)
    return bytes(pdf.output())

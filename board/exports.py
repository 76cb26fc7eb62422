"""Reports for the education department: the board as PDF (the XLSX is ``board/workbook.py``),
for one school or the municipality, and the words both share.

They look like a school report: the school's header, the order's number and date,
the table of points with their whole text, status, figure and who answers today, the headline
figures, the date and a signature line; every page numbered.
The PDF embeds Roboto from the ``font-roboto`` package (Cyrillic, no system font needed).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from board.selectors import PointRow, SchoolBoard
from board.terms import STATUS_CODES
from board.words import boards_area_name, headline_items, in_charge_text, point_numbers
from compliance.registry import PointStatus

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


def municipal_title(municipality: str) -> str:
    return str(_("Исполнение приказов об использовании платформы «Сферум»: %(name)s")) % {
        "name": municipality
    }


def director_line(board: SchoolBoard) -> str:
    """The signature line: the director who signed the order, or a blank for the name."""
    name = signer_name(board) or "____________________"
    return str(_("Директор  _______________________  / %(name)s /")) % {"name": name}


# Points the order addresses to a whole group rather than a named person (point 4: every class
# teacher; point 5: the whole staff), by the check that measures them.
ADDRESSEES_BY_CHECK = {
    "class_chats": _("классные руководители"),
    "meetings_this_month": _("весь коллектив"),
}


def responsible_text(row: PointRow) -> str:
    """Who answers for the point today, in the school's own spelling; the group the point
    addresses where it names nobody; said plainly when nobody answers."""
    named = in_charge_text(row.people)
    if named:
        return named
    return str(ADDRESSEES_BY_CHECK.get(row.point.check_key) or _("не назначен"))


def point_rows(board: SchoolBoard) -> list[tuple[str, ...]]:
    """Every point with its whole text (a report for the department never cuts one short)."""
    return [
        (
            row.point.number,
            " ".join(row.point.text.split()),
            _date(row.point.deadline),
            row.status_label,
            row.figure_text or "—",
            responsible_text(row),
        )
        for row in board.points
    ]


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


# --- PDF -----------------------------------------------------------------------------------------


def _font_files() -> dict[str, Path]:
    """Roboto regular and bold, located inside the installed ``font-roboto`` package."""
    import font_roboto

    folder = Path(font_roboto.font_directory)
    return {"": folder / "Roboto-Regular.ttf", "B": folder / "Roboto-Bold.ttf"}


def page_caption(number: int, total: str = "{nb}") -> str:
    """«Страница 2 из 3»: fpdf2 puts the page count in place of ``{nb}`` when the file is done."""
    return str(_("Страница %(page)s из %(pages)s")) % {"page": number, "pages": total}


def _new_pdf(*, landscape: bool = False):
    from fpdf import FPDF

    class NumberedPDF(FPDF):
        def footer(self):
            self.set_y(-11)
            self.set_font("Roboto", "", 8)
            self.cell(0, 5, page_caption(self.page_no()), align="C")

    pdf = NumberedPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
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
        for values in point_rows(board):
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
        director_line(board),
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
        municipal_title(name),
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

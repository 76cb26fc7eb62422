"""Spreadsheets the portal writes hold text and numbers, never formulas (CSV/XLSX injection).

A point's text, a person's name or a school's short name is typed by a school; in the education
department's workbook a text beginning with ``=`` would be a live formula (``=HYPERLINK(…)`` sending
the inspector's click anywhere), and ``+``, ``-``, ``@``, a tab or a carriage return start one in
Excel and LibreOffice too. As OWASP advises for CSV injection, such text is prefixed with a single
quote and written as a string; numbers are left as numbers.

Two writers, one rule: ``workbook_bytes`` for an openpyxl workbook (the import templates), gone
over once when it is finished; ``write_cell`` for each cell of an XlsxWriter one (the board's
reports, large).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """``text`` as a cell may hold it: prefixed with ``'`` if it could start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_cell(sheet, row: int, column: int, value, cell_format=None) -> None:
    """``value`` into an XlsxWriter ``sheet`` (row and column from 0) as what it is: a text as a
    string, neutralised (never a formula, whatever it starts with), a number as a number, a date
    as a date; nothing for an empty cell without a format."""
    if value is None:
        if cell_format is not None:
            sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, value, cell_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, column, value, cell_format)
    else:  # a text, or a lazy translation
        sheet.write_string(row, column, spreadsheet_text(str(value)), cell_format)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as an XLSX file, every text cell of every sheet neutralised and a string.

    Done once over the finished workbook rather than at each ``cell(value=…)``, so no cell an
    export writes (headings, ``append``-ed lines, tables) can be missed.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = spreadsheet_text(cell.value)
                    # openpyxl reads "=…" as a formula and "#N/A" as an error: text stays text.
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Spreadsheets the portal writes hold text and numbers, never formulas (CSV/XLSX injection).

A point's text, a person's name or a school's short name is typed by a school; in the education
department's workbook a text beginning with ``=`` would be a live formula (``=HYPERLINK(…)`` sending
the inspector's click anywhere), and ``+``, ``-``, ``@``, a tab or a carriage return start one in
Excel and LibreOffice too. As OWASP advises for CSV injection, such text is prefixed with a single
quote and written as a string; numbers are left as numbers.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """``text`` as a cell may hold it: prefixed with ``'`` if it could start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def written_cell(sheet, value, style: str | None = None) -> WriteOnlyCell:
    """A cell of a write-only ``sheet`` (streamed, so never gone over afterwards), its text
    neutralised and a string as ``workbook_bytes`` makes it; ``style``: a named style of the
    workbook."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=spreadsheet_text(value))
        # openpyxl reads "=…" as a formula and "#N/A" as an error: text stays text.
        cell.data_type = "s"
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if style:
        cell.style = style
    return cell


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

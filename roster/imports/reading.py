"""A spreadsheet → its header and its rows, every cell as text, row numbers as the file shows them.

.xlsx through openpyxl (read-only, values not formulas: a 5 MB workbook is streamed, never held
whole); .csv through the standard ``csv`` module after the encoding (UTF-8 with or without BOM,
UTF-16 with BOM, Windows-1251) and the separator (``;``, ``,`` or a tab) are found. Anything that
is not such a file raises ``ReadError`` with a Russian message: the import is then «failed».
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in school files


class ReadError(Exception):
    """The file cannot be read as a table at all; ``str(error)`` is the Russian message."""


@dataclass
class Sheet:
    rows: Iterator[tuple[int, list[str]]]  # (row number in the file, cells as text)
    estimate: int  # how many rows the file says it has (for the progress bar)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y")
    return str(value)


def open_sheet(content: bytes, file_name: str) -> Sheet:
    if not content:
        raise ReadError(_("Файл пуст."))
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "xlsx":
        return _open_xlsx(content)
    if extension == "csv":
        return _open_csv(content)
    raise ReadError(_("Поддерживаются файлы .xlsx и .csv."))


def _open_xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(content)):
        if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ReadError(
                _("Это файл старого формата Excel (.xls): сохраните его как .xlsx или .csv.")
            )
        if content[:4] == b"PK\x03\x04":
            raise ReadError(
                _("Файл .xlsx повреждён (обрезан?): откройте его в Excel и сохраните заново.")
            )
        raise ReadError(
            _(
                "Файл не является таблицей Excel (.xlsx): возможно, это другой файл с таким "
                "расширением. Сохраните таблицу как .xlsx или .csv."
            )
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        estimate = sheet.max_row or 0
    except Exception:  # noqa: BLE001 — any damage inside the archive is the same answer
        raise ReadError(
            _("Файл .xlsx повреждён или не является таблицей Excel. Сохраните его заново.")
        ) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [cell_text(value) for value in values]
        except ReadError:
            raise
        except Exception:  # noqa: BLE001
            raise ReadError(_("Файл .xlsx повреждён: его не удалось дочитать до конца.")) from None
        finally:
            workbook.close()

    return Sheet(rows=rows(), estimate=estimate)


def decode_text(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    if b"\x00" in content[:4096]:
        raise ReadError(_("Файл не является текстовым файлом CSV."))
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1251")
    except UnicodeDecodeError:
        raise ReadError(
            _("Не удалось определить кодировку файла: сохраните CSV в UTF-8 или Windows-1251.")
        ) from None


def _separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _open_csv(content: bytes) -> Sheet:
    text = decode_text(content)
    if not text.strip():
        raise ReadError(_("Файл пуст."))
    if sum(1 for char in text[:4096] if char < " " and char not in "\r\n\t") > 8:
        raise ReadError(_("Файл не является текстовым файлом CSV."))
    separator = _separator(text)

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        try:
            for values in reader:
                yield reader.line_num, values
        except csv.Error:
            raise ReadError(
                _("Строка %(row)d: CSV повреждён (незакрытые кавычки?).") % {"row": reader.line_num}
            ) from None

    return Sheet(rows=rows(), estimate=text.count("\n") + (0 if text.endswith("\n") else 1))

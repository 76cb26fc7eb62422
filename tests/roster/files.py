"""Real spreadsheet files, built by the tests: .xlsx through openpyxl, .csv in any encoding."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

STAFF_HEADER = ["ФИО", "Должность", "Педагог", "E-mail", "Телефон"]
CLASSES_HEADER = ["Класс", "Классный руководитель", "Учащихся", "Родителей"]


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list], *, encoding: str = "utf-8", separator: str = ";", bom: bool = False
) -> bytes:
    def cell(value) -> str:
        text = "" if value is None else str(value)
        if separator in text or '"' in text:
            text = '"' + text.replace('"', '""') + '"'
        return text

    text = "\r\n".join(separator.join(cell(v) for v in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def word(n: int) -> str:
    """A distinct Russian-looking word for each number (names have no digits)."""
    letters = ""
    for _ in range(4):
        n, digit = divmod(n, len(LETTERS))
        letters += LETTERS[digit]
    return letters.capitalize()


def staff_rows(count: int, *, start: int = 0) -> list[list]:
    """``count`` distinct people (surname by number), every other one a teacher."""
    return [
        [
            f"{word(n)}ова Мария Петровна",
            "учитель" if n % 2 else "лаборант",
            "да" if n % 2 else "нет",
            f"s{n}@example.ru",
            f"8 (912) {n % 1000:03d}-{n % 100:02d}-{n % 97:02d}",
        ]
        for n in range(start, start + count)
    ]


# The smallest valid PNG: a picture renamed .xlsx or .csv.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

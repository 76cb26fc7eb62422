"""One normal form for what school spreadsheets really contain.

Each ``parse_*`` takes the cell's text and returns the value, or raises ``CellError`` with the
Russian message the preview shows after «Строка N, «Столбец»: ».
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from gymnasium_portal.text import fold

MIN_GRADE, MAX_GRADE = 1, 11
MAX_COUNT = 999

# Latin letters that look like Cyrillic ones (typed on the wrong keyboard layout): «5A» is 5А.
_LOOKALIKES = str.maketrans("ABCEHKMOPTXYabcehkmoptxy", "АВСЕНКМОРТХУавсенкмортху")
_SPACES = re.compile(r"\s+")
_CLASS = re.compile(r"^(\d{1,2})\s*[-–—_./]?\s*[«\"']?([А-ЯЁа-яё]{1,2})[»\"']?$")
_GRADE_ONLY = re.compile(r"^(\d{1,3})$")
_NAME_CHARS = re.compile(r"^[A-Za-zА-ЯЁа-яё.\-'’ ()]+$")
_YES = {"да", "д", "yes", "y", "1", "+", "истина", "true", "педагог"}
_NO = {"нет", "н", "no", "n", "0", "-", "ложь", "false", ""}


class CellError(ValueError):
    """A cell's value that cannot be taken; ``str(error)`` is the Russian message."""


def clean_text(value: str) -> str:
    """Non-breaking and doubled spaces, tabs and line breaks → one space; trimmed."""
    return _SPACES.sub(" ", value.replace("\u00a0", " ")).strip()


def text_key(value: str) -> str:
    """How names and headers are compared: no case, no doubled spaces, «ё» as «е»."""
    return fold(value)


def header_key(value: str) -> str:
    """Headers compare without case, spaces, hyphens or the difference of «ё»/«е»."""
    return text_key(value).replace(" ", "").replace("-", "")


def parse_class(value: str) -> tuple[int, str]:
    """«5А», «5 А», «5-а», «5а», «5 «А»», «5A» (Latin) → (5, "А")."""
    text = clean_text(value).translate(_LOOKALIKES)
    if not text:
        raise CellError(_("не указан класс"))
    match = _CLASS.match(text)
    if match is None:
        only_grade = _GRADE_ONLY.match(text)
        if only_grade and MIN_GRADE <= int(only_grade.group(1)) <= MAX_GRADE:
            raise CellError(_("«%(value)s» — не указана буква класса") % {"value": text})
        grade_first = re.match(r"^(\d+)", text)
        if grade_first and not MIN_GRADE <= int(grade_first.group(1)) <= MAX_GRADE:
            raise CellError(
                _("«%(value)s» — в школе классы с %(min)d по %(max)d")
                % {"value": text, "min": MIN_GRADE, "max": MAX_GRADE}
            )
        raise CellError(_("«%(value)s» — не похоже на класс (пример: «5А»)") % {"value": text})
    grade, letter = int(match.group(1)), match.group(2).upper().replace("Ё", "Е")
    if not MIN_GRADE <= grade <= MAX_GRADE:
        raise CellError(
            _("«%(value)s» — в школе классы с %(min)d по %(max)d")
            % {"value": f"{grade}{letter}", "min": MIN_GRADE, "max": MAX_GRADE}
        )
    return grade, letter


def parse_full_name(value: str) -> str:
    """ФИО in one column: spaces cleaned; a surname and a name at least, letters only."""
    text = clean_text(value)
    if not text:
        raise CellError(_("не указаны фамилия, имя и отчество"))
    if len(text) > 200:
        raise CellError(_("длиннее 200 символов"))
    if not _NAME_CHARS.match(text):
        raise CellError(_("«%(value)s» — в ФИО только буквы, пробелы и дефисы") % {"value": text})
    if len(text.replace(".", ". ").split()) < 2:
        raise CellError(
            _("«%(value)s» — нужны фамилия и имя (и отчество, если есть) в одном столбце")
            % {"value": text}
        )
    return text


def parse_phone(value: str) -> str:
    """Any common Russian notation → +7XXXXXXXXXX; an empty cell → ""."""
    text = clean_text(value)
    if not text:
        return ""
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell read as a float
        text = text[:-2]
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or re.search(r"[A-Za-zА-Яа-я]", text):
        raise CellError(
            _("«%(value)s» — не похоже на номер телефона (пример: +7 912 345-67-89)")
            % {"value": text}
        )
    return "+7" + digits


def parse_email(value: str) -> str:
    text = clean_text(value).lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        raise CellError(_("«%(value)s» — не похоже на адрес e-mail") % {"value": text}) from None
    return text


def parse_yes_no(value: str) -> bool:
    text = text_key(value)
    if text in _YES:
        return True
    if text in _NO and text:
        return False
    if not text:
        raise CellError(_("укажите «да» или «нет»"))
    raise CellError(_("«%(value)s» — укажите «да» или «нет»") % {"value": clean_text(value)})


def parse_count(value: str, *, required: bool) -> int | None:
    """An integer ≥ 0 (``25``, ``25.0`` from a number cell, ``25 чел.`` is refused)."""
    text = clean_text(value).replace(" ", "")
    if not text:
        if required:
            raise CellError(_("не указано число"))
        return None
    if re.fullmatch(r"\d+(\.0+)?", text):
        number = int(text.split(".")[0])
        if number > MAX_COUNT:
            raise CellError(_("«%(value)s» — слишком большое число") % {"value": text})
        return number
    if re.fullmatch(r"-\d+(\.0+)?", text):
        raise CellError(_("«%(value)s» — число не может быть отрицательным") % {"value": text})
    raise CellError(_("«%(value)s» — нужно целое число не меньше 0") % {"value": clean_text(value)})

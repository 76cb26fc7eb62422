"""Terms the board builds its rows with (``selectors.PointRow``; ``words.py`` is above them): a
status in one letter, a unit after «из N»."""

from __future__ import annotations

from compliance.registry import PointStatus

# One letter per status where a table of schools × points has no room for words (legend beside it).
STATUS_CODES = {
    PointStatus.DONE: "В",
    PointStatus.PARTIAL: "Ч",
    PointStatus.NOT_DONE: "Н",
    PointStatus.OVERDUE: "П",
    PointStatus.NOT_MEASURED: "–",
}


# A check names its unit as «из N …» needs it for most N (genitive plural: «из 33 классов»); after
# 1, 21, 31… Russian takes the genitive singular («из 1 приказа», «из 21 класса»).
GENITIVE_SINGULAR = {
    "классов": "класса",
    "чатов": "чата",
    "встреч": "встречи",
    "мероприятий": "мероприятия",
    "приказов": "приказа",
    "пунктов": "пункта",
    "сотрудников": "сотрудника",
    "педагогов": "педагога",
    "ссылок": "ссылки",
    "заявок": "заявки",
}


def unit_after_of(total: int, unit: str) -> str:
    """The unit as «из ``total`` …» takes it (a unit not listed stays as the check names it)."""
    if total % 10 == 1 and total % 100 != 11:
        return GENITIVE_SINGULAR.get(unit, unit)
    return unit

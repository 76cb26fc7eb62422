"""Fictional people for the scale data: Russian name parts combined at random."""

from __future__ import annotations

import random

# Name parts for FICTIONAL people (combined at random; any match with a real person is chance).
_SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв"
).split()
_FEMALE_NAMES = (
    "Анна Мария Елена Ольга Наталья Ирина Татьяна Светлана Екатерина Юлия Марина Галина Людмила "
    "Надежда Оксана"
).split()
_MALE_NAMES = (
    "Александр Сергей Андрей Дмитрий Алексей Михаил Игорь Владимир Николай Евгений".split()
)
_PATRONYMIC_STEMS = (
    "Александров Сергеев Андреев Дмитриев Алексеев Михайлов Игорев Владимиров Николаев Евгеньев"
).split()
SUBJECTS = (
    "учитель математики",
    "учитель русского языка и литературы",
    "учитель английского языка",
    "учитель физики",
    "учитель химии",
    "учитель биологии",
    "учитель истории и обществознания",
    "учитель географии",
    "учитель информатики",
    "учитель физической культуры",
    "учитель музыки",
    "учитель технологии",
)
OTHER_POSITIONS = (
    "секретарь",
    "заведующий библиотекой",
    "лаборант",
    "специалист по кадрам",
    "бухгалтер",
)


def fictional_name(rng: random.Random) -> str:
    female = rng.random() < 0.8
    surname = rng.choice(_SURNAMES) + ("а" if female else "")
    first = rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
    stem = rng.choice(_PATRONYMIC_STEMS)
    # «Игорев» + «ич» → «Игоревич»; «Евгеньев» + «на» → «Евгеньевна».
    return f"{surname} {first} {stem}{'на' if female else 'ич'}"


def distinct_parents(count: int) -> list[tuple[str, str]]:
    """``count`` different (parent, child) pairs of fictional names, always the same ones."""
    pairs = [
        (f"{surname}а {first} {stem}на", f"{surname} {child}")
        for surname in _SURNAMES
        for first in _FEMALE_NAMES
        for stem in _PATRONYMIC_STEMS
        for child in _MALE_NAMES[:1]
    ]
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs)} distinct parents")
    random.Random(883).shuffle(pairs)
    return pairs[:count]

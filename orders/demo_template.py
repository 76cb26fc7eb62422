"""Demo data: the education department's order № 935 as the template of its schools' orders.

Its points are those of the gymnasium's № 883 (which repeats № 935) with the school's name as
``{школа}``, the names of the gymnasium's people left out (each school names its own) and each
deadline as days from the school's order date.
"""

from __future__ import annotations

import datetime
import re

from staff.models import Municipality

from .demo import _GYMNASIUM_IN_TEXT, ORDER_883_DATE, ORDER_883_POINTS, ORDER_883_TITLE
from .from_template import SCHOOL_PLACEHOLDER
from .models import OrderTemplate, OrderTemplatePoint

ORDER_935_NUMBER = "935"
ORDER_935_DATE = datetime.date(2025, 12, 1)
ORDER_935_ISSUER = "Управления образования администрации МО ГО «Сыктывкар»"

_RESPONSIBLE = re.compile(r"\s*\(отв\.[^)]*\)")
_NAME = re.compile(r"\s?[А-ЯЁ][а-яё]+ [А-ЯЁ]\.\s?[А-ЯЁ]\.,?")


def template_point_text(text: str) -> str:
    """A point of № 883 as the department wrote it: no gymnasium, no names of its people."""
    text = text.replace(_GYMNASIUM_IN_TEXT, SCHOOL_PLACEHOLDER)
    text = _NAME.sub("", _RESPONSIBLE.sub("", text)).strip()
    return text[:1].upper() + text[1:]


def seed_order_template(*, municipality: Municipality) -> OrderTemplate:
    template, _created = OrderTemplate.objects.update_or_create(
        municipality=municipality,
        number=ORDER_935_NUMBER,
        date=ORDER_935_DATE,
        defaults={
            "issuer": ORDER_935_ISSUER,
            "title": ORDER_883_TITLE,
            "preamble": (
                f"Во исполнение приказа {ORDER_935_ISSUER} от {ORDER_935_DATE:%d.%m.%Y} года "
                f"№{ORDER_935_NUMBER} «{ORDER_883_TITLE}»"
            ),
            "is_active": True,
        },
    )
    for position, spec in enumerate(ORDER_883_POINTS, start=1):
        OrderTemplatePoint.objects.update_or_create(
            template=template,
            number=spec.number,
            defaults={
                "parent_number": spec.parent or "",
                "position": position,
                "text": template_point_text(spec.text),
                "deadline_days": (spec.deadline - ORDER_883_DATE).days if spec.deadline else None,
                "check_key": spec.check_key,
            },
        )
    return template

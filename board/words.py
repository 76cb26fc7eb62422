"""Figures and people in words: shared by the board, the drill-down and the exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from invitations.models import Invitation
from orders.selectors import PointPeople
from staff.models import Person

from .selectors import Headline, SchoolBoard, share

# --- Words for people: shared by the board, the drill-down and the exports -----------------------


def short_name(person: Person | None) -> str:
    """«Горбатенко Виктория Ивановна» → «Горбатенко В.И.» (as the order names people).

    A name the school already wrote with initials («Гладкова Л.И.», «Л.И. Гладкова») is kept as
    written: its initials are not initials of initials («Гладкова Л.»).
    """
    if person is None:
        return ""
    parts = person.full_name.split()
    if not parts:
        return ""
    if any("." in part for part in parts):
        return " ".join(parts)
    surname, *given = parts
    initials = "".join(f"{name[0]}." for name in given[:2] if name)
    return f"{surname} {initials}".strip()


def in_charge_text(people: PointPeople) -> str:
    if people.in_charge is None:
        if people.primary is not None:
            return _("%(name)s (отсутствует, замены нет)") % {"name": short_name(people.primary)}
        return ""
    text = short_name(people.in_charge)
    if people.substituting:
        text += " " + _("(за %(name)s)") % {"name": short_name(people.primary)}
    if people.co_executors:
        text += ", " + ", ".join(short_name(person) for person in people.co_executors)
    return text


@dataclass(frozen=True)
class HeadlineItem:
    key: str
    label: str
    value: str  # the whole figure in words, for the reports
    percent: int | None
    check: str  # the compliance check whose findings the drill-down lists ("" — every open finding)
    figure: str = ""  # the big number on the board (the percent where there is one)
    detail: str = ""  # the small print under it

    def __post_init__(self):
        if not self.figure:
            object.__setattr__(
                self, "figure", f"{self.percent}%" if self.percent is not None else self.value
            )
        if not self.detail and self.percent is not None:
            object.__setattr__(self, "detail", self.value)


def _of(done: int, total: int) -> str:
    percent = share(done, total)
    text = _("%(done)s из %(total)s") % {"done": done, "total": total}
    return text + (f" ({percent}%)" if percent is not None else "")


def _members_detail(headline: Headline) -> str:
    """«24 из 27 (89%) — по данным МАХ, 12:05», «… — вручную», or how many of each: where the
    number of members comes from (issue 14: what was typed in is not what МАХ counts); those who
    declined МАХ after it, counted apart (DESIGN.md §9)."""
    detail = _members_source(headline)
    if headline.members_declined:
        detail += "; " + _("отказались от МАХ: %(declined)s") % {
            "declined": headline.members_declined
        }
    return detail


def _members_source(headline: Headline) -> str:
    value = _of(headline.members_reached, headline.members_expected)
    verified, reached = headline.members_verified, headline.members_reached
    if not reached:
        return value
    if verified >= reached and headline.members_verified_at is not None:
        at = timezone.localtime(headline.members_verified_at)
        when = f"{at:%H:%M}" if at.date() == timezone.localdate() else f"{at:%d.%m.%Y %H:%M}"
        return _("%(value)s — по данным МАХ, %(time)s") % {"value": value, "time": when}
    if not verified:
        return _("%(value)s — вручную") % {"value": value}
    return _("%(value)s — по данным МАХ: %(verified)s, вручную: %(manual)s") % {
        "value": value,
        "verified": verified,
        "manual": reached - verified,
    }


def headline_items(headline: Headline) -> list[HeadlineItem]:
    links = headline.invitations
    status_labels = dict(Invitation.Status.choices)
    links_text = ", ".join(
        f"{status_labels[status]}: {links.get(status, 0)}" for status in Invitation.Status.values
    )
    others_text = ", ".join(
        f"{status_labels[status]}: {links.get(status, 0)}"
        for status in Invitation.Status.values
        if status != Invitation.Status.ACTIVE
    )
    return [
        HeadlineItem(
            "classes",
            _("Классы со всеми обязательными чатами"),
            _of(headline.classes_compliant, headline.classes_total),
            headline.classes_share,
            "class_chats",
        ),
        HeadlineItem(
            "chats",
            _("Обязательные чаты классов созданы"),
            _of(headline.class_chats_present, headline.class_chats_required),
            headline.chats_share,
            "class_chats",
        ),
        HeadlineItem(
            "members",
            _("Охват учащихся и родителей чатами классов"),
            _of(headline.members_reached, headline.members_expected),
            headline.members_share,
            "class_chats",
            detail=_members_detail(headline),
        ),
        HeadlineItem(
            "invitations",
            _("Ссылки-приглашения действуют"),
            links_text,
            None,
            "no_stale_invitations",
            figure=str(links.get(Invitation.Status.ACTIVE, 0)),
            detail=others_text,
        ),
        HeadlineItem(
            "join_requests",
            _("Заявки на присоединение ждут рассмотрения"),
            str(headline.join_requests_pending),
            None,
            "join_requests_timely",
        ),
        HeadlineItem("findings", _("Открытые замечания"), str(headline.findings_open), None, ""),
        HeadlineItem(
            "trained",
            _("Педагоги, прошедшие обучение (п. 7.2)"),
            _of(headline.teaching_trained, headline.teaching_total),
            headline.trained_share,
            "teachers_trained",
        ),
        HeadlineItem(
            "acknowledged",
            _("Ознакомлены с приказом"),
            _of(headline.acknowledged, headline.acknowledgements_total),
            headline.acknowledged_share,
            "order_acknowledged",
        ),
    ]


def boards_area_name(boards: list[SchoolBoard]) -> str:
    """The municipality of the boards' schools, or «все муниципалитеты» when they are several."""
    names = {str(board.school.municipality) for board in boards}
    if len(names) == 1:
        return names.pop()
    return _("Все муниципалитеты") if names else ""


def point_number_key(number: str):
    """Natural order of point numbers (3 < 3.5 < 3.10 < 4)."""
    return tuple(
        int(part) if part.isdigit() else 0 for part in number.replace("-", ".").split(".")
    ), number


def point_numbers(boards: list[SchoolBoard]) -> list[str]:
    """Every point number of the boards' orders, in natural order (3 < 3.5 < 3.10 < 4)."""
    return sorted(
        {row.point.number for board in boards for row in board.points}, key=point_number_key
    )

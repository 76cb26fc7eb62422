"""The inspector's table: the schools they read × the points of each school's current order,
paginated and sortable, from the schools' stored standings (``board.standings``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from compliance.registry import PointStatus
from staff.access import user_can
from staff.models import School
from staff.selectors import inspected_municipality_id, school_list

from .freshness import jobs_freshness
from .standings import (
    SORTS,
    municipality_summaries,
    standings_complete,
    standings_list,
    standings_numbers,
    standings_sort,
)
from .terms import STATUS_CODES

SCHOOLS_PER_PAGE = 25


def _cells_html(figures: dict, numbers: list[str], words: dict) -> SafeString:
    """The point cells of one row, built here rather than in the template: 25 rows × 20-odd
    points of template tags were most of the page's time (bench_region). Every text is
    escaped; ``words`` holds the translated labels, looked up once per page."""
    cells = figures.get("cells") or {}
    parts = []
    for number in numbers:
        raw = cells.get(number)
        if raw is None:
            parts.append(words["absent_cell"])
            continue
        status = raw["s"]
        label = f"{words['point']} {number}: {words[status]}"
        title = label
        if raw.get("t") is not None:
            figure = {"done": raw["d"], "total": raw["t"], "unit": raw.get("u", "")}
            title = f"{label}, {words['figure'] % figure}"
        parts.append(
            f'<td class="inspector-table__cell"><span class="badge badge--{escape(status)} '
            f'badge--code" role="img" aria-label="{escape(label)}" title="{escape(title)}" '
            f'data-status="{escape(status)}">{STATUS_CODES[PointStatus(status)]}</span></td>'
        )
    return mark_safe("".join(parts))  # noqa: S308 — every variable part is escaped above


def _cell_words() -> dict:
    absent = escape(_("пункта нет в приказе школы"))
    return {
        "point": _("п."),
        "figure": _("%(done)s из %(total)s %(unit)s"),
        "absent_cell": f'<td class="inspector-table__cell"><span class="inspector-table__none" '
        f'role="img" aria-label="{absent}"></span></td>',
        **{status.value: str(status.label) for status in PointStatus},
    }


@login_required
def inspector(request):
    """Every school the inspector reads, worst first (or by municipality, or by name); a regional
    inspector also sees each municipality's summary and the table grouped by municipality."""
    if not user_can(request.user, "view_all", School):
        raise PermissionDenied
    regional = inspected_municipality_id(request.user) is None
    standings = standings_list(schools=school_list(user=request.user))
    municipalities = municipality_summaries(standings) if regional else []
    grouped = len(municipalities) > 1
    default_sort = "municipality" if grouped else "lag"
    sort = request.GET.get("sort", default_sort)
    if sort not in SORTS:
        sort = default_sort
    ordered = standings_sort(standings, sort=sort)
    page = Paginator(ordered, SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    standings_complete(list(page.object_list))
    # The point columns of this page's schools (their orders' points, in natural order).
    numbers = standings_numbers(list(page.object_list))
    rows = []
    words = _cell_words()
    previous = None
    for standing in page.object_list:
        name = standing.school.municipality.name
        rows.append(
            {
                "board": standing,
                "counts": standing.counts,
                "group": name if sort == "municipality" and grouped and name != previous else None,
                "cells_html": _cells_html(standing.figures, numbers, words),
            }
        )
        previous = name
    computed = [s.computed_at for s in standings if s.computed_at]
    return render(
        request,
        "board/inspector.html",
        {
            "table": rows,
            "page": page,
            "total": len(standings),
            "numbers": numbers,
            "sort": sort,
            "sorts": [
                ("lag", _("по отставанию")),
                ("municipality", _("по муниципалитетам")),
                ("name", _("по названию")),
            ],
            "query": f"sort={sort}",
            "municipalities": municipalities,
            "grouped": grouped,
            "regional": regional,
            "standings_at": min(computed) if computed else None,
            "freshness": jobs_freshness(),
            "can_add_school": user_can(request.user, "add", School),
            "legend": [(code, status) for status, code in STATUS_CODES.items()],
        },
    )

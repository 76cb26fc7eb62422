"""The inspector's table: the schools they read × the points of each school's current order,
paginated and sortable, from the schools' stored standings (``board.standings``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from staff.access import user_can
from staff.models import School
from staff.selectors import inspected_municipality_id, school_list

from .selectors import STATUS_CODES, jobs_freshness
from .standings import (
    SORTS,
    municipality_summaries,
    standings_list,
    standings_numbers,
    standings_sort,
)

SCHOOLS_PER_PAGE = 25


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
    numbers = standings_numbers(standings)
    rows = []
    previous = None
    for standing in page.object_list:
        name = standing.school.municipality.name
        cells = standing.cells
        rows.append(
            {
                "board": standing,
                "counts": standing.counts,
                "group": name if sort == "municipality" and grouped and name != previous else None,
                "cells": [cells.get(number) for number in numbers],
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
            "computed_at": min(computed) if computed else None,
            "freshness": jobs_freshness(),
            "can_add_school": user_can(request.user, "add", School),
            "legend": [(code, status) for status, code in STATUS_CODES.items()],
        },
    )

"""Reads for orders: points with their live status, evaluated for many schools at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from staff.selectors import filter_by_permission

from .compliance import Figure, PointStatus, get_check, point_status
from .models import Order, OrderPoint


@dataclass(frozen=True)
class PointResult:
    status: PointStatus
    figure: Figure | None


def order_list(*, user) -> QuerySet[Order]:
    return filter_by_permission(queryset=Order.objects.select_related("school"), user=user, codename="view_order")


def points_evaluate(*, points: Iterable[OrderPoint], today: datetime.date | None = None) -> dict[int, PointResult]:
    """Live status of every point given, in one call per distinct check (not per point or school).

    ``points`` must have ``order`` loaded (``select_related("order")``) for the school id.
    """
    today = today or timezone.localdate()
    points = list(points)
    schools_by_check: dict[str, set[int]] = defaultdict(set)
    for point in points:
        if point.check_key and get_check(point.check_key):
            schools_by_check[point.check_key].add(point.order.school_id)

    figures: dict[str, dict[int, Figure]] = {
        key: get_check(key).evaluate(school_ids=sorted(school_ids), today=today)
        for key, school_ids in schools_by_check.items()
    }
    results = {}
    for point in points:
        figure = figures.get(point.check_key, {}).get(point.order.school_id) if point.check_key else None
        results[point.pk] = PointResult(
            status=point_status(figure=figure, deadline=point.deadline, today=today), figure=figure
        )
    return results

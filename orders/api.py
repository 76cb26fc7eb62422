"""The orders API (API.md «Orders»): orders with their points and live statuses, read-only."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from django.utils import timezone
from rest_framework import mixins, serializers, viewsets

from compliance.registry import PointStatus, points_evaluate

from .models import Order, OrderPoint
from .selectors import order_list, point_people


@dataclass(frozen=True)
class ApiResponsible:
    id: int
    full_name: str
    backup: bool


@dataclass(frozen=True)
class ApiPoint:
    id: int
    number: str
    text: str
    deadline: datetime.date | None
    status: str
    figure: dict | None
    responsible: list[ApiResponsible]


class OrderWithApiPoints(Protocol):
    """An order once ``orders_attach_points`` (or the dashboard) has set its points on it."""

    api_points: list[ApiPoint]


def orders_attach_points(
    orders: Sequence[Order], *, today: datetime.date | None = None
) -> Sequence[Order]:
    """Set ``order.api_points`` on every order: its points with live status and people.

    Three queries whatever the number of orders (points, responsibilities) plus one evaluation per
    distinct check — used by the orders API and by the dashboard API for «the order as above».
    """
    today = today or timezone.localdate()
    points = list(
        OrderPoint.objects.filter(order__in=[order.pk for order in orders])
        .select_related("order")
        .order_by("position", "pk")
    )
    results = points_evaluate(points=points, today=today)
    people = point_people(points=points, today=today)
    by_order: dict[int, list[ApiPoint]] = {order.pk: [] for order in orders}
    for point in points:
        entry, result = people[point.pk], results[point.pk]
        responsible = (
            (
                [ApiResponsible(entry.primary.pk, entry.primary.full_name, False)]
                if entry.primary
                else []
            )
            + [ApiResponsible(p.pk, p.full_name, True) for p in entry.backups]
            + [ApiResponsible(p.pk, p.full_name, False) for p in entry.co_executors]
        )
        by_order[point.order_id].append(
            ApiPoint(
                id=point.pk,
                number=point.number,
                text=point.text,
                deadline=point.deadline,
                status=result.status.value,
                figure=result.figure.as_dict() if result.figure else None,
                responsible=responsible,
            )
        )
    for order in orders:
        cast(OrderWithApiPoints, order).api_points = by_order[order.pk]
    return orders


class FigureSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ResponsibleSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id of the person (staff record).")
    full_name = serializers.CharField()
    backup = serializers.BooleanField(
        help_text="True for the backup who answers while the primary is away."
    )


class PointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    text = serializers.CharField()
    deadline = serializers.DateField(allow_null=True, help_text="Null: «постоянно» (no deadline).")
    status = serializers.ChoiceField(choices=PointStatus.choices)
    figure = FigureSerializer(allow_null=True)
    responsible = ResponsibleSerializer(many=True)


class OrderSerializer(serializers.ModelSerializer):
    points = PointSerializer(many=True, source="api_points", read_only=True)

    class Meta:
        model = Order
        fields = ["id", "number", "date", "title", "basis", "points"]
        read_only_fields = fields


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders the user may read, each point with its live status (one evaluation per distinct check).

    Director, coordinator, operator: their school; inspector: every school; a member of staff: the
    orders sent to them. Another school's order answers 404.
    """  # noqa: E501 -- the docstring is the OpenAPI description; wrapping would change it

    serializer_class = OrderSerializer

    def get_queryset(self):
        return order_list(user=self.request.user).order_by("-date", "-number", "-pk")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return orders_attach_points(page) if page is not None else None

    def get_object(self):
        return orders_attach_points([super().get_object()])[0]

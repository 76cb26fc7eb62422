"""``GET /api/v1/dashboard/`` (API.md «Dashboard»): the board of one school as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from board.selectors import KeptBoard, SchoolBoard, kept_board, kept_stamp
from gymnasium_portal.params import parse_id
from invitations.models import Invitation
from orders.api import ApiPoint, ApiResponsible, OrderSerializer, OrderWithApiPoints
from staff.access import user_can
from staff.models import School
from staff.selectors import user_school

T = TypeVar("T")


def _derived_key(name: str, school_id: int, stamp: str) -> str:
    return f"board:{name}:{school_id}:{stamp}"


def kept_derived(kept: KeptBoard, name: str, build: Callable[[KeptBoard], T]) -> T:
    """What is built from a kept board (the API dashboard's JSON), kept as long as that board: its
    key names the board's computation, so a recomputed board is never answered with the old one."""
    seconds = settings.BOARD_CACHE_SECONDS
    if seconds <= 0:
        return build(kept)
    key = _derived_key(name, kept.board.school.pk, kept.computed_at.isoformat())
    value = caches["board"].get(key)
    if value is None:
        value = build(kept)
        caches["board"].set(key, value, seconds)
    return value


def _dashboard(user, *, school_id: int, today) -> dict:
    """The school's dashboard from the kept board: by the board's stamp first (two small reads of
    the cache), else from the board itself (kept or computed now)."""
    stamp = kept_stamp(user=user, school_id=school_id, today=today)
    if stamp is not None:
        value = caches["board"].get(_derived_key("api", school_id, stamp))
        if value is not None:
            return value
    kept = kept_board(user=user, school_id=school_id, today=today)
    if kept is None:
        raise Http404
    return kept_derived(kept, "api", _dashboard_data)


class DashboardInvitationsSerializer(serializers.Serializer):
    active = serializers.IntegerField()
    used = serializers.IntegerField()
    expired = serializers.IntegerField()
    annulled = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    order = OrderSerializer(
        allow_null=True, help_text="The school's current order with live statuses; null if none."
    )
    classes_total = serializers.IntegerField()
    classes_compliant = serializers.IntegerField()
    invitations = DashboardInvitationsSerializer()
    join_requests_pending = serializers.IntegerField()
    findings_open = serializers.IntegerField()
    checked_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the checking jobs last ran (the oldest of their last runs).",
    )


def _api_points(board: SchoolBoard) -> list[ApiPoint]:
    """The board's points in the shape of the orders API (statuses and people already computed)."""
    points = []
    for row in board.points:
        people = row.people
        responsible = (
            (
                [ApiResponsible(people.primary.pk, people.primary.full_name, False)]
                if people.primary
                else []
            )
            + [ApiResponsible(p.pk, p.full_name, True) for p in people.backups]
            + [ApiResponsible(p.pk, p.full_name, False) for p in people.co_executors]
        )
        points.append(
            ApiPoint(
                id=row.point.pk,
                number=row.point.number,
                text=row.point.text,
                deadline=row.point.deadline,
                status=row.status.value,
                figure=row.figure.as_dict() if row.figure else None,
                responsible=responsible,
            )
        )
    return points


def dashboard_payload(board: SchoolBoard, *, checked_at) -> dict:
    """API.md «Dashboard»; ``order`` is «the order as above» (the orders API's serializer)."""
    if board.order is not None:
        cast(OrderWithApiPoints, board.order).api_points = _api_points(board)
    headline = board.headline
    return {
        "school": board.school.pk,
        "order": board.order,
        "classes_total": headline.classes_total,
        "classes_compliant": headline.classes_compliant,
        "invitations": {
            status: headline.invitations.get(status, 0) for status in Invitation.Status.values
        },
        "join_requests_pending": headline.join_requests_pending,
        "findings_open": headline.findings_open,
        "checked_at": checked_at,
    }


def _dashboard_data(kept: KeptBoard) -> dict:
    payload = dashboard_payload(kept.board, checked_at=kept.freshness.checked_at)
    return dict(DashboardSerializer(payload).data)  # a plain dict: kept without its serializer


class DashboardView(APIView):
    @extend_schema(
        operation_id="dashboard_retrieve",
        summary="The order board of one school",
        description=(
            "Director, coordinator, operator: their own school. "
            "Inspector: `?school=ID` for any school "
            "(required). Another school than the user's own: 404."
        ),
        parameters=[
            OpenApiParameter(
                "school", int, required=False, description="School id (the inspector must give it)."
            )
        ],
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(description="`school` missing (inspector) or not a number."),
            401: OpenApiResponse(description="No credentials."),
            403: OpenApiResponse(description="The user's role has no dashboard."),
            404: OpenApiResponse(description="No such school in the user's scope."),
        },
        tags=["dashboard"],
    )
    def get(self, request):
        user = request.user
        if not user_can(user, "view_board", School):
            raise PermissionDenied()
        raw = request.query_params.get("school", "").strip()
        if raw:
            requested = parse_id(raw)
            if requested is None:
                raise ValidationError({"school": ["Укажите номер (id) школы."]})
            school_id = requested
        else:
            own = user_school(user)
            if own is None:
                if user_can(user, "view_all", School):
                    raise ValidationError({"school": ["Укажите школу: ?school=ID."]})
                raise PermissionDenied()
            school_id = own.pk
        # The same kept figures as the director's board (``kept_board``, BOARD_CACHE_SECONDS).
        return Response(_dashboard(user, school_id=school_id, today=timezone.localdate()))

"""``GET /api/v1/me/max-link/`` (API.md): the signed-in person's one-time deep link to the bot."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from staff.selectors import user_person

from .bindings import person_max_link
from .client import integration_enabled
from .models import MaxAccount


class MaxLinkSerializer(serializers.Serializer):
    deep_link = serializers.CharField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    bound = serializers.BooleanField()
    enabled = serializers.BooleanField(help_text="False: the MAX integration is off (no link).")


@extend_schema(
    summary="The signed-in person's one-time deep link to bind their MAX account",
    responses={
        200: MaxLinkSerializer,
        404: OpenApiResponse(description="The account has no staff record"),
    },
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me_max_link(request):
    person = user_person(request.user)
    if person is None:
        raise NotFound
    if not integration_enabled():
        bound = MaxAccount.objects.filter(person=person).exists()
        data = {"deep_link": None, "code": None, "expires_at": None, "bound": bound}
        return Response(MaxLinkSerializer({**data, "enabled": False}).data)
    link = person_max_link(person=person)
    data = {
        "deep_link": link.deep_link,
        "code": link.code,
        "expires_at": link.expires_at,
        "bound": link.bound,
        "enabled": True,
    }
    return Response(MaxLinkSerializer(data).data)

"""REST API of links and join requests (API.md: Invitations, Join requests). Thin: rights come from
``staff.access`` (the rules of ``invitations/access.py``), rules of the data from ``services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from gymnasium_portal.params import MAX_ID
from staff.access import user_can
from staff.models import SchoolClass
from staff.selectors import user_school

from .access import link_issue_choices
from .links import invitation_link
from .models import Invitation, JoinRequest, Role
from .selectors import (
    InvitationFilters,
    JoinRequestFilters,
    invitation_list,
    join_request_list,
)
from .services import (
    MAX_USES_LIMIT,
    InvitationNotActive,
    JoinRequestNotPending,
    invitation_annul,
    invitation_create,
    invitation_validate,
    join_request_review,
)


class MayViewInvitations(BasePermission):
    """Links and requests: operator, coordinator, director (their school), class teachers (own
    classes)."""

    message = _("Нет доступа к ссылкам-приглашениям и заявкам.")

    def has_permission(self, request, view) -> bool:
        return user_can(request.user, "list", view.queryset.model)


# --- Serializers ------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    link = serializers.SerializerMethodField(
        help_text=_("Абсолютный адрес /invite/<token>/ — его и раздают.")
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "school",
            "school_class",
            "role",
            "max_uses",
            "uses",
            "expires_at",
            "status",
            "link",
            "platform_url",
            "created_by",
            "created_at",
            "annulled_at",
            "annul_reason",
            "replaced_by",
        ]
        read_only_fields = fields

    def get_link(self, invitation: Invitation) -> str:
        return invitation_link(invitation, request=self.context.get("request"))


class InvitationCreateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    platform_url = serializers.URLField(
        max_length=500, help_text=_("Ссылка платформы, только https://.")
    )
    school_class = serializers.PrimaryKeyRelatedField(
        queryset=SchoolClass.objects.none(),
        required=False,
        allow_null=True,
        help_text=_("Обязателен для student и parent; для teacher и staff не указывается."),
    )
    max_uses = serializers.IntegerField(min_value=1, max_value=MAX_USES_LIMIT, default=1)
    expires_at = serializers.DateTimeField(
        required=False, help_text=_("В будущем; по умолчанию — срок школы.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A class outside what the user may issue into reads as not existing (never revealed).
            self.fields["school_class"].queryset = link_issue_choices(request.user).classes

    def validate(self, data):
        school_class = data.get("school_class")
        school = (
            school_class.school
            if school_class is not None
            else user_school(self.context["request"].user)
        )
        if school is None:
            raise serializers.ValidationError(
                {"school_class": [_("Укажите класс: школа не определена.")]}
            )
        try:
            invitation_validate(
                school=school,
                role=data["role"],
                platform_url=data["platform_url"],
                school_class=school_class,
                max_uses=data["max_uses"],
                expires_at=data.get("expires_at"),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        data["school"] = school
        return data


class InvitationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class InvitationConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()


class InvitationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Invitation.Status.choices, required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    school_class = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class JoinRequestFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=JoinRequest.Status.choices, required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    school_class = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class JoinRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "school",
            "invitation",
            "role",
            "school_class",
            "full_name",
            "child_name",
            "status",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "reason",
        ]
        read_only_fields = fields


def _filter_params(serializer_class) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            name,
            OpenApiTypes.INT if name == "school_class" else OpenApiTypes.STR,
            enum=[c for c, _label in field.choices.items()] if hasattr(field, "choices") else None,
        )
        for name, field in serializer_class().fields.items()
    ]


def _validated_filters(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


NOT_ACTIVE = OpenApiResponse(
    InvitationConflictSerializer,
    description=_("Ссылка уже не действует (использована, истекла, аннулирована)."),
)
NOT_PENDING = OpenApiResponse(
    InvitationConflictSerializer, description=_("Заявка уже рассмотрена.")
)


# --- Viewsets ---------------------------------------------------------------------------------


@extend_schema(tags=["invitations"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Ссылки-приглашения"), parameters=_filter_params(InvitationFilterSerializer)
    ),
    retrieve=extend_schema(summary=_("Ссылка-приглашение")),
    create=extend_schema(
        summary=_("Выдать ссылку"),
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
    ),
)
class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated, MayViewInvitations]
    queryset = Invitation.objects.none()  # narrowed per user in get_queryset

    def get_queryset(self):
        filters = None
        if self.action == "list":
            data = _validated_filters(self.request, InvitationFilterSerializer)
            filters = InvitationFilters(
                status=data.get("status", ""),
                role=data.get("role", ""),
                school_class=data.get("school_class"),
            )
        return invitation_list(user=self.request.user, filters=filters)

    def create(self, request, *args, **kwargs):
        if not user_can(request.user, "issue", Invitation):
            raise PermissionDenied(
                _("Выдавать ссылки может оператор, координатор или классный руководитель.")
            )
        serializer = InvitationCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["role"] not in link_issue_choices(request.user).roles:
            raise PermissionDenied(
                _(
                    "Классный руководитель выдаёт только ссылки для учащихся и родителей "
                    "своего класса."
                )
            )
        invitation = invitation_create(
            school=data["school"],
            role=data["role"],
            platform_url=data["platform_url"],
            by=request.user,
            school_class=data.get("school_class"),
            max_uses=data["max_uses"],
            expires_at=data.get("expires_at"),
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Аннулировать ссылку"),
        request=InvitationReasonSerializer,
        responses={200: InvitationSerializer, 409: NOT_ACTIVE},
    )
    @action(detail=True, methods=["post"])
    def annul(self, request, pk=None):
        invitation = self.get_object()
        if not user_can(request.user, "annul", invitation):
            raise PermissionDenied(
                _("Аннулировать ссылки может оператор, координатор или классный руководитель.")
            )
        body = InvitationReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            invitation = invitation_annul(
                invitation=invitation, by=request.user, reason=body.validated_data["reason"]
            )
        except InvitationNotActive:
            return Response(
                {"detail": _("Ссылка уже не действует.")}, status=status.HTTP_409_CONFLICT
            )
        return Response(self.get_serializer(invitation).data)


@extend_schema(tags=["join-requests"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Заявки на присоединение"), parameters=_filter_params(JoinRequestFilterSerializer)
    ),
    retrieve=extend_schema(summary=_("Заявка на присоединение")),
)
class JoinRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JoinRequestSerializer
    permission_classes = [IsAuthenticated, MayViewInvitations]
    queryset = JoinRequest.objects.none()

    def get_queryset(self):
        filters = None
        if self.action == "list":
            data = _validated_filters(self.request, JoinRequestFilterSerializer)
            filters = JoinRequestFilters(
                status=data.get("status", ""),
                role=data.get("role", ""),
                school_class=data.get("school_class"),
            )
        return join_request_list(user=self.request.user, filters=filters).order_by(
            "-created_at", "-pk"
        )

    def _review(self, request, *, approve: bool):
        join_request = self.get_object()
        if not user_can(request.user, "review", join_request):
            raise PermissionDenied(
                _("Рассматривать заявки может оператор, координатор или классный руководитель.")
            )
        body = InvitationReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            join_request = join_request_review(
                join_request=join_request,
                by=request.user,
                approve=approve,
                reason=body.validated_data["reason"],
            )
        except JoinRequestNotPending:
            return Response(
                {"detail": _("Заявка уже рассмотрена.")}, status=status.HTTP_409_CONFLICT
            )
        return Response(self.get_serializer(join_request).data)

    @extend_schema(
        summary=_("Принять заявку"),
        request=InvitationReasonSerializer,
        responses={200: JoinRequestSerializer, 409: NOT_PENDING},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, approve=True)

    @extend_schema(
        summary=_("Отклонить заявку"),
        request=InvitationReasonSerializer,
        responses={200: JoinRequestSerializer, 409: NOT_PENDING},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, approve=False)

"""Chats API (API.md, «Chats»): ``GET|POST /api/v1/chats/``, ``GET|PATCH /api/v1/chats/{id}/``.

- Scope: ``chats.selectors.chat_list`` — a chat outside it is 404, never revealed.
- Rights (``staff.access.user_can``, the rules of ``chats/access.py``): creating needs the
  operator's or coordinator's rights at the school, or, for a class chat, being the class's teacher;
  changing needs the same or owning the chat (п. 6). Visible but not the user's to change → 403.
  A ``school_class`` the user may not create chats in is answered 403 with the same message whether
  the class exists or not, so ids of other classes cannot be probed.
- Rules of the data (``chats.services.chat_validate``): a class kind needs ``school_class``, a
  school-wide kind must not have one, ``https://`` only, one active chat of a single kind → 400.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from gymnasium_portal.params import MAX_ID, parse_id
from staff.access import user_can
from staff.models import Person, SchoolClass
from staff.selectors import led_class_ids, user_school

from . import selectors, services
from .models import SCHOOL_KINDS, Chat, ChatKind, MembersSource

MAX_MEMBERS = 1_000_000


def _https_only(value: str) -> None:
    if not value.startswith("https://"):
        raise serializers.ValidationError(_("Ссылка на чат должна начинаться с https://"))


class ChatSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ChatKind.choices)
    school_class = serializers.IntegerField(
        source="school_class_id",
        allow_null=True,
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of the class; required for class_* kinds, null for school_* kinds.",
    )
    title = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500, validators=[_https_only])
    owner = serializers.IntegerField(
        source="owner_id",
        allow_null=True,
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=(
            "Id of the staff member who owns the chat (п. 6); set by the operator or coordinator."
        ),
    )
    members_count = serializers.IntegerField(
        allow_null=True, required=False, min_value=0, max_value=MAX_MEMBERS
    )
    status = serializers.ChoiceField(choices=Chat.Status.choices, required=False)
    platform_chat_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The MAX chat bound to this chat (64-bit)."
    )
    verified_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When MAX last confirmed the chat."
    )
    members_source = serializers.SerializerMethodField(
        help_text="platform: members_count is MAX's participants_count; manual: typed in; "
        "null: no number."
    )

    class Meta:
        model = Chat
        fields = [
            "id",
            "kind",
            "school_class",
            "title",
            "url",
            "owner",
            "members_count",
            "status",
            "created_at",
            "platform_chat_id",
            "verified_at",
            "members_source",
        ]
        read_only_fields = ["id", "created_at", "platform_chat_id", "verified_at", "members_source"]
        # The rules of uniqueness are the services' (with a clear message), not generated
        # validators.
        validators: list = []

    @extend_schema_field(serializers.ChoiceField(choices=MembersSource.choices, allow_null=True))
    def get_members_source(self, chat: Chat) -> str | None:
        return chat.members_origin()


NOT_YOUR_CLASS = _("Вы можете создавать и изменять чаты только тех классов, которые ведёте.")


_list_parameters = [
    OpenApiParameter("school_class", OpenApiTypes.INT, description="Only the chats of this class."),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=ChatKind.values, description="Only the chats of this kind."
    ),
]


@extend_schema_view(
    list=extend_schema(summary="Chats the user may see", parameters=_list_parameters),
    retrieve=extend_schema(
        summary="One chat",
        responses={
            200: ChatSerializer,
            404: OpenApiResponse(description="Outside the user's scope"),
        },
    ),
    create=extend_schema(
        summary="Record a chat",
        responses={
            201: ChatSerializer,
            400: OpenApiResponse(description="Bad input; nothing written"),
            403: OpenApiResponse(
                description="Not allowed to create this chat (e.g. another teacher's class)"
            ),
        },
    ),
    partial_update=extend_schema(
        summary="Change a chat",
        responses={
            200: ChatSerializer,
            400: OpenApiResponse(description="Bad input; nothing written"),
            403: OpenApiResponse(description="Visible but not the user's to change"),
            404: OpenApiResponse(description="Outside the user's scope"),
        },
    ),
)
class ChatViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ChatSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = selectors.chat_list(user=self.request.user).order_by(
            "school_id", "kind", "title", "pk"
        )
        if self.action != "list":
            return queryset
        params = self.request.query_params
        errors = {}
        school_class = params.get("school_class")
        if school_class not in (None, ""):
            class_id = parse_id(school_class)
            if class_id is None:
                errors["school_class"] = [_("Укажите id класса числом.")]
            else:
                queryset = queryset.filter(school_class_id=class_id)
        kind = params.get("kind")
        if kind not in (None, ""):
            if kind not in ChatKind.values:
                errors["kind"] = [_("Неизвестный вид чата.")]
            else:
                queryset = queryset.filter(kind=kind)
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_success_headers(self, data):
        # DRF would put the chat's ``url`` (the platform link, not this resource) into Location.
        return {}

    # --- create --------------------------------------------------------------------------------

    def _class_for_create(self, class_id: int | None) -> SchoolClass | None:
        if class_id is None:
            return None
        user = self.request.user
        classes = SchoolClass.objects.select_related("school")
        school = user_school(user)
        if school is not None and user_can(user, "add_class_chats", school):
            school_class = classes.filter(school=school, pk=class_id).first()
        else:
            school_class = classes.filter(pk__in=led_class_ids(user=user), pk=class_id).first()
        if school_class is None:
            raise PermissionDenied(NOT_YOUR_CLASS)
        return school_class

    def _owner(self, owner_id: int | None, *, school_id: int) -> Person | None:
        if owner_id is None:
            return None
        person = Person.objects.filter(pk=owner_id, school_id=school_id, is_active=True).first()
        if person is None:
            raise ValidationError({"owner": [_("Сотрудник не найден в этой школе.")]})
        return person

    def perform_create(self, serializer):
        user = self.request.user
        if not user_can(user, "add", Chat):
            raise PermissionDenied(_("У вас нет права добавлять чаты."))
        data = serializer.validated_data
        kind = data["kind"]
        school_class = self._class_for_create(data.get("school_class_id"))
        school = school_class.school if school_class is not None else user_school(user)
        if kind in SCHOOL_KINDS or school_class is None:
            allowed = school is not None and user_can(user, "manage_chats", school)
        else:
            allowed = user_can(user, "add_chat", school_class)
        if not allowed:
            if kind in SCHOOL_KINDS:
                raise PermissionDenied(
                    _("Общешкольные чаты добавляют оператор и администратор-координатор.")
                )
            raise PermissionDenied(NOT_YOUR_CLASS)
        owner_id = data.get("owner_id")
        if owner_id is not None and not user_can(user, "manage_chats", school):
            raise PermissionDenied(
                _("Назначать владельца чата могут оператор и администратор-координатор.")
            )
        if data.get("status", Chat.Status.ACTIVE) != Chat.Status.ACTIVE:
            raise ValidationError({"status": [_("Новый чат записывается действующим.")]})
        serializer.instance = services.chat_create(
            school=school,
            kind=kind,
            school_class=school_class,
            title=data["title"],
            url=data["url"],
            members_count=data.get("members_count"),
            owner=self._owner(owner_id, school_id=school.pk),
            by=user,
        )

    # --- update --------------------------------------------------------------------------------

    def perform_update(self, serializer):
        user = self.request.user
        chat = serializer.instance
        if not user_can(user, "change", chat):
            raise PermissionDenied(
                _(
                    "Этот чат может изменять только его владелец, классный руководитель "
                    "или оператор."
                )
            )
        data = dict(serializer.validated_data)
        changes = {}
        for field in ("kind", "title", "url", "members_count", "status"):
            if field in data:
                changes[field] = data[field]
        if "school_class_id" in data and data["school_class_id"] != chat.school_class_id:
            changes["school_class"] = self._class_for_create(data["school_class_id"])
            if (
                changes["school_class"] is not None
                and changes["school_class"].school_id != chat.school_id
            ):
                raise PermissionDenied(NOT_YOUR_CLASS)
        manager = user_can(user, "manage", chat)
        if "owner_id" in data and data["owner_id"] != chat.owner_id:
            if not manager:
                raise PermissionDenied(
                    _("Назначать владельца чата могут оператор и администратор-координатор.")
                )
            changes["owner"] = self._owner(data["owner_id"], school_id=chat.school_id)
        new_kind = changes.get("kind", chat.kind)
        if (
            new_kind != chat.kind
            and not manager
            and (new_kind in SCHOOL_KINDS or chat.kind in SCHOOL_KINDS)
        ):
            raise PermissionDenied(
                _("Вид общешкольного чата меняют оператор и администратор-координатор.")
            )
        serializer.instance = services.chat_update(chat=chat, by=user, **changes)

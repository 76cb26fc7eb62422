"""Classes API (API.md, «Classes»): ``GET /api/v1/classes/``, ``GET /api/v1/classes/{id}/``.

Scope through ``staff.selectors.schoolclass_list`` (a class teacher sees only their own classes);
``missing_chats`` comes from the same query (``chats.selectors.schoolclass_annotate_chats``): a page
of classes costs the same few queries whatever its size.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from chats.models import CLASS_KINDS
from chats.selectors import missing_chat_kinds, schoolclass_annotate_chats
from gymnasium_portal.params import parse_id
from staff.models import Person, SchoolClass
from staff.selectors import schoolclass_list


class ClassTeacherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name"]


class SchoolClassSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    class_teacher = ClassTeacherSerializer(read_only=True, allow_null=True)
    missing_chats = serializers.SerializerMethodField()

    class Meta:
        model = SchoolClass
        fields = [
            "id",
            "name",
            "grade",
            "letter",
            "school",
            "class_teacher",
            "students_expected",
            "parents_expected",
            "missing_chats",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=[(k.value, k.label) for k in CLASS_KINDS])
        )
    )
    def get_missing_chats(self, school_class) -> list[str]:
        return missing_chat_kinds(school_class)


@extend_schema_view(
    list=extend_schema(
        summary="Classes the user may see, with the required chats they lack",
        parameters=[
            OpenApiParameter("grade", OpenApiTypes.INT, description="Only this grade (1–11)."),
            OpenApiParameter(
                "school",
                OpenApiTypes.INT,
                description="Only this school (the inspector sees every school).",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One class"),
)
class SchoolClassViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolClassSerializer

    def get_queryset(self):
        queryset = schoolclass_annotate_chats(schoolclass_list(user=self.request.user)).order_by(
            "school_id", "grade", "letter", "pk"
        )
        if self.action != "list":
            return queryset
        errors = {}
        for name, low, high in (("grade", 1, 11), ("school", 1, 2**63 - 1)):
            value = self.request.query_params.get(name)
            if value in (None, ""):
                continue
            number = parse_id(value, low=low, high=high)
            if number is None:
                errors[name] = [_("Неверное значение.")]
            else:
                queryset = queryset.filter(**{f"{name}_id" if name == "school" else name: number})
        if errors:
            raise ValidationError(errors)
        return queryset

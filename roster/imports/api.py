"""Imports API (API.md, «Imports»): upload, poll, apply, and the template file.

``POST /api/v1/imports/`` (multipart) → 201; ``GET /api/v1/imports/{id}/``;
``POST /api/v1/imports/{id}/apply/`` → 200, or 409 if not in preview or with errors;
``GET /api/v1/imports/template/?kind=classes|staff`` → an XLSX. The coordinator and the operator
of the school only (403 for anyone else); another school's import is a 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from staff.access import visible_to
from staff.models import School
from staff.selectors import user_school

from ..access import may_import
from ..models import ImportRun
from ..tasks import import_upload
from .services import ImportConflict, import_apply, template_bytes, validate_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MayImport(BasePermission):
    message = gettext_lazy("Загружать таблицы может координатор или оператор школы.")

    def has_permission(self, request, view):
        return may_import(request.user)


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


SUMMARY_SCHEMA = inline_serializer(
    "ImportSummary",
    {name: serializers.IntegerField() for name in ("create", "update", "unchanged")},
)


class ImportRunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "school",
            "status",
            "file_name",
            "progress",
            "rows_total",
            "rows_valid",
            "errors",
            "summary",
            "created_by",
            "created_at",
            "applied_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, run: ImportRun) -> dict:
        return {"done": run.progress_done, "total": max(run.progress_total, run.progress_done)}

    def get_fields(self):
        # «errors» would shadow the serializer's own ``errors`` if declared on the class.
        fields = super().get_fields()
        fields["errors"] = ImportErrorSerializer(many=True, read_only=True)
        return fields

    @extend_schema_field(SUMMARY_SCHEMA)
    def get_summary(self, run: ImportRun) -> dict:
        return {"create": 0, "update": 0, "unchanged": 0} | (run.summary or {})


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx или .csv (UTF-8 или Windows-1251), до 5 МБ")
    kind = serializers.ChoiceField(choices=ImportRun.Kind.choices)
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all(), required=False)

    def validate_file(self, upload):
        return validate_upload(upload)

    def validate_school(self, school):
        own = user_school(self.context["request"].user)
        if own is None or school.pk != own.pk:
            raise ValidationError(_("Загружать можно только в свою школу."))
        return school


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(tags=["imports"])
@extend_schema_view(
    list=extend_schema(summary="The school's imports, newest first"),
    retrieve=extend_schema(summary="One import: progress, then the preview"),
)
class ImportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportRunSerializer
    permission_classes = [MayImport]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return visible_to(self.request.user, ImportRun.objects.defer("content", "rows"))

    @extend_schema(
        summary="Upload a spreadsheet of classes or staff; reading starts in a worker",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportRunSerializer},
    )
    def create(self, request):
        body = ImportUploadSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        school = body.validated_data.get("school") or user_school(request.user)
        upload = body.validated_data["file"]
        run = import_upload(
            school=school,
            kind=body.validated_data["kind"],
            file_name=upload.name,
            content=upload.read(),
            by=request.user,
        )
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Apply a previewed import without errors (one transaction)",
        request=None,
        responses={
            200: ImportRunSerializer,
            409: OpenApiResponse(
                ConflictSerializer, description="Not in preview, or the file has errors."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        run = self.get_object()
        try:
            run = import_apply(run=run, by=request.user)
        except ImportConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(run).data)

    @extend_schema(
        summary="The template: an XLSX with the header row and one example row",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=["classes", "staff"], required=True)
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def template(self, request):
        kind = request.query_params.get("kind")
        if kind not in ImportRun.Kind.values:
            raise ValidationError({"kind": [_("Укажите kind: classes или staff.")]})
        return template_response(kind)


def template_response(kind: str) -> HttpResponse:
    response = HttpResponse(template_bytes(kind), content_type=XLSX)
    name = "obrazec-klassy.xlsx" if kind == "classes" else "obrazec-sotrudniki.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

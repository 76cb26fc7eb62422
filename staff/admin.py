"""Django admin for schools, classes and people — for the coordinator (DESIGN.md §7).

Rules that hold in the rest of the portal hold here too:
- every list is narrowed by ``staff.access.visible_to`` (a coordinator sees their own school only);
- rights are granted and revoked by the services; permission rows are read-only (the admins of
  people and classes, whose changes span apps, are in ``roster/admin.py``);
- nothing that matters is hard-deleted (people leave, classes are archived);
- contacts (personal data) are on the change form only, never in list columns.

``ScopedAdmin`` and ``ReadOnlyAdmin`` are shared by the admins of the other apps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import Field, Model, URLField
from django.utils.translation import gettext_lazy as _

from .access import user_can, visible_to
from .models import (
    Absence,
    Inspector,
    Movement,
    Municipality,
    Person,
    School,
    SchoolClassGroupObjectPermission,
    SchoolClassUserObjectPermission,
    StatusConfirmation,
    TrainingRecord,
)
from .selectors import school_list


def _school_path(model: type[Model]) -> str | None:
    """How a model reaches its school, for narrowing choices: ``school``, ``person__school``, …"""
    names = {
        field.name for field in model._meta.fields if field.is_relation
    }  # forward foreign keys only
    if "school" in names:
        return "school"
    for via in ("person", "order", "point", "school_class", "content_object"):
        if via in names:
            related = model._meta.get_field(via).related_model
            assert related is not None  # ``via`` is one of the model's foreign keys (``names``)
            inner = _school_path(related) if related is not model else None
            if inner:
                return f"{via}__{inner}"
    return None


#: Platform and site links are https; a bare address typed into the admin gets that scheme.
HTTPS_URL_FIELDS: Mapping[type[Field], Mapping[str, Any]] = {URLField: {"assume_scheme": "https"}}


def https_formfield(db_field, **kwargs):
    """``Meta.formfield_callback`` of admin model forms declared at module level (same rule)."""
    if isinstance(db_field, URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


PERSONAL_FIELDS = ("email", "phone")


class ScopedAdmin(admin.ModelAdmin):
    """Lists and choices narrowed to the schools the user may see; no deletion unless allowed."""

    formfield_overrides = HTTPS_URL_FIELDS

    #: Rows of this model are never hard-deleted (DESIGN.md §4).
    deletable = False
    list_per_page = 50
    show_full_result_count = False  # one COUNT fewer per page on big tables

    def get_queryset(self, request):
        # The model's visibility rule, as everywhere else (each app's ``access.py``).
        return visible_to(request.user, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        # Phones and e-mails (152-FZ): on the forms of the coordinator and the operator only.
        fieldsets = super().get_fieldsets(request, obj)
        if user_can(request.user, "see_contacts", Person):
            return fieldsets
        narrowed = []
        for title, options in fieldsets:
            fields = [f for f in options["fields"] if f not in PERSONAL_FIELDS]
            if fields:
                narrowed.append((title, {**options, "fields": fields}))
        return narrowed

    def get_list_filter(self, request):
        # A plain "school" filter lists every school in the database; offer only the schools of
        # the rows this user may see (the access matrix caught other schools' names in the sidebar).
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and item.split("__")[-1] == "school"
            else item
            for item in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _narrow_choices(field, db_field.related_model, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _narrow_choices(field, db_field.related_model, request.user)
        return field

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


def _narrow_choices(field, related_model, user) -> None:
    if field is None or not hasattr(field, "queryset") or user_can(user, "view_all", School):
        return
    if related_model is School:
        field.queryset = field.queryset.filter(pk__in=school_list(user=user).values("pk"))
        return
    path = _school_path(related_model)
    if path:
        field.queryset = field.queryset.filter(
            **{f"{path}__in": school_list(user=user).values("pk")}
        )


class ReadOnlyAdmin(ScopedAdmin):
    """Records written by jobs and services: viewable, never added, changed or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_remaining(app_label: str) -> None:
    """Any model of the app without an admin of its own is still shown, read-only."""
    for model in apps.get_app_config(app_label).get_models():
        if not admin.site.is_registered(model):
            admin.site.register(
                model,
                type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {}),
            )


def same_school_error(*, school, person, field_label) -> str | None:
    if person is not None and school is not None and person.school_id != school.pk:
        return _("%(field)s должен работать в этой же школе.") % {"field": field_label}
    return None


# --- Schools and people ---------------------------------------------------------------------------


@admin.register(School)
class SchoolAdmin(ScopedAdmin):
    list_select_related = ["municipality"]
    list_display = [
        "short_name",
        "name",
        "municipality",
        "academic_year",
        "invitation_term_days",
        "new_class_grace_days",
        "join_request_max_pending_days",
        "verified_chats_only",
    ]
    list_filter = ["municipality"]
    search_fields = ["name", "short_name"]


@admin.register(Absence)
class AbsenceAdmin(ScopedAdmin):
    deletable = True  # a period entered by mistake may go
    list_display = ["person", "starts_on", "ends_on", "reason"]
    list_filter = ["person__school"]
    search_fields = ["person__full_name", "reason"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    date_hierarchy = "starts_on"


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ScopedAdmin):
    list_display = ["person", "course_title", "completed_on", "certificate_number", "school"]
    list_filter = ["school", "completed_on"]
    search_fields = ["person__full_name", "course_title", "certificate_number"]
    list_select_related = ["person", "school"]
    autocomplete_fields = ["person"]
    date_hierarchy = "completed_on"


@admin.register(StatusConfirmation)
class StatusConfirmationAdmin(ScopedAdmin):
    list_display = ["person", "status", "confirmed_on", "confirmed_by"]
    list_filter = ["status", "person__school"]
    search_fields = ["person__full_name"]
    list_select_related = ["person", "confirmed_by"]
    autocomplete_fields = ["person", "confirmed_by"]
    date_hierarchy = "confirmed_on"


@admin.register(Movement)
class MovementAdmin(ScopedAdmin):
    """A log: entries are added (or written by the services), never edited."""

    list_display = [
        "created_at",
        "kind",
        "school",
        "school_class",
        "person",
        "previous_person",
        "recorded_by",
    ]
    list_filter = ["kind", "school"]
    search_fields = ["person__full_name", "previous_person__full_name", "comment"]
    list_select_related = ["school", "school_class", "person", "previous_person", "recorded_by"]
    autocomplete_fields = ["school_class", "person", "previous_person"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class ObjectPermissionAdmin(ReadOnlyAdmin):
    """Object rights are granted by the services only; the admin shows who holds what."""

    list_display = ["content_object", "permission", "holder"]
    list_filter = ["permission__codename"]
    list_select_related = ["permission__content_type", "content_object"]

    @admin.display(description=_("кому"))
    def holder(self, obj):
        return getattr(obj, "user", None) or getattr(obj, "group", None)


@admin.register(SchoolClassUserObjectPermission)
class SchoolClassUserObjectPermissionAdmin(ObjectPermissionAdmin):
    list_select_related = ObjectPermissionAdmin.list_select_related + ["user"]
    search_fields = ["user__username"]


@admin.register(SchoolClassGroupObjectPermission)
class SchoolClassGroupObjectPermissionAdmin(ObjectPermissionAdmin):
    list_select_related = ObjectPermissionAdmin.list_select_related + ["group"]


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    list_display = ["name", "department"]
    search_fields = ["name"]


@admin.register(Inspector)
class InspectorAdmin(ScopedAdmin):
    """Who reads which municipality (empty: the whole region); the user needs the inspector
    role too."""

    deletable = True  # a reader moved elsewhere goes
    list_display = ["user", "municipality"]
    list_select_related = ["user", "municipality"]

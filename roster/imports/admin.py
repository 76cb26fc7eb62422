"""Imports in the admin, for the coordinator and the operator: upload (the worker reads the file),
the preview with every problem by row and column, «Применить» as an action. The same services as
the portal's page; the rights are ``roster.access``'s, not model permissions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from staff.access import visible_to
from staff.selectors import user_school

from ..access import may_import
from ..models import ImportRun, LoginCode
from ..tasks import import_read_task
from .services import ImportConflict, import_apply, validate_upload


class ImportUploadAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Файл"),
        validators=[validate_upload],
        help_text=_(
            ".xlsx или .csv (UTF-8 или Windows-1251), не больше 5 МБ. Образцы — на "
            "странице «Загрузка из таблицы» портала."
        ),
    )

    class Meta:
        model = ImportRun
        fields = ["kind"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "file_name",
        "status",
        "rows_total",
        "rows_invalid",
        "created_by",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    actions = ["apply_selected"]
    readonly_fields = [
        "school",
        "kind",
        "file_name",
        "status",
        "progress",
        "rows_total",
        "rows_valid",
        "summary_text",
        "errors_list",
        "created_by",
        "created_at",
        "applied_at",
        "portal_page",
    ]

    # Rights: the coordinator and the operator of the school (roster.access), no model perms.
    def has_module_permission(self, request):
        return may_import(request.user)

    def has_view_permission(self, request, obj=None):
        return may_import(request.user)

    def has_add_permission(self, request):
        return may_import(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request).defer("content"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["kind", "upload"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        obj.school = user_school(request.user)
        obj.file_name = upload.name[:255]
        obj.content = upload.read()
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: import_read_task.delay(obj.pk))

    @admin.display(description=_("прогресс"))
    def progress(self, obj):
        return f"{obj.progress_done} / {max(obj.progress_total, obj.progress_done)}"

    @admin.display(description=_("строк с ошибками"))
    def rows_invalid(self, obj):
        return obj.rows_invalid

    @admin.display(description=_("итог"))
    def summary_text(self, obj):
        summary = obj.summary or {}
        return _(
            "добавить/добавлено: %(create)s, изменить/изменено: %(update)s, без изменений: "
            "%(unchanged)s"
        ) % {k: summary.get(k, 0) for k in ("create", "update", "unchanged")}

    @admin.display(description=_("ошибки"))
    def errors_list(self, obj):
        if not obj.errors:
            return "—"
        shown = obj.errors[:200]
        items = format_html_join(
            "",
            "<li>{}</li>",
            (
                (
                    (_("Строка %(row)s, «%(column)s»: %(message)s") % e)
                    if e.get("row") and e.get("column")
                    else e["message"],
                )
                for e in shown
            ),
        )
        more = len(obj.errors) - len(shown)
        tail = format_html("<p>{}</p>", _("…и ещё %(n)d") % {"n": more}) if more > 0 else ""
        return format_html("<ul>{}</ul>{}", items, tail)

    @admin.display(description=_("на портале"))
    def portal_page(self, obj):
        url = reverse("staff:import_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Предпросмотр и «Применить»"))

    @admin.action(description=_("Применить выбранные загрузки (без ошибок)"))
    def apply_selected(self, request, queryset):
        applied = 0
        for run in queryset:
            try:
                import_apply(run=run, by=request.user)
                applied += 1
            except ImportConflict as conflict:
                self.message_user(request, f"{run.file_name}: {conflict}", messages.ERROR)
        if applied:
            self.message_user(
                request, _("Применено загрузок: %(n)d.") % {"n": applied}, messages.SUCCESS
            )


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    """Issued one-time codes (only their hashes are stored): who got one, until when, used."""

    list_display = ["person", "created_at", "expires_at", "used_at", "created_by"]
    list_select_related = ["person", "created_by"]
    fields = ("person", "created_at", "expires_at", "used_at", "created_by")
    readonly_fields = ("person", "created_at", "expires_at", "used_at", "created_by")

    def has_module_permission(self, request):
        school = user_school(request.user)
        return school is not None and request.user.has_perm("staff.change_school")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request))

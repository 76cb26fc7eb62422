"""Findings, job runs and snapshots in the admin: read-only records of what the jobs did."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gymnasium_portal.jobs import JOB_TABLE
from staff.admin import ReadOnlyAdmin, register_remaining

from .models import DashboardSnapshot, Finding, JobRun
from .registry import check_choices, get_check

#: Kinds of findings opened by the jobs (their keys live in the apps above; strings, no import).
FINDING_TITLES = {
    "class_chat_missing": _("У класса нет обязательного чата"),
    "school_chat_missing": _("Нет общешкольного чата"),
    "invitation_expiring_unused": _("Неиспользованная ссылка скоро истечёт"),
    "order_point_overdue": _("Пункт приказа просрочен"),
}


def check_title(key: str) -> str:
    if key in FINDING_TITLES:
        return str(FINDING_TITLES[key])
    check = get_check(key)
    return str(check.title) if check else key


class CheckFilter(admin.SimpleListFilter):
    """The checks by their Russian titles, not their keys."""

    title = _("проверка")
    parameter_name = "check_key"

    def lookups(self, request, model_admin):
        return [(key, str(title)) for key, title in FINDING_TITLES.items()] + check_choices()

    def queryset(self, request, queryset):
        return queryset.filter(check_key=self.value()) if self.value() else queryset


class JobFilter(admin.SimpleListFilter):
    title = _("задание")
    parameter_name = "name"

    def lookups(self, request, model_admin):
        return [(name, job.description) for name, job in JOB_TABLE.items()]

    def queryset(self, request, queryset):
        return queryset.filter(name=self.value()) if self.value() else queryset


def job_title(name: str) -> str:
    job = JOB_TABLE.get(name)
    return job.description if job else name


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "school",
        "check_title",
        "school_class",
        "order_point",
        "opened_at",
        "resolved_at",
    ]
    list_filter = [CheckFilter, "resolved_at", "school"]
    search_fields = ["message", "subject_key"]
    list_select_related = ["school", "school_class", "order_point"]
    date_hierarchy = "opened_at"

    @admin.display(description=_("проверка"), ordering="check_key")
    def check_title(self, obj):
        return check_title(obj.check_key)


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "started_at", "finished_at", "status", "rows_changed"]
    list_filter = [JobFilter, "status"]
    date_hierarchy = "started_at"

    @admin.display(description=_("задание"), ordering="name")
    def job(self, obj):
        return job_title(obj.name)


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["school", "date", "created_at"]
    list_filter = ["school"]
    list_select_related = ["school"]
    date_hierarchy = "date"


register_remaining("compliance")

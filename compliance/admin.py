"""Findings, job runs and snapshots in the admin: read-only records of what the jobs did."""

from django.contrib import admin

from staff.admin import ReadOnlyAdmin, register_remaining

from .models import DashboardSnapshot, Finding, JobRun


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "school",
        "check_key",
        "school_class",
        "order_point",
        "opened_at",
        "resolved_at",
    ]
    list_filter = ["check_key", "resolved_at", "school"]
    search_fields = ["message", "subject_key"]
    list_select_related = ["school", "school_class", "order_point"]
    date_hierarchy = "opened_at"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "started_at", "finished_at", "status", "rows_changed"]
    list_filter = ["name", "status"]
    date_hierarchy = "started_at"


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["school", "date", "created_at"]
    list_filter = ["school"]
    list_select_related = ["school"]
    date_hierarchy = "date"


register_remaining("compliance")

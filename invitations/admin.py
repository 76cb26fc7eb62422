"""Django admin for links and join requests: read-mostly, nothing deleted (the rows are the audit)."""

from django.contrib import admin

from .models import Invitation, InviteGuessCounter, JoinRequest


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(NoDeleteAdmin):
    list_display = ["id", "school", "school_class", "role", "status", "uses", "max_uses", "expires_at", "created_by"]
    list_filter = ["status", "role", "school"]
    search_fields = ["token", "school_class__letter"]
    list_select_related = ["school", "school_class", "created_by"]
    date_hierarchy = "created_at"
    # State changes go through the services (annul, reissue, use): the admin never rewinds them.
    readonly_fields = [
        "school", "school_class", "role", "token", "max_uses", "uses", "status", "platform_url", "created_by",
        "created_at", "updated_at", "annulled_at", "annulled_by", "annul_reason", "replaced_by", "expires_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(NoDeleteAdmin):
    list_display = ["id", "full_name", "role", "school_class", "status", "created_at", "reviewed_by"]
    list_filter = ["status", "role", "school"]
    search_fields = ["full_name", "child_name"]
    list_select_related = ["school_class", "reviewed_by"]
    readonly_fields = [
        "school", "invitation", "role", "school_class", "full_name", "child_name", "consent", "status",
        "reviewed_by", "reviewed_at", "reason", "created_at", "updated_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(InviteGuessCounter)
class InviteGuessCounterAdmin(admin.ModelAdmin):
    list_display = ["address", "window_number", "hits"]
    readonly_fields = ["address", "window_number", "hits"]

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from .models import InboxUpdate, LinkCode, MaxAccount, OutboxMessage, PlatformChat


class SuperuserOnly(admin.ModelAdmin):
    """MAX's records span schools (one bot for the municipality): for superusers only, not for a
    school's staff with admin access."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(InboxUpdate)
class InboxUpdateAdmin(SuperuserOnly):
    list_display = ("update_type", "timestamp", "chat_id", "user_id", "received_at", "processed_at")
    list_filter = ("update_type",)
    readonly_fields = [f.name for f in InboxUpdate._meta.fields]


@admin.register(PlatformChat)
class PlatformChatAdmin(SuperuserOnly):
    list_display = ("chat_id", "title", "status", "participants_count", "school", "fetched_at")
    # «School: empty» lists the chats no school sees (nobody bound to the portal added the bot).
    list_filter = ("status", ("school", admin.EmptyFieldListFilter))
    search_fields = ("title", "link")


@admin.register(MaxAccount)
class MaxAccountAdmin(SuperuserOnly):
    list_display = ("person", "max_user_id", "bound_at")
    raw_id_fields = ("person",)


@admin.register(LinkCode)
class LinkCodeAdmin(SuperuserOnly):
    list_display = ("person", "expires_at", "used_at")
    raw_id_fields = ("person",)
    exclude = ("code",)  # the code is a credential while unused


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SuperuserOnly):
    list_display = ("key", "person", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status",)
    raw_id_fields = ("person",)

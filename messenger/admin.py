from django.contrib import admin

from .models import InboxUpdate, LinkCode, MaxAccount, OutboxMessage, PlatformChat


@admin.register(InboxUpdate)
class InboxUpdateAdmin(admin.ModelAdmin):
    list_display = ("update_type", "timestamp", "chat_id", "user_id", "received_at", "processed_at")
    list_filter = ("update_type",)
    readonly_fields = [f.name for f in InboxUpdate._meta.fields]


@admin.register(PlatformChat)
class PlatformChatAdmin(admin.ModelAdmin):
    list_display = ("chat_id", "title", "status", "participants_count", "school", "fetched_at")
    list_filter = ("status",)
    search_fields = ("title", "link")


@admin.register(MaxAccount)
class MaxAccountAdmin(admin.ModelAdmin):
    list_display = ("person", "max_user_id", "bound_at")
    raw_id_fields = ("person",)


@admin.register(LinkCode)
class LinkCodeAdmin(admin.ModelAdmin):
    list_display = ("person", "expires_at", "used_at")
    raw_id_fields = ("person",)
    exclude = ("code",)  # the code is a credential while unused


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("key", "person", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status",)
    raw_id_fields = ("person",)

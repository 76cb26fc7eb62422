"""Django admin for links and join requests: read-mostly, nothing deleted (the rows are the audit).

Links are issued in the operator's screens (with their QR codes); here they are looked up, and
annulled or reviewed through the same services as everywhere else. The token is a secret: only its
first characters are shown.
"""

from typing import cast

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from staff.admin import ScopedAdmin, register_remaining

from .consent import consent_text_publish
from .models import ConsentText, Invitation, JoinRequest
from .services import (
    InvitationNotActive,
    JoinRequestNotPending,
    invitation_annul,
    join_request_review,
)

TOKEN_SHOWN = 6


class NoAddAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationAdmin(NoAddAdmin):
    list_display = [
        "token_hint",
        "school",
        "school_class",
        "role",
        "status",
        "uses",
        "max_uses",
        "expires_at",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "role", "school"]
    # Support looks a link up by its full token (exact match only: no guessing by prefix here).
    search_fields = ["=token", "school_class__letter", "platform_url"]
    list_select_related = ["school", "school_class", "created_by"]
    date_hierarchy = "created_at"
    # State changes go through the services (annul, reissue, use): the admin never rewinds them.
    fields = [
        "school",
        "school_class",
        "role",
        "token_hint",
        "max_uses",
        "uses",
        "status",
        "expires_at",
        "platform_url",
        "created_by",
        "created_at",
        "annulled_at",
        "annulled_by",
        "annul_reason",
        "replaced_by",
    ]
    readonly_fields = cast(list[str], fields)  # a flat list of names, no groups
    actions = ["annul"]

    @admin.display(description=_("токен"))
    def token_hint(self, obj):
        return f"{obj.token[:TOKEN_SHOWN]}…"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Аннулировать"), permissions=["change"])
    def annul(self, request, queryset):
        annulled = skipped = 0
        for invitation in queryset:
            try:
                invitation_annul(
                    invitation=invitation,
                    by=request.user,
                    reason="Аннулирована в администрировании",
                )
                annulled += 1
            except InvitationNotActive:
                skipped += 1
        if annulled:
            self.message_user(
                request,
                ngettext(
                    "Аннулирована %(count)d ссылка.", "Аннулировано ссылок: %(count)d.", annulled
                )
                % {"count": annulled},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("Не действовали и не изменены: %(count)d.") % {"count": skipped},
                messages.WARNING,
            )


@admin.register(JoinRequest)
class JoinRequestAdmin(NoAddAdmin):
    list_display = [
        "full_name",
        "role",
        "school_class",
        "status",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "school",
    ]
    list_filter = ["status", "role", "school"]
    search_fields = ["full_name", "child_name"]
    list_select_related = ["school", "school_class", "reviewed_by"]
    date_hierarchy = "created_at"
    fields = [
        "school",
        "invitation",
        "role",
        "school_class",
        "full_name",
        "child_name",
        "consent",
        "status",
        "reviewed_by",
        "reviewed_at",
        "reason",
        "created_at",
    ]
    readonly_fields = cast(list[str], fields)  # a flat list of names, no groups
    actions = ["approve", "reject"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _review(self, request, queryset, *, approve: bool):
        done = skipped = 0
        for join_request in queryset:
            try:
                join_request_review(join_request=join_request, by=request.user, approve=approve)
                done += 1
            except JoinRequestNotPending:
                skipped += 1
        self.message_user(
            request,
            _("Рассмотрено заявок: %(done)d, уже были рассмотрены: %(skipped)d.")
            % {"done": done, "skipped": skipped},
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("Принять"), permissions=["change"])
    def approve(self, request, queryset):
        self._review(request, queryset, approve=True)

    @admin.action(description=_("Отклонить"), permissions=["change"])
    def reject(self, request, queryset):
        self._review(request, queryset, approve=False)


@admin.register(ConsentText)
class ConsentTextAdmin(ScopedAdmin):
    """The school's consent wording: each save is a new version (the old ones stay with the
    requests that agreed to them); the coordinator of the school writes it."""

    list_display = ["school", "version", "created_at", "created_by"]
    list_select_related = ["school", "created_by"]
    fields = ["school", "text", "parent_text"]

    def _may_write(self, request) -> bool:
        return request.user.has_perm("staff.change_school")

    def has_view_permission(self, request, obj=None):
        return self._may_write(request) or request.user.has_perm("staff.view_all_schools")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = consent_text_publish(
            school=form.cleaned_data["school"],
            text=form.cleaned_data["text"],
            parent_text=form.cleaned_data["parent_text"],
            by=request.user,
        )
        obj.pk, obj.version = published.pk, published.version


register_remaining("invitations")

"""Django admin for orders and their execution (see ``staff.admin``
for the rules every admin keeps).

Orders and their points are never deleted (a closed order stays on record); findings, job runs and
snapshots are written by the jobs and only shown here.
"""

from django import forms
from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from compliance.registry import check_choices
from staff.admin import ReadOnlyAdmin, ScopedAdmin, register_remaining

from .models import (
    Acknowledgement,
    AdminRegistrationRequest,
    Order,
    OrderEvent,
    OrderPoint,
    PointEvidence,
    Regulation,
    Reminder,
    Responsibility,
)


def _short(text: str, words: int = 12) -> str:
    return Truncator(text).words(words)


class OrderPointForm(forms.ModelForm):
    """The check is chosen from the registry; a key no app registers (any more) stays selectable."""

    check_key = forms.ChoiceField(label=_("проверка"), required=False)

    class Meta:
        model = OrderPoint
        fields = ["order", "parent", "number", "position", "text", "deadline", "check_key"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— не измеряется —")), *check_choices()]
        current = self.instance.check_key if self.instance else ""
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["check_key"].choices = choices

    def clean(self):
        data = super().clean()
        parent, order = (
            data.get("parent"),
            data.get("order") or getattr(self.instance, "order", None),
        )
        if parent is not None and order is not None and parent.order_id != order.pk:
            self.add_error("parent", _("Пункт может входить только в пункт того же приказа."))
        return data


class OrderPointInline(admin.TabularInline):
    model = OrderPoint
    form = OrderPointForm
    fk_name = "order"
    extra = 0
    can_delete = False
    fields = ["number", "position", "text", "deadline", "check_key", "parent"]
    autocomplete_fields = ["parent"]
    ordering = ["position"]
    show_change_link = True  # responsibilities are edited on the point's own page


@admin.register(Order)
class OrderAdmin(ScopedAdmin):
    list_display = ["__str__", "short_title", "school", "status", "signed_by"]
    list_filter = ["status", "school"]
    search_fields = ["number", "title", "basis"]
    list_select_related = ["school", "signed_by"]
    autocomplete_fields = ["signed_by"]
    date_hierarchy = "date"
    inlines = [OrderPointInline]

    @admin.display(description=_("заголовок"))
    def short_title(self, obj):
        return _short(obj.title)


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    fields = ["person", "role"]
    autocomplete_fields = ["person"]


@admin.register(OrderPoint)
class OrderPointAdmin(ScopedAdmin):
    form = OrderPointForm
    list_display = ["__str__", "order", "short_text", "deadline", "check_key"]
    list_filter = ["order__school", "check_key"]
    search_fields = ["number", "text"]
    list_select_related = ["order"]
    ordering = ["order", "position"]
    autocomplete_fields = ["order", "parent"]
    inlines = [ResponsibilityInline]

    @admin.display(description=_("текст"))
    def short_text(self, obj):
        return _short(obj.text)


@admin.register(Responsibility)
class ResponsibilityAdmin(ScopedAdmin):
    deletable = True  # a person is taken off a point (the coordinator holds delete_responsibility)
    list_display = ["point", "order", "person", "role"]
    list_filter = ["role", "point__order__school"]
    search_fields = ["person__full_name", "point__number"]
    list_select_related = ["point__order", "person"]
    autocomplete_fields = ["point", "person"]

    @admin.display(description=_("приказ"))
    def order(self, obj):
        return obj.point.order


@admin.register(Regulation)
class RegulationAdmin(ScopedAdmin):
    list_display = [
        "short_title",
        "order",
        "version",
        "approved_on",
        "file",
        "published_on",
        "school",
    ]
    list_filter = ["school", "published_on"]
    search_fields = ["title", "published_url"]
    list_select_related = ["order", "school"]
    autocomplete_fields = ["order", "published_by"]
    date_hierarchy = "approved_on"

    @admin.display(description=_("наименование"))
    def short_title(self, obj):
        return _short(obj.title, 8)


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ScopedAdmin):
    list_display = ["person", "order", "acknowledged_at"]
    list_filter = ["acknowledged_at", "order__school"]
    search_fields = ["person__full_name"]
    list_select_related = ["person", "order"]
    autocomplete_fields = ["order", "person"]


@admin.register(AdminRegistrationRequest)
class AdminRegistrationRequestAdmin(ScopedAdmin):
    # The e-mail and phone are personal data: on the form only.
    list_display = ["full_name", "school", "order", "status", "sent_at", "created_by", "created_at"]
    list_filter = ["status", "school"]
    search_fields = ["full_name"]
    list_select_related = ["school", "order", "created_by"]
    autocomplete_fields = ["order"]
    readonly_fields = ["status", "sent_at", "error", "created_by"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PointEvidence)
class PointEvidenceAdmin(ReadOnlyAdmin):
    """Evidence is added on the order's page, which also writes the order's history."""

    list_display = ["point", "order", "url", "file", "short_comment", "added_by", "created_at"]
    list_filter = ["point__order__school"]
    search_fields = ["url", "comment"]
    list_select_related = ["point__order", "added_by"]
    date_hierarchy = "created_at"

    @admin.display(description=_("приказ"))
    def order(self, obj):
        return obj.point.order

    @admin.display(description=_("комментарий"))
    def short_comment(self, obj):
        return _short(obj.comment, 8)


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    """The history of an order: append-only."""

    list_display = ["created_at", "order", "point", "kind", "message", "actor"]
    list_filter = ["kind", "order__school"]
    search_fields = ["message"]
    list_select_related = ["order", "point", "actor"]
    date_hierarchy = "created_at"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["point", "order", "kind", "deadline", "person", "status", "sent_at", "attempts"]
    list_filter = ["kind", "status", "point__order__school"]
    search_fields = ["person__full_name"]
    list_select_related = ["point__order", "person"]
    date_hierarchy = "claimed_at"

    @admin.display(description=_("приказ"))
    def order(self, obj):
        return obj.point.order


register_remaining("orders")

"""Django admin for chats, their requirements and meetings (see ``staff.admin`` for the shared
rules).

Changing a chat's owner goes through ``chat_owner_assign``, which moves the object rights; chats are
archived, not deleted.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from staff.admin import (
    ObjectPermissionAdmin,
    ScopedAdmin,
    https_formfield,
    register_remaining,
    same_school_error,
)
from staff.models import Person

from .models import (
    Chat,
    ChatGroupObjectPermission,
    ChatRequirement,
    ChatUserObjectPermission,
    Meeting,
)
from .services import chat_owner_assign


class ChatRequirementForm(forms.ModelForm):
    class Meta:
        model = ChatRequirement
        fields = ["school", "kind", "min_grade", "max_grade", "is_required", "owners", "basis"]

    def clean(self):
        data = super().clean()
        school = data.get("school")
        strangers = [
            p for p in data.get("owners") or () if school is not None and p.school_id != school.pk
        ]
        if strangers:
            self.add_error("owners", _("Ответственные должны работать в этой же школе."))
        return data


@admin.register(ChatRequirement)
class ChatRequirementAdmin(ScopedAdmin):
    form = ChatRequirementForm
    deletable = True  # a requirement may be dropped; the chats stay
    list_display = ["__str__", "school", "is_required", "owner_names", "basis"]
    list_filter = ["kind", "is_required", "school"]
    list_select_related = ["school"]
    filter_horizontal = ["owners"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("owners")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "owners":
            # Only the people of the requirement's school (or of the schools the user sees, on
            # «add»).
            object_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            school_id = (
                ChatRequirement.objects.filter(pk=object_id).values("school_id")
                if object_id
                else None
            )
            if school_id is not None:
                kwargs["queryset"] = Person.objects.filter(school_id__in=school_id, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("ответственные"))
    def owner_names(self, obj):
        return ", ".join(person.full_name for person in obj.owners.all())


class ChatForm(forms.ModelForm):
    class Meta:
        model = Chat
        formfield_callback = https_formfield
        fields = [
            "school",
            "kind",
            "school_class",
            "title",
            "url",
            "owner",
            "members_count",
            "status",
            "last_verified_at",
        ]

    def clean(self):
        data = super().clean()
        school = data.get("school")
        error = same_school_error(
            school=school, person=data.get("owner"), field_label=_("Владелец")
        )
        if error:
            self.add_error("owner", error)
        school_class = data.get("school_class")
        if school is not None and school_class is not None and school_class.school_id != school.pk:
            self.add_error("school_class", _("Класс должен быть из этой же школы."))
        return data


@admin.register(Chat)
class ChatAdmin(ScopedAdmin):
    form = ChatForm
    list_display = [
        "title",
        "kind",
        "school_class",
        "owner",
        "status",
        "members_count",
        "school",
        "last_verified_at",
    ]
    list_filter = ["kind", "status", "school"]
    search_fields = ["title", "url", "school_class__letter"]
    list_select_related = ["school", "school_class", "owner"]
    autocomplete_fields = ["school_class", "owner"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        """Save the chat, then give it its owner through the service that moves the rights."""
        owner = obj.owner
        obj.owner_id = (
            Chat.objects.filter(pk=obj.pk).values_list("owner_id", flat=True).first()
            if change
            else None
        )
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        obj.owner = chat_owner_assign(chat=obj, person=owner, by=request.user).owner


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    deletable = True  # a meeting logged by mistake
    list_display = ["held_on", "topic", "kind", "format", "chat", "participants", "school"]
    list_filter = ["kind", "format", "school"]
    search_fields = ["topic"]
    list_select_related = ["school", "chat"]
    autocomplete_fields = ["chat"]
    date_hierarchy = "held_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ChatUserObjectPermission)
class ChatUserObjectPermissionAdmin(ObjectPermissionAdmin):
    list_select_related = ObjectPermissionAdmin.list_select_related + ["user"]
    search_fields = ["user__username"]


@admin.register(ChatGroupObjectPermission)
class ChatGroupObjectPermissionAdmin(ObjectPermissionAdmin):
    list_select_related = ObjectPermissionAdmin.list_select_related + ["group"]


register_remaining("chats")

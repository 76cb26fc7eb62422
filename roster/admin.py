"""The admin of people and classes: changing them is work that spans apps (roster.services).

Unticking «работает» is a departure (``person_leave``), another account moves the person's rights
(``person_account_link``), a new class teacher takes the class over (``class_teacher_assign``) and
archiving ends the rights and the links (``schoolclass_archive``) — never a bare save.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.admin import ScopedAdmin, register_remaining, same_school_error
from staff.models import Absence, Person, SchoolClass, StatusConfirmation

from .services import class_teacher_assign, person_account_link, person_leave, schoolclass_archive


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0
    fields = ["starts_on", "ends_on", "reason"]


class StatusConfirmationInline(admin.StackedInline):
    model = StatusConfirmation
    fk_name = "person"
    can_delete = False
    extra = 0
    max_num = 1
    fields = ["status", "confirmed_on", "confirmed_by"]
    autocomplete_fields = ["confirmed_by"]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    # E-mail and phone are personal data: on the change form (coordinator) only, not in the list.
    list_display = ["full_name", "position", "staff_kind", "school", "user", "is_active"]
    list_filter = ["school", "staff_kind", "is_active"]
    search_fields = ["full_name", "position"]
    list_select_related = ["school", "user"]
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["school", "full_name", "position", "staff_kind", "user"]}),
        (_("Контакты (персональные данные)"), {"fields": ["email", "phone"]}),
        (_("Работа"), {"fields": ["is_active", "left_on"]}),
    ]
    inlines = [StatusConfirmationInline, AbsenceInline]

    def save_model(self, request, obj, form, change):
        """Unticking «работает» is a departure,
        and another account for the person moves their rights:
        both go through the services (classes, chats, links follow), never a bare save."""
        leaving = change and "is_active" in form.changed_data and not obj.is_active
        if leaving:
            obj.is_active = (
                True  # person_leave takes them off the list, with everything that goes with it
            )
        relinking = change and "user" in form.changed_data
        account = obj.user
        if (
            relinking
        ):  # the account changes through the service that moves the person's rights with it
            obj.user_id = Person.objects.filter(pk=obj.pk).values_list("user_id", flat=True).first()
        super().save_model(request, obj, form, change)
        if relinking:
            person_account_link(person=obj, user=account, by=request.user)
        if leaving:
            person_leave(person=obj, left_on=obj.left_on or timezone.localdate(), by=request.user)
        if relinking or leaving:
            obj.refresh_from_db()


class SchoolClassForm(forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = [
            "school",
            "academic_year",
            "grade",
            "letter",
            "class_teacher",
            "students_expected",
            "parents_expected",
        ]

    def clean(self):
        data = super().clean()
        error = same_school_error(
            school=data.get("school"),
            person=data.get("class_teacher"),
            field_label=_("Классный руководитель"),
        )
        if error:
            self.add_error("class_teacher", error)
        return data


@admin.register(SchoolClass)
class SchoolClassAdmin(ScopedAdmin):
    form = SchoolClassForm
    list_display = [
        "class_name",
        "school",
        "academic_year",
        "class_teacher",
        "students_expected",
        "parents_expected",
        "status",
    ]
    list_filter = ["school", "academic_year", "grade", "status"]
    search_fields = ["letter", "class_teacher__full_name"]
    list_select_related = ["school", "class_teacher"]
    ordering = ["school", "academic_year", "grade", "letter"]
    autocomplete_fields = ["class_teacher"]
    readonly_fields = ["status"]
    actions = ["archive"]

    @admin.display(description=_("класс"), ordering="grade")
    def class_name(self, obj):
        return obj.name

    def save_model(self, request, obj, form, change):
        """Save the class, then attach the teacher through the service that moves the rights."""
        teacher = obj.class_teacher
        obj.class_teacher_id = (
            SchoolClass.objects.filter(pk=obj.pk).values_list("class_teacher_id", flat=True).first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        assigned = class_teacher_assign(school_class=obj, person=teacher, by=request.user)
        obj.class_teacher = assigned.class_teacher

    @admin.action(
        description=_("Перевести в архив (права классного руководителя и ссылки прекращаются)"),
        permissions=["change"],
    )
    def archive(self, request, queryset):
        for school_class in queryset:
            schoolclass_archive(school_class=school_class, by=request.user)
        self.message_user(
            request,
            _("Классов переведено в архив: %(count)d.") % {"count": len(queryset)},
            messages.SUCCESS,
        )


# The rest of staff's models without an admin of their own, read-only (after the two above).
register_remaining("staff")

from .imports.admin import ImportRunAdmin, LoginCodeAdmin  # noqa: E402,F401  (registers them)

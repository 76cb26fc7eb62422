"""HTML forms of the invitations app: thin, the rules live in services and selectors."""

from __future__ import annotations

import datetime
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.models import SchoolClass

from .access import IssueChoices
from .models import Invitation, JoinRequest, Role
from .selectors import InvitationFilters, JoinRequestFilters, UnitFilters
from .services import MAX_USES_LIMIT, invitation_validate

_SPACES = re.compile(r"\s+")
_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{0,64}$")


def _clean_name(value: str) -> str:
    return _SPACES.sub(" ", value or "").strip()


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SchoolClass) -> str:
        label = obj.name
        if obj.status != SchoolClass.Status.ACTIVE:
            label += " " + str(_("(архив)"))
        return label


# --- The public form (a parent's phone) ---------------------------------------------------------


class JoinForm(forms.Form):
    """What a visitor gives to use a link: the minimum, and consent under 152-ФЗ."""

    full_name = forms.CharField(
        label=_("Ваши фамилия, имя, отчество"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        error_messages={"required": _("Укажите фамилию, имя и отчество.")},
    )
    child_name = forms.CharField(
        label=_("Фамилия и имя ребёнка"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "words"}),
    )
    consent = forms.BooleanField(
        label=_("Я даю согласие на обработку моих персональных данных"),
        error_messages={
            "required": _("Без согласия на обработку персональных данных присоединиться нельзя.")
        },
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    # The version of the consent text the page showed (``ConsentText.objects.shown``).
    consent_version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        if role == Role.PARENT:
            self.fields["child_name"].required = True
            self.fields["child_name"].error_messages["required"] = _(
                "Укажите фамилию и имя ребёнка."
            )
        else:
            del self.fields["child_name"]
        if role == Role.STUDENT:
            self.fields["full_name"].label = _("Твои фамилия и имя")

    def clean_full_name(self) -> str:
        value = _clean_name(self.cleaned_data.get("full_name", ""))
        if not value:
            raise ValidationError(self.fields["full_name"].error_messages["required"])
        return value

    def clean_child_name(self) -> str:
        value = _clean_name(self.cleaned_data.get("child_name", ""))
        if self.role == Role.PARENT and not value:
            raise ValidationError(self.fields["child_name"].error_messages["required"])
        return value

    def clean_submission_key(self) -> str:
        value = self.cleaned_data.get("submission_key", "") or ""
        return value if _SUBMISSION_KEY.match(value) else ""


# --- Staff screens ------------------------------------------------------------------------------


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("все"))] + list(Invitation.Status.choices),
    )
    role = forms.ChoiceField(
        label=_("Роль"), required=False, choices=[("", _("все"))] + list(Role.choices)
    )
    school_class = ClassChoiceField(
        label=_("Класс"), required=False, queryset=SchoolClass.objects.none(), empty_label=_("все")
    )

    def __init__(self, *args, classes: QuerySet[SchoolClass], **kwargs):
        super().__init__(*args, **kwargs)
        school_class = cast(ClassChoiceField, self.fields["school_class"])
        school_class.queryset = classes.order_by("-academic_year", "grade", "letter")

    def filters(self) -> UnitFilters:
        if not self.is_bound or not self.is_valid():
            return InvitationFilters()
        school_class = self.cleaned_data.get("school_class")
        return InvitationFilters(
            status=self.cleaned_data.get("status") or "",
            role=self.cleaned_data.get("role") or "",
            school_class=school_class.pk if school_class else None,
        )


class InvitationCreateForm(forms.Form):
    role = forms.ChoiceField(label=_("Роль"), choices=Role.choices)
    school_class = ClassChoiceField(
        label=_("Класс"),
        required=False,
        queryset=SchoolClass.objects.none(),
        empty_label=_("— вся школа (для учителей и сотрудников) —"),
        help_text=_("Для учащихся и родителей — класс; для учителей и сотрудников — вся школа."),
    )
    max_uses = forms.IntegerField(
        label=_("Сколько раз можно использовать"),
        min_value=1,
        max_value=MAX_USES_LIMIT,
        initial=1,
        help_text=_("1 — личная ссылка; для родительского собрания — число родителей класса."),
    )
    term_days = forms.IntegerField(
        label=_("Срок действия, дней"),
        min_value=1,
        max_value=365,
        help_text=_("Неиспользованная ссылка будет аннулирована по истечении срока."),
    )
    platform_url = forms.URLField(
        label=_("Ссылка на платформе «Сферум»"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Ссылка-приглашение в чат или организацию на платформе, начинается с https://."
        ),
    )

    def __init__(self, *args, choices: IssueChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school = choices.school
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Role.choices if value in choices.roles
        ]
        school_class = cast(ClassChoiceField, self.fields["school_class"])
        school_class.queryset = choices.classes.order_by("grade", "letter")
        if not choices.school_wide:
            school_class.required = True
            school_class.empty_label = None
            school_class.help_text = ""
        else:
            # Optional for the form (teachers' and staff links are school-wide), yet required
            # for pupils' and parents' links: the label says so instead of «необязательно».
            school_class.required_when = _("обязательно для учащихся и родителей")  # type: ignore[attr-defined]
        if school is not None:
            self.fields["term_days"].initial = school.invitation_term_days

    def clean(self):
        """The link's rules checked whatever other fields are wrong, so that every error of the
        form is shown at once (a class missing for a parents' link beside a bad platform link),
        each field's own error first and only once."""
        data = super().clean()
        role, school_class = data.get("role"), data.get("school_class")
        if not role or "school_class" in self.errors:
            return data
        school = school_class.school if school_class is not None else self.school
        if school is None:
            self.add_error("school_class", _("Выберите класс: школа не определена."))
            return data
        data["school"] = school
        if "term_days" in data:
            data["expires_at"] = timezone.now() + datetime.timedelta(days=data["term_days"])
        try:
            invitation_validate(
                school=school,
                role=role,
                # Fields with an error of their own are not asked again.
                platform_url=data.get("platform_url", "https://"),
                school_class=school_class,
                max_uses=data.get("max_uses", 1),
                expires_at=data.get("expires_at"),
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                field = "term_days" if name == "expires_at" else name
                if field not in self.errors:
                    self.add_error(field, messages)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Укажите причину.")},
    )


class BulkAnnulForm(ReasonForm):
    """The reason, and the moment the selection was shown (links issued later are not part
    of it)."""

    as_of = forms.DateTimeField(widget=forms.HiddenInput, required=False)


class JoinRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("все"))] + list(JoinRequest.Status.choices),
    )
    role = forms.ChoiceField(
        label=_("Роль"), required=False, choices=[("", _("все"))] + list(Role.choices)
    )
    school_class = ClassChoiceField(
        label=_("Класс"), required=False, queryset=SchoolClass.objects.none(), empty_label=_("все")
    )

    def __init__(self, *args, classes: QuerySet[SchoolClass], **kwargs):
        super().__init__(*args, **kwargs)
        school_class = cast(ClassChoiceField, self.fields["school_class"])
        school_class.queryset = classes.order_by("-academic_year", "grade", "letter")

    def filters(self) -> UnitFilters:
        if not self.is_valid():
            return JoinRequestFilters(status=JoinRequest.Status.PENDING)
        school_class = self.cleaned_data.get("school_class")
        return JoinRequestFilters(
            status=self.cleaned_data.get("status") or "",
            role=self.cleaned_data.get("role") or "",
            school_class=school_class.pk if school_class else None,
        )

"""Forms of the staff screens: absences, training, platform statuses, movement."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gymnasium_portal.forms import MAX_UPLOAD_MB, DateInput, validate_upload_size
from gymnasium_portal.uploads import IMAGES, PDF, validate_upload_content
from staff.models import Absence, Person, StatusConfirmation

CERTIFICATE_TYPES = {**PDF, **IMAGES}
CERTIFICATE_EXTENSIONS = set(CERTIFICATE_TYPES)


def _not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Дата не может быть в будущем."))


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["person", "starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(school=school, is_active=True)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Дата окончания раньше даты начала."))
        return cleaned


def validate_certificate(upload) -> None:
    if not upload:
        return
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in CERTIFICATE_EXTENSIONS:
        raise ValidationError(_("Удостоверение: PDF, JPG или PNG."))
    validate_upload_size(upload)
    validate_upload_content(
        upload,
        CERTIFICATE_TYPES,
        _("Содержимое файла не совпадает с его расширением «.%(ext)s»: файл не принят.")
        % {"ext": extension},
    )


class TrainingForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Дата окончания обучения"), widget=DateInput(), validators=[_not_in_future]
    )
    certificate_number = forms.CharField(
        label=_("Номер удостоверения"), max_length=100, required=False
    )
    certificate_file = forms.FileField(
        label=_("Скан или фото удостоверения"),
        required=False,
        validators=[validate_certificate],
        help_text=_("PDF, JPG или PNG, не больше %(mb)d МБ.") % {"mb": MAX_UPLOAD_MB},
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (
            cleaned.get("certificate_number", "").strip() or cleaned.get("certificate_file")
        ):
            raise ValidationError(_("Укажите номер удостоверения или приложите его файл."))
        return cleaned


class StatusConfirmForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Сотрудник"), queryset=Person.objects.none())
    status = forms.ChoiceField(
        label=_("Статус на платформе"), choices=StatusConfirmation.PlatformStatus.choices
    )
    confirmed_on = forms.DateField(
        label=_("Дата подтверждения"), widget=DateInput(), validators=[_not_in_future]
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(school=school, is_active=True)


class ClassTeacherForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Классный руководитель"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("— без классного руководителя —"),
    )
    comment = forms.CharField(label=_("Основание"), max_length=300, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            school=school, is_active=True, staff_kind=Person.StaffKind.TEACHING
        )


class StudentsForm(forms.Form):
    students_expected = forms.IntegerField(label=_("Учащихся по списку"), min_value=0, max_value=60)
    comment = forms.CharField(
        label=_("Основание (прибыли, выбыли)"), max_length=300, required=False
    )


class PersonLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Дата увольнения"), widget=DateInput())
    comment = forms.CharField(label=_("Основание"), max_length=300, required=False)

    def clean_left_on(self):
        value = self.cleaned_data["left_on"]
        if value > timezone.localdate() + datetime.timedelta(days=31):
            raise ValidationError(_("Дата увольнения не дальше месяца вперёд."))
        return value

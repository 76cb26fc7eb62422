"""Forms of the orders screens: thin, validation of input only; the writes are in services.py."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.registry import check_choices, get_check
from gymnasium_portal.forms import MAX_UPLOAD_MB, DateInput, validate_upload_size
from gymnasium_portal.uploads import IMAGES, OFFICE, PDF, validate_upload_content
from staff.models import Person

from .models import Order, OrderPoint, Responsibility

PDF_TYPES = {"application/pdf", "application/x-pdf"}
EVIDENCE_TYPES = {**PDF, **IMAGES, **OFFICE}
EVIDENCE_EXTENSIONS = set(EVIDENCE_TYPES)


def validate_pdf(upload) -> None:
    """A PDF by extension, declared type and its first bytes; not larger than MAX_UPLOAD_MB."""
    if not upload:
        return
    if not upload.name.lower().endswith(".pdf"):
        raise ValidationError(_("Нужен файл в формате PDF (расширение .pdf)."))
    content_type = getattr(upload, "content_type", None)
    if content_type and content_type not in PDF_TYPES:
        raise ValidationError(_("Файл не является PDF-документом."))
    validate_upload_size(upload)
    validate_upload_content(upload, PDF, _("Файл не является PDF-документом."))


def validate_evidence_file(upload) -> None:
    if not upload:
        return
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            _("Допустимые форматы: %(formats)s.")
            % {"formats": ", ".join(sorted(EVIDENCE_EXTENSIONS))}
        )
    validate_upload_size(upload)
    validate_upload_content(
        upload,
        EVIDENCE_TYPES,
        _("Содержимое файла не совпадает с его расширением «.%(ext)s»: файл не принят.")
        % {"ext": extension},
    )


def https_url(value: str) -> None:
    if value and not value.lower().startswith(("https://", "http://")):
        raise ValidationError(_("Ссылка должна начинаться с https://"))


class OrderForm(forms.ModelForm):
    distribute = forms.BooleanField(
        label=_("Разослать всем сотрудникам (лист ознакомления)"), required=False, initial=True
    )

    class Meta:
        model = Order
        fields = [
            "number",
            "date",
            "title",
            "basis",
            "preamble",
            "signed_by",
            "distribution_note",
            "status",
            "file",
        ]
        widgets = {
            "date": DateInput(),
            "title": forms.Textarea(attrs={"rows": 3}),
            "basis": forms.Textarea(attrs={"rows": 3}),
            "preamble": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "file": _("PDF, не больше %(mb)d МБ. Нужен для заявки на регистрацию администратора.")
            % {"mb": MAX_UPLOAD_MB}
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["signed_by"].queryset = Person.objects.filter(school=school, is_active=True)
        if self.instance.pk:
            del self.fields["distribute"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            validate_pdf(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        number, date = cleaned.get("number"), cleaned.get("date")
        if number and date:
            clash = Order.objects.filter(school=self.school, number=number, date=date).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                raise ValidationError(_("Приказ с таким номером и датой уже внесён."))
        return cleaned

    def _post_clean(self):
        # The school is set by the service; the model's own uniqueness check would run without it.
        self.instance.school = self.school
        super()._post_clean()


class PointForm(forms.ModelForm):
    check_key = forms.ChoiceField(label=_("Проверка"), required=False)

    class Meta:
        model = OrderPoint
        fields = ["number", "position", "parent", "text", "deadline", "check_key"]
        widgets = {"deadline": DateInput(), "text": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"position": _("Порядок пункта в приказе; пусто — в конец.")}

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.fields["position"].required = False
        parents = order.points.filter(parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
        choices = [("", _("— не измеряется —"))] + check_choices()
        current = self.instance.check_key
        if current and get_check(current) is None:
            choices.append((current, _("%(key)s (проверка пока не подключена)") % {"key": current}))
        cast(forms.ChoiceField, self.fields["check_key"]).choices = choices
        if self.instance.pk and self.instance.deadline:
            self.fields["date_change_reason"] = _date_change_reason_field(_("срок"))

    def clean(self):
        cleaned = super().clean()
        _require_date_change_reason(
            self,
            cleaned,
            field="deadline",
            recorded=self.instance.deadline if self.instance.pk else None,
        )
        return cleaned

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not re.fullmatch(r"\d+(\.\d+)*|[А-Яа-яA-Za-z]+", number):
            raise ValidationError(_("Номер пункта: цифры через точку, например 7.2."))
        if self.order.points.filter(number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Пункт с таким номером уже есть."))
        return number

    def _post_clean(self):
        self.instance.order = self.order
        super()._post_clean()


class ResponsibilityForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Сотрудник"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Роль"), choices=Responsibility.Role.choices)

    def __init__(self, *args, point: OrderPoint, **kwargs):
        super().__init__(*args, **kwargs)
        self.point = point
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = Person.objects.filter(
            school_id=point.order.school_id, is_active=True
        )

    def clean(self):
        cleaned = super().clean()
        role, person = cleaned.get("role"), cleaned.get("person")
        if (
            role == Responsibility.Role.PRIMARY
            and self.point.responsibilities.filter(role=role).exists()
        ):
            self.add_error(
                "role", _("У пункта уже есть ответственный; снимите его или назначьте замещающего.")
            )
        if person and self.point.responsibilities.filter(person=person).exists():
            self.add_error("person", _("Этот сотрудник уже назначен на пункт."))
        return cleaned


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Файл"),
        required=False,
        validators=[validate_evidence_file],
        help_text=_("PDF, изображение или документ, не больше %(mb)d МБ.") % {"mb": MAX_UPLOAD_MB},
    )
    url = forms.URLField(label=_("Ссылка"), required=False, max_length=500, assume_scheme="https")
    comment = forms.CharField(
        label=_("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (
            cleaned.get("file") or cleaned.get("url") or cleaned.get("comment", "").strip()
        ):
            raise ValidationError(_("Приложите файл, укажите ссылку или напишите комментарий."))
        return cleaned


class RegulationForm(forms.Form):
    title = forms.CharField(
        label=_("Наименование положения"), widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_on = forms.DateField(label=_("Дата утверждения"), widget=DateInput())
    file = forms.FileField(
        label=_("Файл положения (PDF)"),
        validators=[validate_pdf],
        help_text=_("PDF, не больше %(mb)d МБ.") % {"mb": MAX_UPLOAD_MB},
    )


def _date_change_reason_field(what) -> forms.CharField:
    return forms.CharField(
        label=_("Причина изменения даты"),
        required=False,
        max_length=200,
        help_text=_(
            "Только если меняете %(what)s: без причины записанную дату не изменить, "
            "причина попадёт в историю."
        )
        % {"what": what},
    )


def _require_date_change_reason(form, cleaned, *, field: str, recorded) -> None:
    """A recorded date changed without a reason: the form says so next to the reason field."""
    if recorded is None or field not in cleaned or cleaned.get(field) == recorded:
        return
    if not (cleaned.get("date_change_reason") or "").strip():
        form.add_error(
            "date_change_reason",
            _("Дата %(date)s уже записана: укажите причину её изменения.")
            % {"date": recorded.strftime("%d.%m.%Y")},
        )


class PublicationForm(forms.Form):
    url = forms.URLField(
        label=_("Адрес страницы на сайте школы"), max_length=500, assume_scheme="https"
    )
    published_on = forms.DateField(label=_("Дата публикации"), widget=DateInput())

    def __init__(self, *args, regulation, **kwargs):
        super().__init__(*args, **kwargs)
        self.regulation = regulation
        if regulation.published_on:
            self.fields["date_change_reason"] = _date_change_reason_field(_("дату публикации"))

    def clean(self):
        cleaned = super().clean()
        _require_date_change_reason(
            self, cleaned, field="published_on", recorded=self.regulation.published_on
        )
        return cleaned

    def clean_published_on(self):
        value = self.cleaned_data["published_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Дата публикации не может быть в будущем."))
        if value < self.regulation.approved_on:
            raise ValidationError(_("Дата публикации раньше даты утверждения положения."))
        return value


PHONE_DIGITS = re.compile(r"\D+")


def normalize_mobile(value: str) -> str:
    """A Russian mobile number as +7 9XX XXX-XX-XX, from any usual way of writing it."""
    digits = PHONE_DIGITS.sub("", value or "")
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] != "9":
        raise ValidationError(_("Укажите мобильный номер: +7 9XX XXX-XX-XX."))
    return f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


class AdminRegistrationForm(forms.Form):
    order = forms.ModelChoiceField(
        label=_("Приказ о назначении администратора"), queryset=Order.objects.none()
    )
    full_name = forms.CharField(label=_("ФИО нового администратора"), max_length=200)
    email = forms.EmailField(label=_("Адрес электронной почты"))
    phone = forms.CharField(
        label=_("Номер личного мобильного телефона"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "Администратор дал согласие на обработку и передачу его персональных данных в «Сферум»"
        ),
        error_messages={"required": _("Без согласия заявку отправить нельзя.")},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = Order.objects.filter(school=school)

    def clean_full_name(self):
        value = " ".join(self.cleaned_data["full_name"].split())
        if len(value.split()) < 2:
            raise ValidationError(_("Укажите фамилию, имя и отчество."))
        return value

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])

    def clean_order(self):
        order = self.cleaned_data["order"]
        if not order.file:
            raise ValidationError(
                _(
                    "К приказу № %(number)s не приложен файл. "
                    "Загрузите скан приказа на странице приказа: "
                    "без него заявку в «Сферум» не примут, и она не будет отправлена."
                )
                % {"number": order.number}
            )
        return order

"""Form helpers every app's forms share: the date widget and the upload size limit."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_MB = 10


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def validate_upload_size(upload) -> None:
    """Not empty and not larger than MAX_UPLOAD_MB."""
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(_("Файл больше %(mb)d МБ.") % {"mb": MAX_UPLOAD_MB})
    if upload.size == 0:
        raise ValidationError(_("Файл пустой."))

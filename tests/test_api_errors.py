"""A Django ValidationError raised below the API answers DRF's 400,
converted once by the handler."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from rest_framework.settings import api_settings

from gymnasium_portal.api_errors import exception_handler


def test_a_field_error_keeps_its_field():
    response = exception_handler(ValidationError({"url": ["Неверная ссылка."]}), {})
    assert (response.status_code, response.data) == (400, {"url": ["Неверная ссылка."]})


def test_a_model_wide_error_goes_under_drfs_non_field_key():
    error = ValidationError({NON_FIELD_ERRORS: ["Такой чат уже есть."]})
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {api_settings.NON_FIELD_ERRORS_KEY: ["Такой чат уже есть."]}


def test_an_error_without_fields_is_a_non_field_error():
    response = exception_handler(ValidationError("Нельзя."), {})
    assert response.data == {api_settings.NON_FIELD_ERRORS_KEY: ["Нельзя."]}


def test_other_exceptions_are_drfs_business():
    assert exception_handler(ValueError("not an API error"), {}) is None

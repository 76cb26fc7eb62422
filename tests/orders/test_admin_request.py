"""The e-mail registering a new administrator with Sferum (point 3)."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse

from orders.models import AdminRegistrationRequest

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%order 883\n"

VALID = {
    "full_name": "Костюков Дмитрий Юрьевич",
    "email": "kostyukov@gimnazia.example",
    "phone": "8 (912) 345-67-89",
    "consent": "on",
}


@pytest.fixture
def order_with_file(order):
    order.file.save("prikaz-883.pdf", ContentFile(PDF))
    return order


def test_the_request_goes_to_sferum_with_the_order_attached(
    client, operator, order_with_file, school, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(operator)
    response = client.post(reverse("orders:admin_request"), {**VALID, "order": order_with_file.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["info@sferum.ru"]
    assert "регистрацию нового администратора" in message.subject and school.name in message.subject
    for text in (
        "Костюков Дмитрий Юрьевич",
        "kostyukov@gimnazia.example",
        "+7 912 345-67-89",
        "приказ № 883 от 15.12.2025",
        "ФИО",
        "Адрес электронной почты",
        "Номер мобильного телефона",
    ):
        assert text in message.body, text
    ((name, content, mimetype),) = message.attachments
    assert name.endswith(".pdf") and content == PDF and mimetype == "application/pdf"
    request = AdminRegistrationRequest.objects.get()
    assert request.status == AdminRegistrationRequest.Status.SENT and request.sent_at is not None
    assert (request.phone, request.created_by, request.order) == (
        "+7 912 345-67-89",
        operator,
        order_with_file,
    )
    page = client.get(reverse("orders:admin_request")).content.decode()
    assert "отправлена" in page and "Костюков Дмитрий Юрьевич" in page


def test_the_recipient_comes_from_the_settings(client, operator, order_with_file, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SFERUM_SUPPORT_EMAIL = "support@sferum.example"
    client.force_login(operator)
    client.post(reverse("orders:admin_request"), {**VALID, "order": order_with_file.pk})
    assert mail.outbox[0].to == ["support@sferum.example"]


def test_an_order_without_a_file_is_not_sent(client, operator, order, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(operator)
    response = client.post(reverse("orders:admin_request"), {**VALID, "order": order.pk})
    assert response.status_code == 400
    assert "не приложен файл" in str(response.context["form"].errors["order"])
    assert "не будет отправлена" in response.content.decode()
    assert mail.outbox == [] and not AdminRegistrationRequest.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("full_name", ""),
        ("full_name", "Костюков"),
        ("email", "не почта"),
        ("phone", "12345"),
        ("phone", "+7 495 123-45-67"),  # a landline, not a mobile
        ("consent", ""),
    ],
)
def test_bad_input_sends_nothing_and_writes_nothing(
    client, operator, order_with_file, settings, field, value
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(operator)
    data = {**VALID, "order": order_with_file.pk, field: value}
    if field == "consent":
        del data["consent"]
    response = client.post(reverse("orders:admin_request"), data)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert mail.outbox == [] and not AdminRegistrationRequest.objects.exists()
    if field != "full_name":
        assert "Костюков Дмитрий Юрьевич" in response.content.decode()  # the input is kept


def test_a_failed_sending_is_recorded_with_its_error(
    client, operator, order_with_file, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    client.force_login(operator)
    response = client.post(
        reverse("orders:admin_request"), {**VALID, "order": order_with_file.pk}, follow=True
    )
    request = AdminRegistrationRequest.objects.get()
    assert request.status == AdminRegistrationRequest.Status.FAILED and request.sent_at is None
    assert "refused" in request.error
    assert "не удалось отправить" in response.content.decode()


def test_another_schools_order_cannot_be_chosen(client, operator, other_school, settings):
    from tests.factories import OrderFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    foreign = OrderFactory(school=other_school)
    foreign.file.save("x.pdf", ContentFile(PDF))
    client.force_login(operator)
    response = client.post(reverse("orders:admin_request"), {**VALID, "order": foreign.pk})
    assert response.status_code == 400 and mail.outbox == []


@pytest.mark.parametrize(
    "who, get_status, post_status",
    [
        ("operator", 200, 302),
        ("coordinator", 200, 302),
        ("director", 200, 403),
        ("staff_member", 403, 403),
        ("web_editor", 403, 403),
        ("inspector", 403, 403),
    ],
)
def test_who_may_send(request, client, order_with_file, settings, who, get_status, post_status):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("orders:admin_request"))
    assert response.status_code == get_status
    if get_status == 200:
        assert ('name="consent"' in response.content.decode()) is (post_status == 302)
    assert (
        client.post(
            reverse("orders:admin_request"), {**VALID, "order": order_with_file.pk}
        ).status_code
        == post_status
    )
    assert (
        len(mail.outbox)
        == AdminRegistrationRequest.objects.count()
        == (1 if post_status == 302 else 0)
    )

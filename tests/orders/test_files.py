"""Uploaded files (issue 15, item 2): the regulation, the order's scan, a point's evidence and a
training certificate are stored under a name nobody can guess, checked by their content, and
downloaded only by those who see the object's page (another school: 404, anonymous: login)."""

from __future__ import annotations

import io
import re
import urllib.parse
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gymnasium_portal.forms import MAX_UPLOAD_MB
from orders.models import Order, PointEvidence, Regulation
from staff.models import TrainingRecord

from ..factories import make_user
from .conftest import add_point

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
CYRILLIC_NAME = "Положение о «Сферуме» 2025.pdf"
RANDOM_NAME = re.compile(r"^(regulations|orders|evidence|training)/\d{4}/[0-9a-f]{32}\.\w+$")


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload_regulation(client, order, name=CYRILLIC_NAME, content=PDF):
    return client.post(
        reverse("orders:regulation_upload", args=[order.pk]),
        {
            "title": "Положение об использовании платформы «Сферум»",
            "approved_on": "2025-12-15",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _assert_download(response, content: bytes, original: str):
    assert response.status_code == 200
    assert _body(response) == content
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    # RFC 5987: the UTF-8 name, percent-encoded, for a name that is not plain ASCII.
    assert f"filename*=utf-8''{urllib.parse.quote(original)}" in disposition


def _assert_refused_outside(url: str, other_director):
    outsider = Client()
    outsider.force_login(other_director)
    assert outsider.get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


# --- The regulation -------------------------------------------------------------------------------


def test_the_regulation_is_downloaded_by_its_school_only(
    client, coordinator, director, other_director, order
):
    client.force_login(coordinator)
    assert _upload_regulation(client, order).status_code == 302
    regulation = Regulation.objects.get()
    assert RANDOM_NAME.match(regulation.file.name), regulation.file.name
    assert "Сфер" not in regulation.file.name
    assert regulation.file_name == CYRILLIC_NAME

    url = regulation.file.url
    assert url == reverse("orders:regulation_file", args=[regulation.pk])
    assert url in client.get(reverse("orders:regulations", args=[order.pk])).content.decode()
    response = client.get(url)
    _assert_download(response, PDF, CYRILLIC_NAME)
    assert response["Content-Type"] == "application/pdf"

    reader = Client()
    reader.force_login(director)
    _assert_download(reader.get(url), PDF, CYRILLIC_NAME)
    _assert_refused_outside(url, other_director)


def test_the_media_address_serves_nothing(client, coordinator, order):
    client.force_login(coordinator)
    _upload_regulation(client, order)
    regulation = Regulation.objects.get()
    assert client.get(f"/media/{regulation.file.name}").status_code == 404


@pytest.mark.parametrize(
    "name, content",
    [
        ("polozhenie.pdf", HTML),
        ("polozhenie.pdf", EXE),
        ("polozhenie.pdf", PNG),
    ],
    ids=["html-named-pdf", "exe-named-pdf", "png-named-pdf"],
)
def test_a_regulation_that_is_not_a_pdf_is_refused(client, coordinator, order, name, content):
    client.force_login(coordinator)
    response = _upload_regulation(client, order, name=name, content=content)
    assert response.status_code == 400
    assert "Файл не является PDF-документом." in str(response.context["form"].errors["file"])
    assert not Regulation.objects.exists()


# --- The order's scan -----------------------------------------------------------------------------


def test_the_order_scan_is_downloaded_by_its_school_only(
    client, coordinator, other_director, order
):
    client.force_login(coordinator)
    data = {
        "number": order.number,
        "date": order.date.isoformat(),
        "title": order.title,
        "status": order.status,
        "file": SimpleUploadedFile("Приказ № 883.pdf", PDF, content_type="application/pdf"),
    }
    response = client.post(reverse("orders:edit", args=[order.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.get(pk=order.pk)
    assert RANDOM_NAME.match(order.file.name) and order.file_name == "Приказ № 883.pdf"
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert reverse("orders:order_file", args=[order.pk]) in page
    _assert_download(client.get(order.file.url), PDF, "Приказ № 883.pdf")
    _assert_refused_outside(order.file.url, other_director)


def test_an_order_without_a_scan_answers_404(client, coordinator, order):
    client.force_login(coordinator)
    assert client.get(reverse("orders:order_file", args=[order.pk])).status_code == 404


# --- A point's evidence ---------------------------------------------------------------------------


def _add_evidence(client, point, name, content):
    return client.post(
        reverse("orders:evidence_add", args=[point.pk]),
        {"file": SimpleUploadedFile(name, content), "comment": ""},
    )


@pytest.mark.parametrize(
    "name, content",
    [("Протокол.docx", _docx()), ("Фото.png", PNG), ("Скан.pdf", PDF)],
)
def test_evidence_of_each_allowed_kind_is_kept_and_downloaded(
    client, coordinator, other_director, order, name, content
):
    point = add_point(order, "4")
    client.force_login(coordinator)
    assert _add_evidence(client, point, name, content).status_code == 302
    evidence = PointEvidence.objects.get()
    assert RANDOM_NAME.match(evidence.file.name) and evidence.file_name == name
    response = client.get(evidence.file.url)
    _assert_download(response, content, name)
    if name.endswith(".docx"):
        assert response["Content-Disposition"].startswith("attachment")
    _assert_refused_outside(evidence.file.url, other_director)


@pytest.mark.parametrize(
    "name, content",
    [("Протокол.docx", EXE), ("Протокол.pdf", HTML), ("Фото.jpg", PNG), ("Таблица.xlsx", _docx())],
    ids=["exe-named-docx", "html-named-pdf", "png-named-jpg", "docx-named-xlsx"],
)
def test_evidence_whose_content_is_not_what_its_name_says_is_refused(
    client, coordinator, order, name, content
):
    point = add_point(order, "4")
    client.force_login(coordinator)
    response = _add_evidence(client, point, name, content)
    assert response.status_code == 400
    assert "Содержимое файла не совпадает" in response.content.decode()
    assert not PointEvidence.objects.exists()


def test_the_size_limit_stays(client, coordinator, order):
    point = add_point(order, "4")
    client.force_login(coordinator)
    big = PDF + b"0" * (MAX_UPLOAD_MB * 1024 * 1024)
    response = _add_evidence(client, point, "big.pdf", big)
    assert response.status_code == 400
    assert "больше" in response.content.decode()


# --- A training certificate -----------------------------------------------------------------------


def _record_training(client, name, content):
    return client.post(
        reverse("staff:training"),
        {
            "completed_on": timezone.localdate().isoformat(),
            "certificate_file": SimpleUploadedFile(name, content),
        },
    )


def test_a_certificate_is_seen_by_its_owner_and_the_managers_only(
    client, teacher_5a, teacher_5b, coordinator, other_director, school
):
    client.force_login(teacher_5a)
    assert _record_training(client, "Удостоверение.pdf", PDF).status_code == 302
    record = TrainingRecord.objects.get()
    assert RANDOM_NAME.match(record.certificate_file.name)
    url = record.certificate_file.url
    assert url in client.get(reverse("staff:training")).content.decode()
    _assert_download(client.get(url), PDF, "Удостоверение.pdf")

    manager = Client()
    manager.force_login(coordinator)
    _assert_download(manager.get(url), PDF, "Удостоверение.pdf")
    colleague = Client()
    colleague.force_login(teacher_5b)  # a colleague without the right to list training: 404
    assert colleague.get(url).status_code == 404
    _assert_refused_outside(url, other_director)


@pytest.mark.parametrize(
    "name, content", [("cert.jpg", HTML), ("cert.pdf", EXE)], ids=["html-jpg", "exe-pdf"]
)
def test_a_certificate_that_is_not_what_it_says_is_refused(client, school, name, content):
    user = make_user(school=school, username="t_cert")
    client.force_login(user)
    response = _record_training(client, name, content)
    assert response.status_code == 400
    assert "Содержимое файла не совпадает" in response.content.decode()
    assert not TrainingRecord.objects.exists()

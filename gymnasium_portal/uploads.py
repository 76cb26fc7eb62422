"""Uploaded files: stored under names nobody can guess, checked by their content, and served only
through a view that checks the same scope as the page of the object they belong to.

- ``PrivateFileField``: a ``FileField`` whose stored name is
  ``<folder>/<year>/<32 random hex><ext>`` (``RandomName``), whose ``.url`` is the serving view
  of its object (``url_name`` with the object's pk), and which keeps the name the file had on the
  uploader's computer in a sibling ``CharField`` (``original_name_field``) — the field's own
  ``pre_save``, as ``auto_now`` is.
  Nothing is served from ``MEDIA_URL``.
- ``validate_upload_content``: the first bytes decide what the file is (``filetype``'s magic
  numbers; libmagic is not needed), not its extension or the type the browser declared: an
  executable or an HTML page named ``.pdf`` is refused in Russian. Size limits stay with
  ``forms.validate_upload_size``.
- ``file_response``: the download — ``Content-Disposition`` with the original name (RFC 5987's
  ``filename*`` for Cyrillic, by Django's ``FileResponse``), ``X-Content-Type-Options: nosniff``,
  the content type of what the file *is*, and ``private, no-store``.
"""

from __future__ import annotations

import os
import secrets
import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# What each kind of upload may be: the types the first bytes must show, by file extension.
PDF = {"pdf": "application/pdf"}
IMAGES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
OFFICE = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .xls (the compound file format)
_ZIP_MEMBERS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
}
_INLINE = {"application/pdf", "image/png", "image/jpeg"}


def _head(upload, size: int = 8192) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(size)
    upload.seek(position)
    return head


def _office_kind(upload, head: bytes) -> str | None:
    """Which office format the content is (``filetype`` tells a ZIP, not what is inside it)."""
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if not head.startswith(b"PK\x03\x04"):
        return None
    position = upload.tell()
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                for extension in ("odt", "ods"):
                    if mimetype == OFFICE[extension]:
                        return extension
            for extension, member in _ZIP_MEMBERS.items():
                if member in names:
                    return extension
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(position)
    return None


def detected_type(upload, allowed: dict[str, str]) -> str | None:
    """The content type the file's bytes show, among ``allowed`` (extension → type), else None."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in allowed:
        return None
    head = _head(upload)
    if extension in OFFICE:
        kind = _office_kind(upload, head)
        if kind == "ole2" and extension in {"doc", "xls"}:
            return allowed[extension]
        return allowed[extension] if kind == extension else None
    guess = filetype.guess(head)
    if guess is None or guess.mime != allowed[extension]:
        return None
    return guess.mime


def validate_upload_content(upload, allowed: dict[str, str], message) -> None:
    """Refuse a file whose extension is not allowed or whose content is not what it says."""
    if not upload:
        return
    if detected_type(upload, allowed) is None:
        raise ValidationError(message)


def content_validator(allowed: dict[str, str], message):
    def validate(upload) -> None:
        validate_upload_content(upload, allowed, message)

    return validate


@deconstructible
class RandomName:
    """``upload_to``: ``<folder>/<year>/<128 random bits in hex><.ext>``, not the uploaded name."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = os.path.splitext(filename)[1].lower()
        if not (extension[1:].isascii() and extension[1:].isalnum() and len(extension) <= 6):
            extension = ""
        return f"{self.folder}/{timezone.now():%Y}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


class PrivateFieldFile(FieldFile):
    @property
    def url(self) -> str:
        self._require_file()  # type: ignore[attr-defined]  # FieldFile.url does the same
        field = self.field
        assert isinstance(field, PrivateFileField)
        return reverse(field.url_name, kwargs={"pk": self.instance.pk})


class PrivateFileField(models.FileField):
    attr_class = PrivateFieldFile

    def __init__(self, *args, url_name: str = "", original_name_field: str = "", **kwargs):
        self.url_name = url_name
        self.original_name_field = original_name_field
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["url_name"] = self.url_name
        kwargs["original_name_field"] = self.original_name_field
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed and self.original_name_field:
            original = os.path.basename(file.name or "")[:255]
            setattr(model_instance, self.original_name_field, original)
        return super().pre_save(model_instance, add)


def file_response(fieldfile, original_name: str = "") -> FileResponse:
    """The file itself, for a view that has checked the user may see its object."""
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    stored = fieldfile.name.rsplit("/", 1)[-1]
    name = original_name or stored
    extension = stored.rsplit(".", 1)[-1].lower() if "." in stored else ""
    content_type = {**PDF, **IMAGES, **OFFICE}.get(extension, "application/octet-stream")
    response = FileResponse(
        handle,
        as_attachment=content_type not in _INLINE,
        filename=name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even an image or a PDF opened in the browser runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


PDF_MESSAGE = _("Файл не является PDF-документом.")

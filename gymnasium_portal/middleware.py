"""Requests carrying a NUL character are answered before any view sees them.

PostgreSQL's text types cannot hold U+0000, and psycopg2 raises ``ValueError`` for a query
parameter containing it: ``/invite/%00/``, ``?check=%00`` on the board's drill-down, ``%00`` in an
admin list filter or in the public form's ``submission_key`` answered 500. Django's form fields
refuse NUL already; a value taken straight from the address, the query string, a cookie (the
session key) or the form data did not. No valid address or value holds a NUL, so the request is
answered here, once for every view: 404 for the path (no page has such an address), 400 for the
rest, both with the portal's error pages (JSON under ``/api/``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import SuspiciousOperation
from django.http import Http404

NUL = "\x00"
FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class NulInRequest(SuspiciousOperation):
    """Answered 400 by Django, logged as ``django.security.NulInRequest``: a probe, not a user."""


def _has_nul(items: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in items)


class RefuseNulMiddleware:
    """Early in MIDDLEWARE: before the session is read by its key or a view queries by a value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            raise Http404
        if _has_nul(request.GET.lists()):
            raise NulInRequest("NUL character in the query string")
        if _has_nul((name, [value]) for name, value in request.COOKIES.items()):
            raise NulInRequest("NUL character in a cookie")
        if (
            request.method == "POST"
            and request.content_type in FORM_CONTENT_TYPES
            and _has_nul(request.POST.lists())
        ):
            raise NulInRequest("NUL character in the form data")
        return self.get_response(request)


PRIVATE_NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every answer of the portal's own views.

    Pages, exports and API answers name people, join requests and their contacts (152-ФЗ): no
    shared proxy may keep them and no browser may write them to disk, where the next user of a
    school's shared computer would find them. The static files never get here (WhiteNoise answers
    them earlier, with its own long caching). A view that chose its own caching keeps it, made
    ``private`` (the QR code of a link: ``private, max-age=3600``; ``never_cache``'s header).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        current = response.get("Cache-Control", "")
        if not current:
            response["Cache-Control"] = PRIVATE_NO_STORE
        elif "private" not in current:
            directives = [d.strip() for d in current.split(",") if d.strip() != "public"]
            response["Cache-Control"] = ", ".join(["private", *[d for d in directives if d]])
        return response

"""Answers carrying personal data are neither cached by a proxy nor written to disk (issue 15,
item 5): ``Cache-Control: private, no-store`` on pages, exports and API answers."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from .test_access_matrix import MATRIX, _kwargs, world  # noqa: F401  (world: the fixture)

# A view that chose its own caching keeps it, made private: the QR code of a link (an image of
# the link, no personal data) may stay an hour in the browser's own cache.
OWN_CACHING = {"invitations:qr": "private, max-age=3600"}


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("role", ["coord", "t_own", "insp"])
def test_every_page_export_and_api_answer_is_private_and_not_stored(world, db, role):  # noqa: F811
    client = Client()
    client.force_login(world["users"][role])
    checked, failures = 0, []
    for name in sorted(n for n, rows in MATRIX.items() if "GET" in rows):
        url = reverse(name.split("#")[0], kwargs=_kwargs(name, world))
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        checked += 1
        directives = _directives(response)
        if name in OWN_CACHING:
            if response.status_code == 200 and response["Cache-Control"] != OWN_CACHING[name]:
                failures.append(f"{url}: {response['Cache-Control']}")
            continue
        if not {"private", "no-store"} <= directives:
            failures.append(f"{url} ({response.status_code}): {response.get('Cache-Control')!r}")
    assert checked > 60
    assert not failures, "\n".join(failures)


def test_people_join_requests_exports_and_api_lists_by_name(world, db):  # noqa: F811
    coordinator = world["users"]["coord"]
    client = Client()
    client.force_login(coordinator)
    urls = [
        reverse("staff:people"),
        reverse("invitations:join_requests"),
        reverse("board:board_export", kwargs={"fmt": "xlsx"}),
        reverse("board:board_export", kwargs={"fmt": "pdf"}),
        reverse("orders:acknowledgement_print", kwargs={"pk": world["order"].pk}),
        reverse("admin:invitations_joinrequest_changelist"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= _directives(response), url  # the admin: never_cache
    token = Token.objects.create(user=coordinator)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    for name in ("join-request-list", "invitation-list", "schoolclass-list", "chat-list"):
        response = api.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store", name
    # The public link page keeps Django's never_cache header, which says the same and more.
    page = Client().get(reverse("invite", kwargs={"token": world["invitation"].token}))
    assert {"private", "no-store"} <= _directives(page)


def test_an_error_page_and_the_login_redirect_are_not_stored_either(world, db):  # noqa: F811
    response = Client().get(reverse("staff:people"))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    client = Client()
    client.force_login(world["users"]["odir"])
    response = client.get(reverse("orders:detail", kwargs={"pk": world["order"].pk}))
    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_static_files_are_not_touched(client):
    response = client.get("/static/portal/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")

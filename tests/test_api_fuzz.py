"""Fuzzing the HTTP API with schemathesis against its own OpenAPI schema (issue 7, item 2).

Every operation of ``/api/schema/`` gets a bounded, deterministic number of generated requests
(``MAX_EXAMPLES`` each, derandomized), sent in-process to the project's WSGI application with the
``Authorization: Token …`` header of a demo account on the seeded gymnasium of order No. 883
(``roster.demo.seed_demo``). Each response must:

- not be a server error (no 5xx);
- carry a status code the schema documents for that operation;
- have a documented content type and a body that validates against the documented schema.

Path ids are drawn from the ids the user sees in the list endpoint, from every id of the seeded
database (other classes, other users' objects) and by schemathesis, so real objects, not only
404s, are fetched, patched, annulled, approved and rejected. A few requests known to succeed
(a token for the user's own password, a chat and a link for their class, a chat renamed) are sent
first, so the success answers of the write operations are checked against the schema too. Both
valid (positive) and schema-breaking (negative) data are generated.

It runs once as the operator (the whole school) and once as the class teacher of 5А (narrow
scope). Each request runs inside a savepoint that is rolled back, so every example sees the
same seeded school and the examples stay reproducible.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from chats.models import Chat
from invitations.models import Invitation, JoinRequest
from orders.models import Order
from roster.demo import seed_demo
from staff.models import SchoolClass
from staff.selectors import led_class_ids, user_school

MAX_EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Valid requests per the schema, and requests that break it (wrong types, missing fields…).
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
PASSWORD = "fuzz-Pushkin-883"

# Model whose ids feed the ``{id}`` of each path prefix.
ID_SOURCES = {
    "/api/v1/chats/": Chat,
    "/api/v1/classes/": SchoolClass,
    "/api/v1/invitations/": Invitation,
    "/api/v1/join-requests/": JoinRequest,
    "/api/v1/orders/": Order,
}

APP = get_wsgi_application()


@pytest.fixture
def in_process_requests():
    """Keep the test's transaction open across requests (what Django's test client does too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo(db, in_process_requests, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the seed writes a regulation's PDF
    return seed_demo(password=PASSWORD)


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", APP)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operations"
    return operations


def _visible_ids(prefix, token):
    """Ids the user sees in the list endpoint (first page): in-scope objects, not only 404s."""
    # Through the WSGI app as schemathesis calls it (Django's test client would reconnect the
    # close_old_connections signal that in_process_requests keeps off).
    response = Client(APP).get(prefix, headers={"Authorization": f"Token {token}"})
    if response.status_code != 200:
        return []
    return [row["id"] for row in response.json["results"]]


def _real_ids(path, token):
    for prefix, model in ID_SOURCES.items():
        if path.startswith(prefix + "{id}"):
            every = list(model.objects.order_by("pk").values_list("pk", flat=True))
            return _visible_ids(prefix, token), every
    return [], []


def _valid_requests(operation, user):
    """Requests known to succeed, sent first (hypothesis' explicit phase): random data rarely
    gets past the business rules, and the success answers must match the schema too."""
    class_id = (
        SchoolClass.objects.filter(pk__in=led_class_ids(user=user))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        or SchoolClass.objects.filter(school=user_school(user))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    bodies = {
        "POST /api/v1/auth/token/": {"username": user.username, "password": PASSWORD},
        "POST /api/v1/chats/": {
            "kind": "class_other",
            "school_class": class_id,
            "title": "Кружок робототехники",
            "url": "https://sferum.ru/?call_id=fuzz",
        },
        "POST /api/v1/invitations/": {
            "role": "parent",
            "school_class": class_id,
            "platform_url": "https://sferum.ru/?invite=fuzz",
            "max_uses": 30,
        },
    }
    chat_id = (
        Chat.objects.filter(school_class_id=class_id, status=Chat.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if operation.label == "PATCH /api/v1/chats/{id}/" and chat_id is not None:
        return [
            operation.Case(
                path_parameters={"id": chat_id},
                body={"title": "Чат класса (переименован)", "members_count": 27},
                media_type="application/json",
            )
        ]
    if operation.label not in bodies:
        return []
    return [operation.Case(body=bodies[operation.label], media_type="application/json")]


def _fuzz_operation(operation, user, token, counter, mode):
    strategy = operation.as_strategy(generation_mode=mode)
    if "{id}" in operation.path:
        visible, every = _real_ids(operation.path, token)
        for ids in (visible, every):
            if ids:
                strategy = st.one_of(
                    strategy,
                    st.sampled_from(ids).flatmap(
                        lambda pk: operation.as_strategy(
                            generation_mode=mode, path_parameters={"id": pk}
                        )
                    ),
                )

    def run(case):
        key = (operation.label, mode.value)
        counter[key] = counter.get(key, 0) + 1
        sid = transaction.savepoint()
        try:
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
        finally:
            transaction.savepoint_rollback(sid)

    if mode == schemathesis.GenerationMode.POSITIVE:
        for case in _valid_requests(operation, user):
            run = example(case=case)(run)
    run = given(case=strategy)(run)
    settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )(run)()


@pytest.mark.parametrize("username", ["engineer", "teacher_5a"])
def test_api_conforms_to_its_schema_under_fuzzing(demo, username, capsys):
    user = demo.users[username]
    token = Token.objects.get_or_create(user=user)[0].key
    operations = _operations()
    counter: dict[str, int] = {}
    failures = []
    unbreakable = set()  # (operation, "negative") with no parameter or body to break
    for operation in operations:
        for mode in MODES:
            try:
                _fuzz_operation(operation, user, token, counter, mode)
            except (AssertionError, BaseExceptionGroup, Exception) as exc:  # noqa: BLE001
                if isinstance(exc, Unsatisfiable) and mode == schemathesis.GenerationMode.NEGATIVE:
                    # An operation with no parameter or body (GET /api/v1/me/max-link/) has no
                    # schema-breaking input to generate; its positive cases still run.
                    unbreakable.add((operation.label, mode.value))
                    continue
                # Collect every operation's failure, then report them all at once.
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    with capsys.disabled():
        total = sum(counter.values())
        print(f"\nschemathesis as {username}: {total} examples over {len(counter)} operations")
        for (label, mode), count in sorted(counter.items()):
            print(f"  {count:3d}  {mode:8s}  {label}")
    assert not failures, "\n\n".join(failures)
    # Every operation was exercised with the bounded number of examples (fewer only when the
    # operation has fewer distinct inputs than MAX_EXAMPLES).
    assert (
        set(counter)
        == {(op.label, mode.value) for op in operations for mode in MODES} - unbreakable
    )
    assert unbreakable <= {("GET /api/v1/me/max-link/", "negative")}


def test_token_request_with_an_overlong_username_is_bad_input_not_a_server_error(db, client):
    """Found by the fuzzing: django-axes recorded the failed attempt in a varchar(255) column."""
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "я" * 300, "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "username" in response.json()

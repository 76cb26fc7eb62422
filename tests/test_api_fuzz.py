"""Fuzzing the HTTP API with schemathesis against its own OpenAPI schema (issue 7, item 2).

Every operation of ``/api/schema/`` gets a bounded, deterministic number of generated requests
(``MAX_EXAMPLES`` each, derandomized), sent in-process to the project's WSGI application with the
``Authorization: Token …`` header of a demo account on the seeded gymnasium of order No. 883
(``staff.demo.seed_demo``). Each response must:

- not be a server error (no 5xx);
- carry a status code the schema documents for that operation;
- have a documented content type and a body that validates against the documented schema.

Path ids are drawn half the time from the seeded database (so the real objects, not only 404s,
are fetched, patched, annulled, approved and rejected) and half the time by schemathesis.

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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chats.models import Chat
from invitations.models import Invitation, JoinRequest
from orders.models import Order
from staff.demo import seed_demo
from staff.models import SchoolClass

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


def _real_ids(path):
    for prefix, model in ID_SOURCES.items():
        if path.startswith(prefix + "{id}"):
            return list(model.objects.order_by("pk").values_list("pk", flat=True))
    return []


def _fuzz_operation(operation, token, counter, mode):
    strategy = operation.as_strategy(generation_mode=mode)
    if "{id}" in operation.path:
        ids = _real_ids(operation.path)
        if ids:
            strategy = st.one_of(
                strategy,
                st.sampled_from(ids).flatmap(
                    lambda pk: operation.as_strategy(
                        generation_mode=mode, path_parameters={"id": pk}
                    )
                ),
            )

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy)
    def run(case):
        key = (operation.label, mode.value)
        counter[key] = counter.get(key, 0) + 1
        sid = transaction.savepoint()
        try:
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
        finally:
            transaction.savepoint_rollback(sid)

    run()


@pytest.mark.parametrize("username", ["engineer", "teacher_5a"])
def test_api_conforms_to_its_schema_under_fuzzing(demo, username, capsys):
    token = Token.objects.get_or_create(user=demo.users[username])[0].key
    operations = _operations()
    counter: dict[str, int] = {}
    failures = []
    for operation in operations:
        for mode in MODES:
            try:
                _fuzz_operation(operation, token, counter, mode)
            except (AssertionError, BaseExceptionGroup, Exception) as exc:  # noqa: BLE001
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
    assert set(counter) == {(op.label, mode.value) for op in operations for mode in MODES}

"""Hostile query strings on every GET address of the access matrix (issue 15, item 7).

The schemathesis fuzz (test_api_fuzz.py) covers the API from its schema; the HTML pages have no
schema, so this test sends every GET row of ``tests/test_access_matrix.py`` (same data set, same
URL arguments) a fixed list of hostile query strings — NUL, overlong values, wrong types, numbers
past 64 bits, far dates, repeated keys — as three roles: the coordinator (the whole school), the
class teacher of 5А (one class) and the inspector (every school, read only). Each value is put into
every query parameter any view of the portal reads (rotated, so that each parameter meets each
value once), and — for the coordinator — alone in the parameters that select an object, a page or
a month. Every answer must be < 500.

The inputs and the status classes they got are printed with ``-s`` (the report of issue 15).
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .test_access_matrix import MATRIX, _kwargs, world  # noqa: F401  (world: the fixture)

ROLES = ("coord", "t_own", "insp")

# Every name a view of the portal (or DRF) reads from the query string.
PARAMS = (
    "page",
    "status",
    "role",
    "school_class",
    "school",
    "class",
    "grade",
    "kind",
    "month",
    "check",
    "point",
    "refresh",
    "show",
    "untrained",
    "without_teacher",
    "next",
    "fmt",
    "format",
    "as_of",
    "q",
    "ordering",
)
# Parameters that pick an object, a page or a period: tried alone too, so another parameter's
# refusal does not hide their own handling.
SELECTING = ("page", "school", "class", "school_class", "point", "grade")

# NUL is refused for the whole request by RefuseNulMiddleware (400) before any view reads a
# parameter, so it is sent on its own (SPECIAL), never mixed into the rotations where it would
# hide every other value.
HOSTILE = {
    "overlong-digits": "9" * 5000,
    "overlong-text": "я" * 10000,
    "bigint+1": str(2**63),
    "negative": "-1",
    "float": "1.5e309",
    "word": "abc",
    "superscript-digit": "²",
    "html": "<script>alert(1)</script>",
    "sql": "' OR 1=1--",
    "foreign-url": "//evil.example/x",
    "far-month": "9999-12",
    "year-1": "0001-01",
    "year-10000": "10000-01",
    "far-datetime": "9999-12-31T23:59:59+14:00",
    "astral": "\U0001d54f\U0001f600",
}
# Addresses that read nothing from the query string and cost the most (the schema is generated
# afresh, the health check connects to the broker): three query strings are enough.
FEW = {"api-schema", "api-docs", "healthz"}

SPECIAL = [
    ("nul-everywhere", urlencode({name: "\x00" for name in PARAMS})),
    ("nul-in-page", "page=%00"),
    ("repeated-keys", "page=1&page=abc&school=1&school=x&month=2025-01&month=x"),
    ("raw-invalid-utf8", "page=%FF%FE&school=%C0%AF&month=%ED%A0%80"),
    ("no-value", "page&school&month&class"),
]


def _get_rows() -> list[str]:
    return sorted(name for name, rows in MATRIX.items() if "GET" in rows)


def _rotations() -> list[tuple[str, str]]:
    """Every (parameter, value) pair once: query k gives parameter i value (i + k) mod n, so
    len(HOSTILE) query strings cover them all, each mixing every kind of bad value."""
    labels = list(HOSTILE)
    return [
        (
            f"rotation {k} ({PARAMS[0]}={labels[k]}, …)",
            urlencode(
                {name: HOSTILE[labels[(i + k) % len(labels)]] for i, name in enumerate(PARAMS)}
            ),
        )
        for k in range(len(labels))
    ]


def _singles() -> list[tuple[str, str]]:
    """The parameters that select, alone: another parameter's refusal cannot hide their own."""
    queries = [(f"{name}=overlong-digits", urlencode({name: "9" * 5000})) for name in SELECTING]
    queries += [(f"{name}=bigint+1", urlencode({name: str(2**63)})) for name in SELECTING]
    queries += [(f"{name}=word", urlencode({name: "abc"})) for name in SELECTING]
    for label in ("far-month", "year-1", "year-10000"):
        queries.append((f"month={label}", urlencode({"month": HOSTILE[label]})))
    return queries


def _queries(role: str) -> list[tuple[str, str]]:
    # The coordinator (widest scope, every page opens) gets the single-parameter strings too.
    return _rotations() + SPECIAL + (_singles() if role == "coord" else [])


@pytest.mark.parametrize("role", ROLES)
def test_hostile_query_strings_never_answer_500(world, db, role, capsys):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(world["users"][role])
    queries = _queries(role)
    failures = []
    seen: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for name in _get_rows():
        url = reverse(name.split("#")[0], kwargs=_kwargs(name, world))
        for label, query in queries[:3] if name in FEW else queries:
            with transaction.atomic():
                response = client.get(f"{url}?{query}")
                transaction.set_rollback(True)
            status = response.status_code
            seen[name][f"{status // 100}xx"].add(status)
            if status >= 500:
                failures.append(f"GET {url}?{query[:80]} as {role} ({label}): {status}")
    assert len(queries) >= len(HOSTILE)
    with capsys.disabled():
        print(f"\n{role}: {len(queries)} query strings × {len(seen)} GET addresses")
        for name in sorted(seen):
            classes = ", ".join(
                f"{cls} {sorted(statuses)}" for cls, statuses in sorted(seen[name].items())
            )
            print(f"  {name}: {classes}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])
    # The hostile strings reached the views: most addresses answered something else than the
    # blanket 400 of the NUL guard (a page, a redirect, a 403/404 of the role's scope).
    reached = [
        name for name in seen if any(status != 400 for s in seen[name].values() for status in s)
    ]
    assert len(reached) > len(seen) // 2, sorted(set(seen) - set(reached))

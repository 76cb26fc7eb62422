"""Where a link use's time goes beyond the floor, in this process and without HTTP (the last part
of ``manage.py bench_invite``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.template.loader import get_template

from devtools.bench_urls import the_two_writes
from invitations.models import ConsentText, JoinRequest
from invitations.selectors import invitation_by_token
from invitations.services import invitation_use


def use_breakdown(
    token: str, invitation_id: int, *, write: Callable[[str], Any], repeat: int = 300
) -> None:
    """The parts of ``POST /invite/<token>/`` beyond the floor, each timed alone in this
    process (median of ``repeat`` calls, milliseconds): the token lookup the view makes (one
    query) split into the database's share (its SQL executed as is) and the ORM's (building the
    query and the objects), the claim and the join request of ``invitation_use`` next to the
    floor's two writes, and the page that follows."""
    captured: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        invitation = invitation_by_token(token, wording=False)
    assert invitation is not None and len(captured) == 1
    sql, params = captured[0]

    def lookup_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    consent = ConsentText.of_link(invitation)
    numbers = iter(range(10**9))

    def use() -> None:
        invitation_use(
            invitation_id=invitation_id,
            full_name=f"Разбор Анна {next(numbers)}",
            child_name="Иван",
            invitation=invitation,
            consent_text=consent,
        )

    def floor() -> None:
        the_two_writes(
            invitation_id=invitation_id,
            school_id=invitation.school_id,
            school_class_id=invitation.school_class_id,
            role=invitation.role,
            full_name=f"Разбор Ольга {next(numbers)}",
            child_name="Иван",
        )

    page = get_template("invitations/public/joined.html")
    join_request = JoinRequest.objects.filter(invitation_id=invitation_id).first()
    parts = {
        "token lookup (invitation_by_token)": lambda: invitation_by_token(token, wording=False),
        "  its SQL alone": lookup_sql,
        "claim + join request (invitation_use)": use,
        "the floor's two writes": floor,
        "the page after a use (joined.html)": lambda: page.render(
            {"invitation": invitation, "join_request": join_request, "again": False}
        ),
    }
    figures = {name: _median_ms(part, repeat) for name, part in parts.items()}
    write(f"where a use's time goes (this process, median of {repeat}, ms):")
    for name, ms in figures.items():
        write(f"  {name:<40}{ms:>7.2f}")
    lookup, lookup_sql_ms, use_ms, floor_ms = (
        figures[name]
        for name in (
            "token lookup (invitation_by_token)",
            "  its SQL alone",
            "claim + join request (invitation_use)",
            "the floor's two writes",
        )
    )
    write(
        f"  the ORM's share of the lookup (building the query and the objects) "
        f"{lookup - lookup_sql_ms:.2f}; "
        f"the use's writes over the floor's {use_ms - floor_ms:.2f}"
    )


def _median_ms(part, repeat: int) -> float:
    for _ in range(10):
        part()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        part()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)

"""The inspector's table: every school × every point of its current order,
worst first, fixed queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.registry import PointStatus

from .board_data import (
    build_gappy_school,
    build_scale_school,
    register_fixed_checks,
)
from .test_dashboard import INSPECTOR_QUERIES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "user_fixture", ["director", "coordinator", "operator", "teacher_5a", "staff_member"]
)
def test_only_the_inspector_sees_the_table(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("board:inspector")).status_code == 403


def test_table_requires_login(client, db):
    assert client.get(reverse("board:inspector")).status_code == 302


def test_table_lists_every_school_worst_first(client, inspector, school, other_school, monkeypatch):
    register_fixed_checks(monkeypatch)
    gappy = build_gappy_school(school, today=timezone.localdate())  # one overdue point
    good = build_scale_school(0)  # every measured point of the fixed kind is done
    client.force_login(inspector)
    response = client.get(reverse("board:inspector"))
    assert response.status_code == 200
    table = response.context["table"]
    # No order entered at all is the worst; then the school with an overdue point;
    # the good one last.
    assert [line["board"].school for line in table] == [other_school, gappy.school, good]
    assert table[1]["counts"][PointStatus.OVERDUE] == 1
    numbers = response.context["numbers"]
    assert numbers.index("3") < numbers.index("3.5") < numbers.index("7.1") < numbers.index("9")
    html = response.content.decode()
    assert reverse("board:board_school", args=[gappy.school.pk]) in html
    assert f'data-school="{other_school.pk}"' in html


def _table_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("board:inspector"))
    assert response.status_code == 200
    return len(queries)


def test_table_queries_are_the_same_for_10_and_40_schools(client, inspector, monkeypatch):
    register_fixed_checks(monkeypatch)
    schools = [build_scale_school(index, classes=1) for index in range(10)]
    client.force_login(inspector)
    client.get(reverse("board:inspector"))
    ten = _table_queries(client)
    schools += [build_scale_school(index, classes=1) for index in range(10, 40)]
    # The first view after new schools computes and stores their standings (board.standings;
    # tests/orders/test_inspector_region.py counts that path at two sizes too).
    client.get(reverse("board:inspector"))
    forty = _table_queries(client)
    assert ten == forty
    assert forty <= INSPECTOR_QUERIES

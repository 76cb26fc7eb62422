"""The inspector's table in a real browser: the school column stays put while the point columns
scroll inside the table; on a phone the page itself never scrolls sideways."""

import pytest
from django.utils import timezone

from tests.orders.board_data import build_gappy_school, build_scale_school, register_fixed_checks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def schools(school, monkeypatch):
    register_fixed_checks(monkeypatch)
    build_gappy_school(school, today=timezone.localdate())
    return [school] + [build_scale_school(index, classes=1) for index in range(3)]


def _school_cell_x(page) -> float:
    return page.locator("tbody .inspector-row th.inspector-table__school").first.bounding_box()["x"]


@pytest.mark.parametrize("page_fixture", ["desktop_page", "phone_page"])
def test_the_school_column_sticks_while_points_scroll(
    request, page_fixture, live_server, login, screenshot, schools, inspector
):
    page = request.getfixturevalue(page_fixture)
    login(page, "inspector")
    page.goto(f"{live_server.url}/orders/inspector/")
    assert page.locator(".inspector-row").count() == len(schools)
    # The page itself does not scroll sideways; the table does, inside its frame.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wrap = page.locator(".inspector-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    before = _school_cell_x(page)
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_timeout(100)
    assert abs(_school_cell_x(page) - before) < 1
    # One symbol per meaning: every code of the legend differs.
    codes = page.locator(".inspector-legend .badge--code").all_inner_texts()
    assert len(codes) == len(set(codes)) == 5
    screenshot(page, f"inspector-{page_fixture}")

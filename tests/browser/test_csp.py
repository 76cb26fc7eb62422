"""The Content-Security-Policy in a real browser: the main screens and Swagger UI run without a
single violation (our own static JS and CSS only, htmx included)."""

import pytest

from staff.roles import Role

from ..factories import OrderFactory, SchoolClassFactory, SchoolFactory, make_user

pytestmark = pytest.mark.browser

SCREENS = [
    "/",
    "/staff/people/",
    "/staff/classes/",
    "/orders/",
    "/orders/board/",
    "/chats/school/",
    "/chats/meetings/",
    "/invitations/",
    "/invitations/new/",
    "/api/docs/",
]


def test_main_screens_run_without_csp_violations(live_server, desktop_page, login, screenshot):
    school = SchoolFactory()
    SchoolClassFactory(school=school, grade=5, letter="А")
    OrderFactory(school=school)
    make_user(school=school, username="coordinator", roles=[Role.COORDINATOR, Role.STAFF])
    violations = []
    desktop_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(desktop_page, "coordinator")

    for path in SCREENS:
        response = desktop_page.goto(f"{live_server.url}{path}")
        desktop_page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path

    desktop_page.wait_for_selector(".swagger-ui .info")  # Swagger UI rendered under the policy
    screenshot(desktop_page, "csp-swagger-ui")
    assert not violations, violations

"""``GET /api/v1/dashboard/`` exactly as API.md says."""

import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from compliance.models import JobRun
from tests.factories import ChatFactory

from .board_data import build_gappy_school, register_fixed_checks

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def gappy(school, monkeypatch):
    register_fixed_checks(monkeypatch)
    return build_gappy_school(school, today=timezone.localdate())


def test_director_gets_the_board_of_their_school(api, gappy, director):
    finished = timezone.now() - datetime.timedelta(minutes=5)
    for name in ("flag_missing_chats", "expire_invitations", "check_deadlines"):
        JobRun.objects.create(
            name=name, started_at=finished, finished_at=finished, status=JobRun.Status.SUCCESS
        )
    api.force_authenticate(director)
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "school",
        "order",
        "classes_total",
        "classes_compliant",
        "invitations",
        "join_requests_pending",
        "findings_open",
        "checked_at",
    }
    assert body["school"] == gappy.school.pk
    assert (body["classes_total"], body["classes_compliant"]) == (3, 1)
    assert body["invitations"] == {"active": 2, "used": 1, "expired": 1, "annulled": 1}
    assert (body["join_requests_pending"], body["findings_open"]) == (2, 3)
    assert datetime.datetime.fromisoformat(body["checked_at"]) == finished
    assert body["checked_at"].endswith("+03:00")  # ISO 8601 with the offset (Europe/Moscow)

    order = body["order"]
    assert set(order) == {"id", "number", "date", "title", "basis", "points"}
    assert (order["id"], order["number"], order["date"]) == (gappy.order.pk, "883", "2025-12-15")
    assert order["basis"] == "Приказ Управления образования от 01.12.2025 № 935"
    points = {point["number"]: point for point in order["points"]}
    assert set(points["1"]) == {
        "id",
        "number",
        "text",
        "deadline",
        "status",
        "figure",
        "responsible",
    }
    assert {number: point["status"] for number, point in points.items()} == {
        "1": "done",
        "2": "overdue",
        "3": "partial",
        "7.1": "not_measured",
        "8": "not_measured",
        "9": "not_done",
    }
    assert points["1"]["figure"] == {"done": 3, "total": 3} and points["7.1"]["figure"] is None
    assert (
        points["2"]["deadline"] == (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    )
    people = gappy.people
    assert points["2"]["responsible"] == [
        {
            "id": people["Горбатенко"].pk,
            "full_name": "Горбатенко Виктория Ивановна",
            "backup": False,
        },
        {"id": people["Костюков"].pk, "full_name": "Костюков Дмитрий Юрьевич", "backup": True},
    ]


def test_token_authentication(api, school, director):
    token = Token.objects.create(user=director)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api.get(URL).json()
    assert body["school"] == school.pk and body["order"] is None and body["checked_at"] is None


def test_no_credentials_is_401(api, school):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize("user_fixture", ["teacher_5a", "staff_member", "web_editor"])
def test_roles_without_a_board_get_403(api, request, user_fixture):
    api.force_authenticate(request.getfixturevalue(user_fixture))
    assert api.get(URL).status_code == 403


@pytest.mark.parametrize("user_fixture", ["coordinator", "operator"])
def test_coordinator_and_operator_get_their_school(api, request, school, user_fixture):
    api.force_authenticate(request.getfixturevalue(user_fixture))
    assert api.get(URL).json()["school"] == school.pk


def test_another_school_is_404(api, director, other_school, school):
    api.force_authenticate(director)
    assert api.get(URL, {"school": other_school.pk}).status_code == 404
    assert api.get(URL, {"school": school.pk}).status_code == 200


def test_inspector_names_the_school(api, inspector, school, other_school):
    api.force_authenticate(inspector)
    missing = api.get(URL)
    assert missing.status_code == 400 and "school" in missing.json()
    assert api.get(URL, {"school": "abc"}).status_code == 400
    assert api.get(URL, {"school": 999999}).status_code == 404
    assert api.get(URL, {"school": other_school.pk}).json()["school"] == other_school.pk


def test_the_schema_documents_the_dashboard(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/dashboard/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["school"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[
        -1
    ]
    component = schema["components"]["schemas"][ref]
    assert set(component["properties"]) == {
        "school",
        "order",
        "classes_total",
        "classes_compliant",
        "invitations",
        "join_requests_pending",
        "findings_open",
        "checked_at",
    }
    schemas = schema["components"]["schemas"]

    def resolve(node):
        while "$ref" in node or "allOf" in node or "oneOf" in node:
            node = (
                node["allOf"][0]
                if "allOf" in node
                else node["oneOf"][0]
                if "oneOf" in node
                else node
            )
            if "$ref" in node:
                node = schemas[node["$ref"].split("/")[-1]]
        return node

    order = resolve(component["properties"]["order"])
    assert set(order["properties"]) == {"id", "number", "date", "title", "basis", "points"}
    point = resolve(order["properties"]["points"]["items"])["properties"]
    assert set(point) == {"id", "number", "text", "deadline", "status", "figure", "responsible"}
    status = resolve(point["status"])
    assert set(status["enum"]) == {"done", "partial", "not_done", "overdue", "not_measured"}


def test_the_api_answers_from_the_boards_kept_figures(api, client, gappy, director, settings):
    """The API dashboard and the HTML board share one kept copy per school: a change shows in
    neither until the copy is recomputed («Пересчитать сейчас» on the board), then in both."""
    settings.BOARD_CACHE_SECONDS = 60
    api.force_authenticate(director)
    client.force_login(director)
    before = api.get(URL).json()["classes_compliant"]
    ChatFactory(school_class=gappy.classes["5Б"], kind="class_students")  # 5Б now has both chats

    assert api.get(URL).json()["classes_compliant"] == before
    assert client.get("/orders/board/?refresh=1").status_code == 200
    assert api.get(URL).json()["classes_compliant"] == before + 1


def test_a_kept_answer_is_not_read_from_the_board_again(api, gappy, director, settings):
    """Once the school's answer is kept, the API reads it by the board's stamp: the board itself
    (a pickle of model instances) is not read, and the answer is the same."""
    settings.BOARD_CACHE_SECONDS = 60
    api.force_authenticate(director)
    first = api.get(URL).json()
    board_key = f"board:figures:{gappy.school.pk}:{timezone.localdate().isoformat()}"
    assert caches["board"].get(board_key) is not None
    caches["board"].delete(board_key)
    assert api.get(URL).json() == first
    assert caches["board"].get(board_key) is None  # answered without computing the board again


def test_another_schools_kept_answer_stays_404(api, director, inspector, other_school, school):
    """The answer kept for a school (here by the inspector's request) is not another director's:
    the school's rule is asked before anything kept is read."""
    api.force_authenticate(inspector)
    assert api.get(URL, {"school": other_school.pk}).status_code == 200
    api.force_authenticate(director)
    assert api.get(URL, {"school": other_school.pk}).status_code == 404


def test_the_api_is_computed_each_time_without_a_cache(api, gappy, director, settings):
    settings.BOARD_CACHE_SECONDS = 0
    api.force_authenticate(director)
    before = api.get(URL).json()["classes_compliant"]
    ChatFactory(school_class=gappy.classes["5Б"], kind="class_students")
    assert api.get(URL).json()["classes_compliant"] == before + 1

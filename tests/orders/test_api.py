"""GET /api/v1/orders/ and /api/v1/orders/{id}/ per API.md «Orders»:
live statuses, scope, schema."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import Responsibility
from orders.services import acknowledgements_distribute
from staff.models import Absence, SchoolClass
from tests.factories import OrderFactory, PersonFactory, SchoolClassFactory

from .conftest import add_point, days, name

pytestmark = pytest.mark.django_db

ORDER_FIELDS = {"id", "number", "date", "title", "basis", "points"}
POINT_FIELDS = {"id", "number", "text", "deadline", "status", "figure", "responsible"}


def api(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
    return client


@pytest.fixture
def order_883(order, school, today):
    coordinator = PersonFactory(school=school, full_name="Горбатенко Вера Ивановна")
    engineer = PersonFactory(school=school, full_name="Костюков Дмитрий Юрьевич")
    point_2 = add_point(order, "2", "person_in_charge_today")
    name(point_2, coordinator)
    name(point_2, engineer, Responsibility.Role.BACKUP)
    point_35 = add_point(order, "3.5", "classes_have_teacher")
    name(point_35, engineer)
    SchoolClassFactory(school=school, class_teacher=engineer)
    SchoolClassFactory(school=school)
    add_point(order, "8", "regulation_published", deadline=today - days(1))
    add_point(order, "9")
    return order


def test_order_detail_has_exactly_the_documented_fields(director, order_883, today):
    response = api(director).get(f"/api/v1/orders/{order_883.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == ORDER_FIELDS
    assert (data["number"], data["date"]) == ("883", "2025-12-15")
    points = {p["number"]: p for p in data["points"]}
    assert all(set(p) == POINT_FIELDS for p in data["points"])
    assert list(points) == ["2", "3.5", "8", "9"]
    assert points["2"]["status"] == "done" and points["2"]["figure"] == {"done": 2, "total": 2}
    assert points["2"]["responsible"] == [
        {
            "id": points["2"]["responsible"][0]["id"],
            "full_name": "Горбатенко Вера Ивановна",
            "backup": False,
        },
        {
            "id": points["2"]["responsible"][1]["id"],
            "full_name": "Костюков Дмитрий Юрьевич",
            "backup": True,
        },
    ]
    assert points["3.5"] == {
        **points["3.5"],
        "status": "partial",
        "figure": {"done": 1, "total": 2},
        "deadline": None,
    }
    assert (
        points["8"]["status"] == "overdue"
        and points["8"]["deadline"] == (today - days(1)).isoformat()
    )
    assert points["9"]["status"] == "not_measured" and points["9"]["figure"] is None


def test_statuses_are_live(director, order_883, school):
    SchoolClass.objects.filter(school=school).update(class_teacher=PersonFactory(school=school))
    point = api(director).get(f"/api/v1/orders/{order_883.pk}/").json()["points"][1]
    assert (point["number"], point["status"], point["figure"]) == (
        "3.5",
        "done",
        {"done": 2, "total": 2},
    )


def test_absence_of_both_makes_point_2_not_done(director, order_883, today):
    for responsibility in order_883.points.get(number="2").responsibilities.all():
        Absence.objects.create(person=responsibility.person, starts_on=today, ends_on=today)
    point = api(director).get(f"/api/v1/orders/{order_883.pk}/").json()["points"][0]
    assert (point["status"], point["figure"]) == (
        "not_done",
        {"done": 0, "total": 2},
    )  # 3.5's engineer is away too


def test_list_is_paginated_and_scoped(
    director, order_883, other_school, school, django_assert_max_num_queries
):
    OrderFactory(school=other_school, number="777")
    for index in range(5):
        add_point(OrderFactory(school=school, number=str(index)), "1", "regulation_attached")
    client = api(director)
    with django_assert_max_num_queries(14):
        response = client.get("/api/v1/orders/")
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 6 and "777" not in [o["number"] for o in data["results"]]
    assert all(set(o) == ORDER_FIELDS for o in data["results"])


def test_the_inspector_reads_every_school(inspector, order_883, other_school):
    OrderFactory(school=other_school, number="777")
    numbers = [o["number"] for o in api(inspector).get("/api/v1/orders/").json()["results"]]
    assert {"883", "777"} <= set(numbers)


def test_another_schools_order_is_404(other_director, order_883):
    assert api(other_director).get(f"/api/v1/orders/{order_883.pk}/").status_code == 404


def test_no_credentials_is_401(order_883):
    assert api().get("/api/v1/orders/").status_code == 401
    assert api().get(f"/api/v1/orders/{order_883.pk}/").status_code == 401


def test_staff_read_the_orders_sent_to_them(staff_member, order_883):
    assert api(staff_member).get("/api/v1/orders/").json()["count"] == 0
    assert api(staff_member).get(f"/api/v1/orders/{order_883.pk}/").status_code == 404
    acknowledgements_distribute(order=order_883)
    assert api(staff_member).get(f"/api/v1/orders/{order_883.pk}/").status_code == 200


def test_read_only(coordinator, order_883):
    client = api(coordinator)
    assert client.post("/api/v1/orders/", {"number": "1"}).status_code == 405
    assert client.patch(f"/api/v1/orders/{order_883.pk}/", {"title": "x"}).status_code == 405


def test_schema_documents_the_orders_resource(client):
    import yaml

    schema = yaml.safe_load(client.get(reverse("api-schema")).content)
    assert "/api/v1/orders/" in schema["paths"] and "/api/v1/orders/{id}/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert set(components["Order"]["properties"]) == ORDER_FIELDS
    point = components["Point"]["properties"]
    assert set(point) == POINT_FIELDS
    status_ref = point["status"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[status_ref]["enum"]) == {
        "done",
        "partial",
        "not_done",
        "overdue",
        "not_measured",
    }
    assert (
        components["Point"]["properties"]["figure"].get("nullable")
        or "oneOf" in components["Point"]["properties"]["figure"]
        or "allOf" in components["Point"]["properties"]["figure"]
    )

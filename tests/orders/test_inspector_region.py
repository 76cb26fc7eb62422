"""Municipalities and the region: a municipal inspector reads only the schools of their
municipality (another's: 404, API and pages alike), a regional inspector reads every municipality,
grouped; the table is paginated and sortable in a fixed number of queries whatever the number of
schools; the department adds a school whose order is made from its order № 935."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from board.inspector_views import SCHOOLS_PER_PAGE
from compliance.models import DashboardSnapshot
from orders.models import Order, OrderTemplate, OrderTemplatePoint
from staff.models import Inspector, Person, School
from staff.roles import Role
from staff.services import municipality_named

from ..factories import UserFactory
from .board_data import build_scale_school, register_fixed_checks

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def _inspector(username, municipality=None):
    user = UserFactory(username=username, roles=[Role.INSPECTOR])
    Inspector.objects.create(user=user, municipality=municipality)
    return user


def _schools_in(municipality, count, start=0, classes=1):
    schools = [build_scale_school(start + index, classes=classes) for index in range(count)]
    School.objects.filter(pk__in=[s.pk for s in schools]).update(municipality=municipality)
    return schools


@pytest.fixture
def region(monkeypatch):
    register_fixed_checks(monkeypatch)
    syktyvkar = municipality_named("МО ГО «Сыктывкар»")
    ukhta = municipality_named("МО ГО «Ухта»")
    return {
        "syktyvkar": syktyvkar,
        "ukhta": ukhta,
        "ours": _schools_in(syktyvkar, 2),
        "theirs": _schools_in(ukhta, 2, start=2),
    }


PAGES = [
    ("board:board_school", True),
    ("board:drilldown_school", True),
]


def test_a_municipal_inspector_reads_only_their_municipality(client, region):
    inspector = _inspector("insp_syk", region["syktyvkar"])
    client.force_login(inspector)
    table = client.get(reverse("board:inspector"))
    assert table.status_code == 200
    shown = {line["board"].school for line in table.context["table"]}
    assert shown == set(region["ours"])
    ours, theirs = region["ours"][0], region["theirs"][0]
    for name, _takes_id in PAGES:
        assert client.get(reverse(name, args=[ours.pk])).status_code == 200
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.get(reverse("board:board") + f"?school={theirs.pk}").status_code == 404
    assert (
        client.get(reverse("board:board_export_school", args=[theirs.pk, "xlsx"])).status_code
        == 404
    )
    assert client.get(reverse("chats:school_matrix") + f"?school={theirs.pk}").status_code in (
        403,
        404,
    )


def test_a_municipal_inspector_gets_404_from_the_api_for_another_municipality(client, region):
    inspector = _inspector("insp_api", region["syktyvkar"])
    token = Token.objects.create(user=inspector)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    ours, theirs = region["ours"][0], region["theirs"][0]
    assert client.get(f"/api/v1/dashboard/?school={ours.pk}", **auth).status_code == 200
    assert client.get(f"/api/v1/dashboard/?school={theirs.pk}", **auth).status_code == 404
    theirs_order = Order.objects.get(school=theirs)
    assert client.get(f"/api/v1/orders/{theirs_order.pk}/", **auth).status_code == 404
    listed = client.get("/api/v1/orders/", **auth).json()
    assert {item["id"] for item in listed["results"]} == set(
        Order.objects.filter(school__in=region["ours"]).values_list("pk", flat=True)
    )


def test_the_regional_inspector_sees_every_municipality_grouped(client, region):
    regional = _inspector("insp_region")  # an Inspector record without a municipality
    client.force_login(regional)
    response = client.get(reverse("board:inspector"))
    assert response.status_code == 200
    assert response.context["sort"] == "municipality"
    summaries = {m.name: m.schools for m in response.context["municipalities"]}
    assert summaries == {"МО ГО «Сыктывкар»": 2, "МО ГО «Ухта»": 2}
    groups = [line["group"] for line in response.context["table"] if line["group"]]
    assert groups == ["МО ГО «Сыктывкар»", "МО ГО «Ухта»"]
    names = [line["board"].school.municipality.name for line in response.context["table"]]
    assert names == sorted(names)
    html = response.content.decode()
    assert 'class="inspector-group"' in html and "Муниципалитеты" in html


def test_the_demo_inspector_without_a_record_still_reads_every_school(client, region, inspector):
    client.force_login(inspector)
    response = client.get(reverse("board:inspector"))
    assert len(response.context["table"]) == 4


def test_sorting_by_lag_and_by_municipality(client, region):
    ukhta_lagging = region["theirs"][0]
    Order.objects.filter(school=ukhta_lagging).delete()  # no order at all: the worst
    client.force_login(_inspector("insp_sort"))
    by_lag = client.get(reverse("board:inspector") + "?sort=lag").context["table"]
    assert by_lag[0]["board"].school == ukhta_lagging
    by_municipality = client.get(reverse("board:inspector") + "?sort=municipality").context["table"]
    assert [line["board"].school.municipality.name for line in by_municipality][:2] == [
        "МО ГО «Сыктывкар»"
    ] * 2
    by_name = client.get(reverse("board:inspector") + "?sort=name").context["table"]
    names = [line["board"].school.short_name for line in by_name]
    assert names == sorted(names)
    assert client.get(reverse("board:inspector") + "?sort=bogus").status_code == 200


def _count(client, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


@pytest.mark.parametrize("extra", [5, 30])
def test_pagination_and_queries_at_two_sizes(client, region, django_assert_max_num_queries, extra):
    """Stale standings (first view) and stored ones: at most 20 queries, with 4 + 5 or 4 + 30
    schools alike; pages of 25 schools."""
    _schools_in(region["ukhta"], extra, start=10)
    total = 4 + extra
    client.force_login(_inspector("insp_pages"))
    url = reverse("board:inspector") + "?sort=lag"
    first, stale_queries = _count(client, django_assert_max_num_queries, url)
    assert DashboardSnapshot.objects.count() == total  # the standings are stored
    again, fresh_queries = _count(client, django_assert_max_num_queries, url)
    assert fresh_queries <= stale_queries
    assert len(again.context["table"]) == min(total, SCHOOLS_PER_PAGE)
    assert (
        again.context["page"].paginator.num_pages
        == (total + SCHOOLS_PER_PAGE - 1) // SCHOOLS_PER_PAGE
    )
    if total > SCHOOLS_PER_PAGE:
        last, _n = _count(client, django_assert_max_num_queries, url + "&page=2")
        assert len(last.context["table"]) == total - SCHOOLS_PER_PAGE
        seen = {line["board"].school.pk for line in again.context["table"]}
        assert seen.isdisjoint({line["board"].school.pk for line in last.context["table"]})
        assert 'rel="next"' in again.content.decode()


# --- The department adds a school from its order № 935 ------------------------------------------


@pytest.fixture
def template(region):
    template = OrderTemplate.objects.create(
        municipality=region["syktyvkar"],
        number="935",
        date=datetime.date(2025, 12, 1),
        issuer="Управления образования администрации МО ГО «Сыктывкар»",
        title="Об использовании платформы «Сферум»",
    )
    OrderTemplatePoint.objects.create(
        template=template,
        number="1",
        position=1,
        text="Утвердить положение в {школа}.",
        check_key="regulation_attached",
    )
    OrderTemplatePoint.objects.create(
        template=template,
        number="8",
        position=2,
        text="Разместить положение на сайте.",
        check_key="regulation_published",
        deadline_days=10,
    )
    return template


def test_the_department_adds_a_school_from_its_template(client, region, template):
    department = _inspector("insp_dept", region["syktyvkar"])
    client.force_login(department)
    url = reverse("staff:school_add")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "municipality": region["syktyvkar"].pk,
            "name": "МАОУ «СОШ № 40»",
            "short_name": "СОШ № 40",
            "director_full_name": "Кузьмина Анна Петровна",
            "director_username": "director40",
            "template": template.pk,
            "order_number": "77-од",
            "order_date": "2026-01-12",
        },
    )
    assert response.status_code == 302
    school = School.objects.get(short_name="СОШ № 40")
    assert school.municipality == region["syktyvkar"]
    director = Person.objects.get(school=school)
    assert director.full_name == "Кузьмина Анна Петровна"
    assert director.user.username == "director40" and not director.user.has_usable_password()
    assert director.user.groups.filter(name=Role.DIRECTOR).exists()
    order = Order.objects.get(school=school)
    assert (order.number, order.date, order.signed_by) == (
        "77-од",
        datetime.date(2026, 1, 12),
        director,
    )
    assert "№ 935" in order.basis or "935" in order.basis
    points = list(order.points.order_by("position"))
    assert [(p.number, p.check_key) for p in points] == [
        ("1", "regulation_attached"),
        ("8", "regulation_published"),
    ]
    assert points[0].text == "Утвердить положение в МАОУ «СОШ № 40»."
    assert points[1].deadline == datetime.date(2026, 1, 22)
    assert points[0].deadline is None
    # The new school is on the inspector's board.
    assert client.get(reverse("board:board_school", args=[school.pk])).status_code == 200


def test_adding_a_school_twice_or_with_a_taken_login_is_refused(client, region, template):
    UserFactory(username="taken")
    client.force_login(_inspector("insp_dept2", region["syktyvkar"]))
    data = {
        "municipality": region["syktyvkar"].pk,
        "name": region["ours"][0].name,
        "short_name": "x",
        "director_full_name": "Иванов Иван Иванович",
        "director_username": "taken",
        "template": template.pk,
        "order_number": "1",
        "order_date": "2026-01-12",
    }
    response = client.post(reverse("staff:school_add"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "name" in errors and "director_username" in errors
    assert School.objects.filter(name=data["name"]).count() == 1


def test_a_municipal_inspector_cannot_add_to_another_municipality(client, region, template):
    client.force_login(_inspector("insp_dept3", region["ukhta"]))
    response = client.post(
        reverse("staff:school_add"),
        {
            "municipality": region["syktyvkar"].pk,
            "name": "Школа",
            "short_name": "Школа",
            "director_full_name": "Иванов Иван Иванович",
            "template": template.pk,
            "order_number": "1",
            "order_date": "2026-01-12",
        },
    )
    assert response.status_code == 400
    assert not School.objects.filter(name="Школа").exists()


@pytest.mark.parametrize("user_fixture", ["director", "coordinator", "teacher_5a"])
def test_school_staff_cannot_add_schools(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("staff:school_add")).status_code == 403


def test_the_inspector_home_page_is_about_schools(client, region):
    user = _inspector("insp_home", region["syktyvkar"])
    user.first_name, user.last_name = "Ольга Николаевна", "Вежева"
    user.save()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Здравствуйте, Ольга Николаевна!" in html
    assert "insp_home" not in html.split("<main", 1)[-1]
    assert "ваши обязанности" not in html
    assert "Школ: 2" in html
    assert "МО ГО «Сыктывкар»" in html

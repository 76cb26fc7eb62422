"""API.md: Invitations and Join requests — fields, filters, bad input, 409s and rights per role."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from invitations.models import Invitation
from tests.factories import InvitationFactory, JoinRequestFactory, SchoolClassFactory

from .conftest import PLATFORM_URL

pytestmark = pytest.mark.django_db

LIST = "/api/v1/invitations/"
JOIN = "/api/v1/join-requests/"
FIELDS = {
    "id",
    "school_class",
    "role",
    "max_uses",
    "uses",
    "expires_at",
    "status",
    "link",
    "platform_url",
    "created_by",
    "created_at",
    "annulled_at",
    "annul_reason",
}
JOIN_FIELDS = {
    "id",
    "invitation",
    "role",
    "school_class",
    "full_name",
    "child_name",
    "status",
    "created_at",
    "reviewed_by",
    "reviewed_at",
    "reason",
}


def future(days=3):
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


# --- Invitations: reading -------------------------------------------------------------------------


def test_operator_lists_the_links_of_their_school_only(
    api, operator, link_5a, link_5b, teacher_link, other_school_link
):
    response = api(operator).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert {row["id"] for row in body["results"]} == {link_5a.pk, link_5b.pk, teacher_link.pk}
    row = next(row for row in body["results"] if row["id"] == link_5a.pk)
    assert FIELDS <= set(row)
    assert row["link"] == f"{settings.PORTAL_BASE_URL}/invite/{link_5a.token}/"
    assert row["school_class"] == link_5a.school_class_id and row["role"] == "parent"
    assert row["created_by"] == operator.pk and row["status"] == "active" and row["uses"] == 0


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=active", {"link_5a", "teacher_link"}),
        ("status=annulled", {"link_5b"}),
        ("role=teacher", {"teacher_link"}),
        ("school_class={class_5a}", {"link_5a"}),
    ],
)
def test_filters(api, operator, link_5a, link_5b, teacher_link, class_5a, query, expected):
    Invitation.objects.filter(pk=link_5b.pk).update(
        status=Invitation.Status.ANNULLED, annulled_at=timezone.now()
    )
    names = {link_5a.pk: "link_5a", link_5b.pk: "link_5b", teacher_link.pk: "teacher_link"}
    response = api(operator).get(f"{LIST}?{query.format(class_5a=class_5a.pk)}")
    assert response.status_code == 200
    assert {names[row["id"]] for row in response.json()["results"]} == expected


@pytest.mark.parametrize(
    "query, field",
    [("status=lost", "status"), ("role=hacker", "role"), ("school_class=abc", "school_class")],
)
def test_bad_filters_are_400(api, operator, query, field):
    response = api(operator).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_detail_and_other_schools_link_is_404(api, operator, link_5a, other_school_link):
    assert api(operator).get(f"{LIST}{link_5a.pk}/").json()["id"] == link_5a.pk
    assert api(operator).get(f"{LIST}{other_school_link.pk}/").status_code == 404
    assert api(operator).post(f"{LIST}{other_school_link.pk}/annul/").status_code == 404


def test_list_query_count_does_not_grow_with_rows(
    api, operator, class_5a, django_assert_max_num_queries
):
    client = api(operator)
    InvitationFactory.create_batch(5, school_class=class_5a, created_by=operator)
    with django_assert_max_num_queries(6) as five:
        assert len(client.get(LIST).json()["results"]) == 5
    InvitationFactory.create_batch(45, school_class=class_5a, created_by=operator)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert len(client.get(LIST).json()["results"]) == 50


# --- Invitations: creating ------------------------------------------------------------------------


def test_operator_creates_a_parent_link_with_defaults(api, operator, class_5a, school):
    response = api(operator).post(
        LIST,
        {"role": "parent", "school_class": class_5a.pk, "platform_url": PLATFORM_URL},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["max_uses"] == 1 and body["uses"] == 0 and body["status"] == "active"
    invitation = Invitation.objects.get(pk=body["id"])
    assert body["link"] == f"{settings.PORTAL_BASE_URL}/invite/{invitation.token}/"
    assert len(invitation.token) >= 22  # ≥ 128 bits, URL-safe
    term = invitation.expires_at - invitation.created_at
    assert abs(term - datetime.timedelta(days=school.invitation_term_days)) < datetime.timedelta(
        minutes=1
    )
    assert invitation.school == school and invitation.created_by == operator


def test_operator_creates_a_teacher_link_with_term_and_uses(api, operator, school):
    expires = future(5)
    response = api(operator).post(
        LIST,
        {"role": "teacher", "platform_url": PLATFORM_URL, "max_uses": 30, "expires_at": expires},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["school_class"] is None and response.json()["max_uses"] == 30


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"role": "parent", "school_class": "{class_5a}", "max_uses": 0}, "max_uses"),
        ({"role": "parent", "school_class": "{class_5a}", "max_uses": -1}, "max_uses"),
        ({"role": "parent", "school_class": "{class_5a}", "max_uses": "abc"}, "max_uses"),
        ({"role": "parent", "school_class": "{class_5a}", "max_uses": 10**12}, "max_uses"),
        (
            {
                "role": "parent",
                "school_class": "{class_5a}",
                "expires_at": "2020-01-01T00:00:00+03:00",
            },
            "expires_at",
        ),
        ({"role": "parent", "school_class": "{class_5a}", "expires_at": "завтра"}, "expires_at"),
        ({"role": "student"}, "school_class"),
        ({"role": "parent", "school_class": None}, "school_class"),
        ({"role": "teacher", "school_class": "{class_5a}"}, "school_class"),
        ({"role": "staff", "school_class": "{class_5a}"}, "school_class"),
        ({"role": "director"}, "role"),
        ({"school_class": "{class_5a}"}, "role"),
        (
            {"role": "parent", "school_class": "{class_5a}", "platform_url": "http://sferum.ru/x"},
            "platform_url",
        ),
        (
            {"role": "parent", "school_class": "{class_5a}", "platform_url": "javascript:alert(1)"},
            "platform_url",
        ),
        ({"role": "parent", "school_class": "{class_5a}", "platform_url": ""}, "platform_url"),
        ({"role": "parent", "school_class": "{other_class}"}, "school_class"),
        ({"role": "parent", "school_class": 999999}, "school_class"),
        ({"role": "parent", "school_class": "{archived_class}"}, "school_class"),
    ],
)
def test_bad_input_is_400_and_nothing_is_written(
    api, operator, class_5a, other_school_class, school, payload, field
):
    archived = SchoolClassFactory(school=school, grade=9, letter="Я", status="archived")
    ids = {
        "{class_5a}": class_5a.pk,
        "{other_class}": other_school_class.pk,
        "{archived_class}": archived.pk,
    }
    data = {
        "platform_url": PLATFORM_URL,
        **{k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()},
    }
    response = api(operator).post(LIST, data, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert all(isinstance(message, str) for message in response.json()[field])
    assert not Invitation.objects.exists()


# --- Invitations: annulling -----------------------------------------------------------------------


def test_annul_then_409(api, operator, link_5a):
    client = api(operator)
    response = client.post(
        f"{LIST}{link_5a.pk}/annul/", {"reason": "Отправлена не тому"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["status"] == "annulled"
        and body["annul_reason"] == "Отправлена не тому"
        and body["annulled_at"]
    )
    link_5a.refresh_from_db()
    assert link_5a.annulled_by == operator
    assert client.post(f"{LIST}{link_5a.pk}/annul/", format="json").status_code == 409


def test_annul_without_reason_records_a_default(api, operator, link_5a):
    response = api(operator).post(f"{LIST}{link_5a.pk}/annul/")
    assert response.status_code == 200 and response.json()["annul_reason"]


@pytest.mark.parametrize("status", ["used", "expired"])
def test_annul_of_a_used_or_expired_link_is_409(api, operator, class_5a, status):
    invitation = InvitationFactory(
        school_class=class_5a,
        status=status,
        uses=1,
        max_uses=1,
        annulled_at=timezone.now() if status == "expired" else None,
    )
    assert api(operator).post(f"{LIST}{invitation.pk}/annul/").status_code == 409


# --- Rights per role ------------------------------------------------------------------------------


def test_anonymous_is_401(api, link_5a):
    assert api().get(LIST).status_code == 401
    assert api().post(LIST, {}).status_code == 401
    assert api().get(JOIN).status_code == 401


@pytest.mark.parametrize("who", ["inspector", "staff_member", "web_editor"])
def test_roles_without_access_get_403(request, api, link_5a, who):
    client = api(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{link_5a.pk}/").status_code == 403
    assert (
        client.post(
            LIST, {"role": "teacher", "platform_url": PLATFORM_URL}, format="json"
        ).status_code
        == 403
    )
    assert client.post(f"{LIST}{link_5a.pk}/annul/").status_code == 403
    assert client.get(JOIN).status_code == 403
    assert not Invitation.objects.exclude(pk=link_5a.pk).exists()


def test_director_reads_but_cannot_act(api, director, link_5a, class_5a):
    client = api(director)
    assert client.get(LIST).json()["count"] == 1
    assert client.get(f"{LIST}{link_5a.pk}/").status_code == 200
    response = client.post(
        LIST,
        {"role": "parent", "school_class": class_5a.pk, "platform_url": PLATFORM_URL},
        format="json",
    )
    assert response.status_code == 403
    assert client.post(f"{LIST}{link_5a.pk}/annul/").status_code == 403
    request_ = JoinRequestFactory(invitation=link_5a)
    assert client.get(JOIN).json()["count"] == 1
    assert client.post(f"{JOIN}{request_.pk}/approve/").status_code == 403
    assert client.post(f"{JOIN}{request_.pk}/reject/").status_code == 403
    assert Invitation.objects.count() == 1
    link_5a.refresh_from_db()
    assert link_5a.status == "active"


def test_coordinator_has_the_operators_rights(api, coordinator, link_5a, class_5a):
    client = api(coordinator)
    assert client.get(LIST).json()["count"] == 1
    response = client.post(LIST, {"role": "staff", "platform_url": PLATFORM_URL}, format="json")
    assert response.status_code == 201
    assert client.post(f"{LIST}{link_5a.pk}/annul/").status_code == 200


def test_other_schools_director_sees_nothing_of_ours(api, other_director, link_5a):
    client = api(other_director)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(f"{LIST}{link_5a.pk}/").status_code == 404


def test_class_teacher_sees_and_issues_only_for_own_class(
    api, teacher_5a, link_5a, link_5b, teacher_link, class_5a, class_5b
):
    client = api(teacher_5a)
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [link_5a.pk]
    assert client.get(f"{LIST}{link_5b.pk}/").status_code == 404
    assert client.get(f"{LIST}{teacher_link.pk}/").status_code == 404
    assert client.post(f"{LIST}{link_5b.pk}/annul/").status_code == 404

    for role in ("student", "parent"):
        response = client.post(
            LIST,
            {"role": role, "school_class": class_5a.pk, "platform_url": PLATFORM_URL},
            format="json",
        )
        assert response.status_code == 201, response.json()
    before = Invitation.objects.count()
    response = client.post(
        LIST,
        {"role": "parent", "school_class": class_5b.pk, "platform_url": PLATFORM_URL},
        format="json",
    )
    assert response.status_code == 400 and "school_class" in response.json()
    for role in ("teacher", "staff"):
        response = client.post(LIST, {"role": role, "platform_url": PLATFORM_URL}, format="json")
        assert response.status_code == 403
    assert Invitation.objects.count() == before
    assert client.post(f"{LIST}{link_5a.pk}/annul/").status_code == 200


def test_a_former_class_teacher_loses_access(api, teacher_5a, class_5a, link_5a):
    from roster.services import class_teacher_assign

    class_teacher_assign(school_class=class_5a, person=None)
    assert api(teacher_5a).get(LIST).status_code == 403


# --- Join requests --------------------------------------------------------------------------------


def test_join_request_list_fields_and_pending_filter(api, operator, link_5a, meeting_link_5a):
    pending = JoinRequestFactory(invitation=meeting_link_5a, full_name="Иванова Ольга")
    done = JoinRequestFactory(
        invitation=meeting_link_5a, status="approved", reviewed_at=timezone.now()
    )
    body = api(operator).get(f"{JOIN}?status=pending").json()
    assert [row["id"] for row in body["results"]] == [pending.pk]
    row = body["results"][0]
    assert JOIN_FIELDS <= set(row)
    assert row["invitation"] == meeting_link_5a.pk and row["full_name"] == "Иванова Ольга"
    assert {row["id"] for row in api(operator).get(JOIN).json()["results"]} == {pending.pk, done.pk}
    assert api(operator).get(f"{JOIN}?status=maybe").status_code == 400


def test_approve_and_reject_then_409(api, operator, meeting_link_5a):
    first, second = JoinRequestFactory.create_batch(2, invitation=meeting_link_5a)
    client = api(operator)
    response = client.post(f"{JOIN}{first.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["reviewed_by"] == operator.pk
    assert response.json()["reviewed_at"]
    response = client.post(
        f"{JOIN}{second.pk}/reject/", {"reason": "Не родитель этого класса"}, format="json"
    )
    assert response.status_code == 200
    assert (
        response.json()["status"] == "rejected"
        and response.json()["reason"] == "Не родитель этого класса"
    )
    for request_, action in (
        (first, "approve"),
        (first, "reject"),
        (second, "approve"),
        (second, "reject"),
    ):
        assert client.post(f"{JOIN}{request_.pk}/{action}/").status_code == 409
    first.refresh_from_db()
    assert first.status == "approved"


def test_class_teacher_reviews_only_own_class(api, teacher_5a, link_5a, link_5b, teacher_link):
    own = JoinRequestFactory(invitation=link_5a)
    foreign = JoinRequestFactory(invitation=link_5b, child_name="")
    school_wide = JoinRequestFactory(invitation=teacher_link, child_name="")
    client = api(teacher_5a)
    assert [row["id"] for row in client.get(JOIN).json()["results"]] == [own.pk]
    assert client.post(f"{JOIN}{foreign.pk}/approve/").status_code == 404
    assert client.post(f"{JOIN}{school_wide.pk}/reject/").status_code == 404
    assert client.post(f"{JOIN}{own.pk}/approve/").status_code == 200
    foreign.refresh_from_db()
    assert foreign.status == "pending"


def test_other_schools_requests_are_404(api, operator, other_school_link):
    foreign = JoinRequestFactory(invitation=other_school_link)
    assert api(operator).post(f"{JOIN}{foreign.pk}/approve/").status_code == 404
    assert api(operator).get(f"{JOIN}{foreign.pk}/").status_code == 404


def test_join_request_list_query_count(
    api, operator, meeting_link_5a, django_assert_max_num_queries
):
    client = api(operator)
    JoinRequestFactory.create_batch(5, invitation=meeting_link_5a)
    with django_assert_max_num_queries(6) as five:
        assert len(client.get(JOIN).json()["results"]) == 5
    JoinRequestFactory.create_batch(35, invitation=meeting_link_5a)
    more = InvitationFactory(school_class=meeting_link_5a.school_class, max_uses=40)
    JoinRequestFactory.create_batch(10, invitation=more)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert len(client.get(JOIN).json()["results"]) == 50


def test_names_come_back_as_data_not_markup(api, operator, meeting_link_5a):
    JoinRequestFactory(invitation=meeting_link_5a, full_name="<script>alert(1)</script>")
    response = api(operator).get(JOIN)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["results"][0]["full_name"] == "<script>alert(1)</script>"


def test_schema_lists_the_endpoints_and_validates(api, operator):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    for path in (
        "/api/v1/invitations/",
        "/api/v1/invitations/{id}/",
        "/api/v1/invitations/{id}/annul/",
        "/api/v1/join-requests/",
        "/api/v1/join-requests/{id}/approve/",
        "/api/v1/join-requests/{id}/reject/",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/invitations/{id}/annul/"]["post"]["responses"]
    params = {p["name"] for p in paths["/api/v1/invitations/"]["get"]["parameters"]}
    assert {"status", "role", "school_class", "page"} <= params
    invitation = schema["components"]["schemas"]["Invitation"]["properties"]
    assert FIELDS <= set(invitation)
    assert api(operator).get("/api/schema/").status_code == 200

"""The order screens: the page of an order with its points,
creating and editing, rights per role."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import (
    Order,
    OrderEvent,
    OrderPoint,
    PointEvidence,
    Responsibility,
)
from orders.services import acknowledgements_distribute
from staff.models import Absence, StatusConfirmation
from tests.factories import OrderFactory, PersonFactory, SchoolClassFactory, SchoolFactory

from .conftest import add_point, days, name

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def pdf(name="order.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def bind_883(order, *, today):
    """The measurable points of order No. 883 that this app and staff register checks for."""
    return {
        "1": add_point(order, "1", "regulation_attached"),
        "2": add_point(order, "2", "person_in_charge_today"),
        "3.5": add_point(order, "3.5", "classes_have_teacher"),
        "3.9": add_point(order, "3.9", "staff_status_confirmed"),
        "4": add_point(order, "4", "class_chats_not_registered_here"),
        "7.2": add_point(order, "7.2", "teachers_trained"),
        "8": add_point(order, "8", "regulation_published", deadline=today - days(1)),
        "9": add_point(order, "9"),
        "10": add_point(order, "10", "order_acknowledged"),
    }


def fill_school(school, order, *, size):
    """``size`` classes, teachers and staff records for the school, named on the points."""
    teachers = [PersonFactory(school=school) for _ in range(size)]
    for index, teacher in enumerate(teachers):
        SchoolClassFactory(school=school, grade=1 + index % 11, class_teacher=teacher)
        StatusConfirmation.objects.create(
            person=teacher, status="teacher", confirmed_on=datetime.date(2026, 1, 10)
        )
    for point in order.points.all():
        name(point, teachers[0])
        name(
            point,
            teachers[1 % size] if size > 1 else PersonFactory(school=school),
            Responsibility.Role.BACKUP,
        )
    acknowledgements_distribute(order=order)
    return teachers


class TestOrderPage:
    def test_every_point_with_status_figure_people_and_link(
        self, client, coordinator, school, order, today
    ):
        points = bind_883(order, today=today)
        teachers = fill_school(school, order, size=3)
        SchoolClassFactory(school=school, grade=11, letter="Я")  # no class teacher: 3 of 4
        Absence.objects.create(person=teachers[0], starts_on=today, ends_on=today + days(2))
        client.force_login(coordinator)
        response = client.get(reverse("orders:detail", args=[order.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('class="point card') == len(points)
        assert 'data-status="partial"' in html and "3 из 4" in html
        assert reverse("staff:classes") + "?without_teacher=1" in html
        assert 'data-status="not_measured"' in html  # point 4: its check is not registered
        assert 'data-status="overdue"' in html  # point 8 past its deadline, not published
        assert "постоянно" in html
        assert teachers[1].full_name in html and "замещает" in html  # the backup answers today
        assert "отсутствует" in html

    def test_history_and_evidence_are_shown(self, client, coordinator, order):
        point = add_point(order, "9")
        PointEvidence.objects.create(
            point=point, url="https://school.example/report", comment="Отчёт", added_by=coordinator
        )
        OrderEvent.objects.create(
            order=order,
            point=point,
            kind=OrderEvent.Kind.POINT_CHANGED,
            message="срок",
            actor=coordinator,
        )
        client.force_login(coordinator)
        html = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
        assert "https://school.example/report" in html and "Отчёт" in html
        assert "пункт изменён: срок" in html

    def test_query_count_is_the_same_for_one_and_ten_schools(
        self, client, coordinator, school, order, today
    ):
        bind_883(order, today=today)
        fill_school(school, order, size=2)

        def count():
            client.force_login(coordinator)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
            return len(queries)

        one_school = count()
        # Nine more schools with their own orders and people, and a larger school of our own.
        for index in range(9):
            other = SchoolFactory()
            other_order = OrderFactory(school=other, number=str(900 + index))
            bind_883(other_order, today=today)
            fill_school(other, other_order, size=4)
        fill_school(
            school, OrderFactory(school=school, number="884"), size=6
        )  # and more of our own
        assert count() == one_school, one_school

    def test_query_count_bounded(
        self, client, coordinator, school, order, today, django_assert_max_num_queries
    ):
        bind_883(order, today=today)
        fill_school(school, order, size=5)
        client.force_login(coordinator)
        with django_assert_max_num_queries(30):
            client.get(reverse("orders:detail", args=[order.pk]))


class TestVisibility:
    @pytest.mark.parametrize(
        "who, status",
        [
            ("coordinator", 200),
            ("director", 200),
            ("operator", 200),
            ("inspector", 200),
            ("other_director", 404),
            ("staff_member", 404),
        ],
    )
    def test_who_reads_an_order(self, request, client, order, who, status):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("orders:detail", args=[order.pk])).status_code == status

    def test_staff_read_the_orders_sent_to_them(self, client, staff_member, order):
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
        assert order.number in client.get(reverse("orders:list")).content.decode()

    def test_list_shows_only_the_users_school(self, client, director, order, other_school):
        OrderFactory(school=other_school, number="777")
        client.force_login(director)
        html = client.get(reverse("orders:list")).content.decode()
        assert "№ 883" in html and "№ 777" not in html

    def test_anonymous_goes_to_login(self, client, order):
        response = client.get(reverse("orders:detail", args=[order.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_list_query_count(self, client, coordinator, school, django_assert_max_num_queries):
        for index in range(25):
            OrderFactory(school=school, number=str(index))
        client.force_login(coordinator)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("orders:list"))
        assert response.status_code == 200


class TestEditing:
    def test_coordinator_creates_an_order_sent_to_all_staff(
        self, client, coordinator, staff_member, school
    ):
        client.force_login(coordinator)
        response = client.post(
            reverse("orders:create"),
            {
                "number": "12",
                "date": "2026-01-15",
                "title": "О новом порядке",
                "status": "in_force",
                "distribute": "on",
                "file": pdf(),
            },
        )
        order = Order.objects.get(number="12")
        assert response.status_code == 302 and response["Location"] == reverse(
            "orders:detail", args=[order.pk]
        )
        assert order.school == school and order.file.name.endswith(".pdf")
        assert set(order.acknowledgements.values_list("person__user__username", flat=True)) == {
            "coordinator",
            "staff_member",
        }
        assert order.events.filter(kind=OrderEvent.Kind.ORDER_CREATED).exists()

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"number": "", "date": "2026-01-15", "title": "x", "status": "in_force"}, "number"),
            ({"number": "1", "date": "15.01.2026x", "title": "x", "status": "in_force"}, "date"),
            (
                {
                    "number": "1",
                    "date": "2026-01-15",
                    "title": "x",
                    "status": "in_force",
                    "file": "exe",
                },
                "file",
            ),
        ],
    )
    def test_bad_input_keeps_the_form_and_writes_nothing(self, client, coordinator, data, field):
        if data.get("file") == "exe":
            data["file"] = pdf("order.exe", b"MZ\x90\x00", "application/octet-stream")
        client.force_login(coordinator)
        response = client.post(reverse("orders:create"), data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert (
            'value="x"' in response.content.decode() or "x</textarea>" in response.content.decode()
        )
        assert not Order.objects.exists()

    def test_a_fake_pdf_is_refused(self, client, coordinator):
        client.force_login(coordinator)
        response = client.post(
            reverse("orders:create"),
            {
                "number": "1",
                "date": "2026-01-15",
                "title": "x",
                "status": "in_force",
                "file": pdf("order.pdf", b"not a pdf at all"),
            },
        )
        assert response.status_code == 400
        assert "не является PDF" in str(response.context["form"].errors["file"])
        assert not Order.objects.exists()

    def test_duplicate_number_and_date(self, client, coordinator, order):
        client.force_login(coordinator)
        response = client.post(
            reverse("orders:create"),
            {
                "number": order.number,
                "date": order.date.isoformat(),
                "title": "x",
                "status": "in_force",
            },
        )
        assert response.status_code == 400
        assert Order.objects.count() == 1

    def test_coordinator_adds_and_edits_a_point_bound_to_a_check(self, client, coordinator, order):
        client.force_login(coordinator)
        response = client.get(reverse("orders:point_create", args=[order.pk]))
        assert '<option value="teachers_trained">' in response.content.decode()
        response = client.post(
            reverse("orders:point_create", args=[order.pk]),
            {
                "number": "7.2",
                "text": "Обучение педагогов",
                "deadline": "",
                "check_key": "teachers_trained",
            },
        )
        point = OrderPoint.objects.get(order=order, number="7.2")
        assert response.status_code == 302
        assert point.check_key == "teachers_trained" and point.deadline is None
        response = client.post(
            reverse("orders:point_edit", args=[point.pk]),
            {
                "number": "7.2",
                "position": point.position,
                "text": "Обучение педагогов",
                "deadline": "2026-03-01",
                "check_key": "teachers_trained",
            },
        )
        point.refresh_from_db()
        assert response.status_code == 302 and point.deadline == datetime.date(2026, 3, 1)
        assert "01.03.2026" in point.events.get(kind=OrderEvent.Kind.POINT_CHANGED).message

    def test_point_bad_input(self, client, coordinator, order):
        add_point(order, "1")
        client.force_login(coordinator)
        for data in (
            {"number": "1", "text": "дубль", "check_key": ""},
            {"number": "семь-два!", "text": "x", "check_key": ""},
            {"number": "2", "text": "x", "check_key": "no_such_check"},
            {"number": "2", "text": "", "check_key": ""},
        ):
            response = client.post(reverse("orders:point_create", args=[order.pk]), data)
            assert response.status_code == 400, data
        assert order.points.count() == 1

    def test_an_unregistered_key_of_an_existing_point_is_kept(self, client, coordinator, order):
        point = add_point(order, "4", "class_chats_later")
        client.force_login(coordinator)
        response = client.get(reverse("orders:point_edit", args=[point.pk]))
        assert 'value="class_chats_later" selected' in response.content.decode()

    def test_responsibility_one_primary_then_backup_and_remove(
        self, client, coordinator, order, school
    ):
        point = add_point(order, "2")
        first, second = PersonFactory(school=school), PersonFactory(school=school)
        client.force_login(coordinator)
        url = reverse("orders:responsibility_add", args=[point.pk])
        assert client.post(url, {"person": first.pk, "role": "primary"}).status_code == 302
        response = client.post(url, {"person": second.pk, "role": "primary"})
        assert response.status_code == 400 and "уже есть ответственный" in response.content.decode()
        assert client.post(url, {"person": second.pk, "role": "backup"}).status_code == 302
        outsider = PersonFactory()
        assert client.post(url, {"person": outsider.pk, "role": "backup"}).status_code == 400
        assert list(point.responsibilities.order_by("id").values_list("person", "role")) == [
            (first.pk, "primary"),
            (second.pk, "backup"),
        ]
        backup = point.responsibilities.get(role="backup")
        remove = reverse("orders:responsibility_remove", args=[backup.pk])
        assert "Снять" in client.get(remove).content.decode()  # asks first
        assert point.responsibilities.count() == 2
        assert client.post(remove).status_code == 302
        assert point.responsibilities.count() == 1
        assert point.events.filter(kind=OrderEvent.Kind.RESPONSIBLE_REMOVED).exists()

    def test_evidence_by_the_person_in_charge(self, client, staff_member, order, operator):
        point = add_point(order, "3")
        name(point, staff_member.person)
        client.force_login(staff_member)
        acknowledgements_distribute(order=order)
        url = reverse("orders:evidence_add", args=[point.pk])
        assert client.post(url, {"url": "", "comment": "  "}).status_code == 400
        assert client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")}).status_code == 400
        assert not PointEvidence.objects.exists()
        response = client.post(url, {"url": "https://school.example/done", "file": pdf("act.pdf")})
        assert response.status_code == 302
        evidence = PointEvidence.objects.get()
        assert evidence.added_by == staff_member and evidence.file.name.endswith(".pdf")
        # Somebody not named on the point (the operator reads the order but is not in charge of it).
        client.force_login(operator)
        assert client.post(url, {"comment": "тоже"}).status_code == 403


ROLES_THAT_CANNOT_EDIT = ["director", "operator", "staff_member", "web_editor", "inspector"]


@pytest.mark.parametrize("who", ROLES_THAT_CANNOT_EDIT)
def test_only_the_coordinator_edits_an_order(request, client, order, who):
    point = add_point(order, "1")
    acknowledgements_distribute(order=order)
    user = request.getfixturevalue(who)
    acknowledgements_distribute(order=order)
    client.force_login(user)
    for url, data in (
        (
            reverse("orders:edit", args=[order.pk]),
            {"number": "1", "date": "2026-01-01", "title": "x", "status": "draft"},
        ),
        (reverse("orders:point_create", args=[order.pk]), {"number": "5", "text": "x"}),
        (reverse("orders:point_edit", args=[point.pk]), {"number": "1", "text": "изменено"}),
        (
            reverse("orders:responsibility_add", args=[point.pk]),
            {"person": user.person.pk if hasattr(user, "person") else 1, "role": "primary"},
        ),
        (reverse("orders:distribute", args=[order.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403, url
    order.refresh_from_db()
    point.refresh_from_db()
    assert order.status == Order.Status.IN_FORCE and point.text == "Пункт 1"
    assert not Responsibility.objects.exists()
    assert client.get(reverse("orders:create")).status_code == 403


def test_another_schools_coordinator_gets_404(client, order, other_school):
    from staff.roles import Role
    from tests.factories import make_user

    other = make_user(school=other_school, username="other_coord", roles=[Role.COORDINATOR])
    client.force_login(other)
    assert client.get(reverse("orders:edit", args=[order.pk])).status_code == 404
    assert (
        client.post(
            reverse("orders:point_create", args=[order.pk]), {"number": "5", "text": "x"}
        ).status_code
        == 404
    )

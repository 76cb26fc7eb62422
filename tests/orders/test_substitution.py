"""Point 2: who is in charge today; while the coordinator is away the backup gets her tasks,
reminders and board (read rights lent by ``user_acts_as``)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.access import orders_visible
from orders.models import Order, Responsibility
from orders.selectors import (
    points_in_charge,
    responsible_today,
    user_acts_as,
    user_has_perm_today,
)
from staff.models import Absence
from staff.roles import Role
from tests.factories import PersonFactory, make_user

from .conftest import add_point, days, name

pytestmark = pytest.mark.django_db

User = get_user_model()


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def backup_user(school):
    """A plain member of staff named as the coordinator's backup (no role rights of her own)."""
    return make_user(
        school=school, username="backup", roles=[Role.STAFF], full_name="Костюков Дмитрий Юрьевич"
    )


@pytest.fixture
def point_2(order, coordinator, backup_user):
    point = add_point(order, "2", "person_in_charge_today")
    name(point, coordinator.person)
    name(point, backup_user.person, Responsibility.Role.BACKUP)
    return point


def away(person, today, length=3):
    return Absence.objects.create(person=person, starts_on=today, ends_on=today + days(length))


class TestResponsibleToday:
    def test_primary_then_backup_then_nobody(self, point_2, coordinator, backup_user, today):
        assert responsible_today(points=[point_2], today=today) == {point_2.pk: coordinator.person}
        away(coordinator.person, today)
        assert responsible_today(points=[point_2], today=today) == {point_2.pk: backup_user.person}
        assert responsible_today(points=[point_2], today=today + days(4)) == {
            point_2.pk: coordinator.person
        }
        away(backup_user.person, today)
        assert responsible_today(points=[point_2], today=today) == {point_2.pk: None}

    def test_second_backup_when_the_first_is_away_too(
        self, point_2, coordinator, backup_user, school, today
    ):
        second = PersonFactory(school=school)
        name(point_2, second, Responsibility.Role.BACKUP)
        away(coordinator.person, today)
        away(backup_user.person, today)
        assert responsible_today(points=[point_2], today=today)[point_2.pk] == second

    def test_few_queries_for_many_points(self, order, school, today, django_assert_num_queries):
        points = []
        for index in range(30):
            point = add_point(order, str(index + 10))
            primary, backup = PersonFactory(school=school), PersonFactory(school=school)
            name(point, primary)
            name(point, backup, Responsibility.Role.BACKUP)
            if index % 2:
                away(primary, today)
            points.append(point)
        with django_assert_num_queries(1):
            in_charge = responsible_today(points=points, today=today)
        assert (
            sum(
                1
                for p in points
                if in_charge[p.pk].pk != p.responsibilities.get(role="primary").person_id
            )
            == 15
        )


class TestActingAs:
    def test_nothing_while_the_coordinator_is_present(self, point_2, backup_user, today):
        assert not user_acts_as(fresh(backup_user), today)

    def test_the_backup_gets_her_tasks_and_read_rights(
        self, point_2, coordinator, backup_user, order, today
    ):
        away(coordinator.person, today)
        acting = user_acts_as(fresh(backup_user), today)
        assert acting.persons == (coordinator.person,)
        assert acting.point_ids == {point_2.pk}
        assert acting.has_perm("orders.view_order") and acting.has_perm("orders.view_orderpoint")
        assert not acting.has_perm("orders.change_order")  # write rights are not lent
        user = fresh(backup_user)
        assert user_has_perm_today(user, "orders.view_acknowledgement", today)
        assert not user_has_perm_today(user, "orders.change_order", today)
        assert points_in_charge(user=user, today=today) == [point_2]
        assert list(orders_visible(user, Order.objects.all(), today=today)) == [order]

    def test_rights_end_with_the_absence(self, point_2, coordinator, backup_user, order, today):
        away(coordinator.person, today, length=1)
        assert not user_acts_as(fresh(backup_user), today + days(2))
        later = today + days(2)
        assert list(orders_visible(fresh(backup_user), Order.objects.all(), today=later)) == []

    def test_an_absent_backup_acts_for_nobody(self, point_2, coordinator, backup_user, today):
        away(coordinator.person, today)
        away(backup_user.person, today)
        assert not user_acts_as(fresh(backup_user), today)

    def test_the_backup_sees_the_board_page_and_the_sheet(
        self, client, point_2, coordinator, backup_user, order, today
    ):
        client.force_login(backup_user)
        assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 404
        away(coordinator.person, today)
        response = client.get(reverse("orders:list"))
        html = response.content.decode()
        assert "Сегодня вы замещаете" in html and coordinator.person.full_name in html
        assert f"#point-{point_2.pk}" in html  # «Мои задачи»
        assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
        assert client.get(reverse("orders:acknowledgements", args=[order.pk])).status_code == 200
        assert client.get(reverse("orders:edit", args=[order.pk])).status_code == 403

    def test_the_coordinator_sees_her_own_tasks(self, point_2, coordinator, backup_user, today):
        assert points_in_charge(user=fresh(coordinator), today=today) == [point_2]
        assert points_in_charge(user=fresh(backup_user), today=today) == []
        away(coordinator.person, today)
        assert points_in_charge(user=fresh(coordinator), today=today) == []

    def test_acting_as_costs_few_queries(
        self, point_2, coordinator, backup_user, today, django_assert_max_num_queries
    ):
        away(coordinator.person, today)
        user = fresh(backup_user)
        with django_assert_max_num_queries(4):
            user_acts_as(user, today)
        with django_assert_max_num_queries(0):
            user_acts_as(user, today)  # cached for the request

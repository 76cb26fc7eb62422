"""Fixtures of the order-execution tests (issue 5): an order with points bound to checks."""

import datetime

import pytest
from django.utils import timezone

from orders.models import Order, Responsibility
from tests.factories import OrderFactory, OrderPointFactory, PersonFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def order(school, coordinator):
    """An order of ``school`` with points bound to the orders app's checks
    (and one not measured)."""
    order = OrderFactory(school=school, number="883", status=Order.Status.IN_FORCE)
    return order


def add_point(order, number, check_key="", deadline=None, text=None):
    return OrderPointFactory(
        order=order,
        number=number,
        check_key=check_key,
        deadline=deadline,
        text=text or f"Пункт {number}",
        position=int(float(number) * 10),
    )


def name(point, person, role=Responsibility.Role.PRIMARY):
    return Responsibility.objects.create(point=point, person=person, role=role)


def people(school, count, **fields):
    return [PersonFactory(school=school, **fields) for _ in range(count)]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)

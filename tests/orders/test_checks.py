"""The orders app's checks: status and figure on data built for each
(done, partial, not done, overdue)."""

import datetime

import pytest
from django.core.files.base import ContentFile

from compliance.registry import Figure, PointStatus, get_check, points_evaluate
from orders.models import Acknowledgement, Order, Regulation, Responsibility
from staff.models import Absence
from tests.factories import OrderFactory, PersonFactory, SchoolFactory

from .conftest import add_point, days, name, people

pytestmark = pytest.mark.django_db


def status_of(point, today):
    return points_evaluate(points=[point], today=today)[point.pk]


def regulation(order, *, version=1, file=True, published_on=None, url=""):
    reg = Regulation(
        school=order.school,
        order=order,
        title="Положение",
        version=version,
        approved_on=order.date,
        published_on=published_on,
        published_url=url,
    )
    if file:
        reg.file.save(f"reg{version}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    reg.save()
    return reg


class TestRegulationAttached:
    def test_not_done_without_a_regulation_file(self, order, today):
        point = add_point(order, "1", "regulation_attached")
        regulation(order, file=False)
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.NOT_DONE, Figure(0, 1))

    def test_done_once_the_pdf_is_attached(self, order, today):
        point = add_point(order, "1", "regulation_attached")
        regulation(order)
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.DONE, Figure(1, 1))

    def test_partial_when_one_of_two_orders_has_it(self, order, school, today):
        point = add_point(order, "1", "regulation_attached")
        second = OrderFactory(school=school, number="900")
        add_point(second, "1", "regulation_attached")
        regulation(order)
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.PARTIAL, Figure(1, 2))

    def test_overdue_past_the_deadline(self, order, today):
        point = add_point(order, "1", "regulation_attached", deadline=today - days(1))
        assert status_of(point, today).status == PointStatus.OVERDUE

    def test_closed_orders_do_not_count(self, order, school, today):
        point = add_point(order, "1", "regulation_attached")
        regulation(order)
        old = OrderFactory(school=school, number="100", status=Order.Status.CLOSED)
        add_point(old, "1", "regulation_attached")
        assert status_of(point, today).figure == Figure(1, 1)


class TestPersonInChargeToday:
    def test_done_when_the_primary_is_present(self, order, school, today):
        coordinator, engineer = people(school, 2)
        point = add_point(order, "2", "person_in_charge_today")
        name(point, coordinator)
        name(point, engineer, Responsibility.Role.BACKUP)
        assert status_of(point, today).figure == Figure(1, 1)
        assert status_of(point, today).status == PointStatus.DONE

    def test_the_backup_covers_an_absence(self, order, school, today):
        coordinator, engineer = people(school, 2)
        point = add_point(order, "2", "person_in_charge_today")
        name(point, coordinator)
        name(point, engineer, Responsibility.Role.BACKUP)
        Absence.objects.create(
            person=coordinator, starts_on=today - days(1), ends_on=today + days(3)
        )
        assert status_of(point, today).status == PointStatus.DONE

    def test_partial_when_one_duty_has_nobody_today(self, order, school, today):
        coordinator, engineer, editor = people(school, 3)
        point = add_point(order, "2", "person_in_charge_today")
        name(point, coordinator)
        name(point, engineer, Responsibility.Role.BACKUP)
        duty = add_point(order, "8")
        name(duty, editor)
        Absence.objects.create(person=editor, starts_on=today, ends_on=today)
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.PARTIAL, Figure(1, 2))

    def test_not_done_when_nobody_is_named(self, order, today):
        point = add_point(order, "2", "person_in_charge_today")
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.NOT_DONE, Figure(0, 1))

    def test_not_done_when_both_are_away_or_gone(self, order, school, today):
        coordinator, engineer = people(school, 2)
        point = add_point(order, "2", "person_in_charge_today")
        name(point, coordinator)
        name(point, engineer, Responsibility.Role.BACKUP)
        Absence.objects.create(person=coordinator, starts_on=today, ends_on=today + days(1))
        engineer.is_active = False
        engineer.save()
        assert status_of(point, today).status == PointStatus.NOT_DONE
        # An absence that ended yesterday no longer counts.
        assert status_of(point, today + days(2)).status == PointStatus.DONE

    def test_a_co_executor_does_not_stand_in(self, order, school, today):
        coordinator, helper = people(school, 2)
        point = add_point(order, "2", "person_in_charge_today")
        name(point, coordinator)
        name(point, helper, Responsibility.Role.CO_EXECUTOR)
        Absence.objects.create(person=coordinator, starts_on=today, ends_on=today)
        assert status_of(point, today).status == PointStatus.NOT_DONE


class TestRegulationPublished:
    def test_done_when_published_before_the_deadline(self, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today - days(5))
        regulation(order, published_on=today - days(6), url="https://school.example/reg.pdf")
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.DONE, Figure(1, 1))

    def test_done_when_published_on_the_deadline_itself(self, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today)
        regulation(order, published_on=today, url="https://school.example/reg.pdf")
        assert status_of(point, today).status == PointStatus.DONE

    def test_not_done_before_the_deadline(self, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today + days(3))
        regulation(order)
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.NOT_DONE, Figure(0, 1))

    def test_overdue_when_not_published_by_the_deadline(self, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today - days(1))
        regulation(order)
        assert status_of(point, today).status == PointStatus.OVERDUE

    def test_done_late_when_published_after_the_deadline(self, order, today):
        """Not «просрочено 0 из 1» forever: the school did publish it, late (issue 12, item 5)."""
        point = add_point(order, "8", "regulation_published", deadline=today - days(10))
        regulation(order, published_on=today - days(2), url="https://school.example/reg.pdf")
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.DONE, Figure(1, 1, late=1))
        assert result.label == "выполнено с опозданием" and result.done_late

    def test_the_first_publication_of_any_version_counts(self, order, today):
        point = add_point(order, "8", "regulation_published", deadline=today - days(10))
        regulation(
            order, version=1, published_on=today - days(12), url="https://school.example/v1.pdf"
        )
        regulation(
            order, version=2, published_on=today - days(1), url="https://school.example/v2.pdf"
        )
        assert status_of(point, today).status == PointStatus.DONE


class TestOrderAcknowledged:
    def test_done_partial_not_done(self, order, school, today):
        point = add_point(order, "10", "order_acknowledged")
        staff = people(school, 4)
        rows = [Acknowledgement.objects.create(order=order, person=p) for p in staff]
        assert status_of(point, today).figure == Figure(0, 4)
        assert status_of(point, today).status == PointStatus.NOT_DONE
        Acknowledgement.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(
            acknowledged_at=datetime.datetime.now(datetime.UTC)
        )
        result = status_of(point, today)
        assert (result.status, result.figure) == (PointStatus.PARTIAL, Figure(2, 4))
        Acknowledgement.objects.filter(order=order).update(
            acknowledged_at=datetime.datetime.now(datetime.UTC)
        )
        assert status_of(point, today).status == PointStatus.DONE

    def test_people_who_left_are_not_counted(self, order, school, today):
        point = add_point(order, "10", "order_acknowledged")
        present, gone = people(school, 2)
        Acknowledgement.objects.create(
            order=order, person=present, acknowledged_at=datetime.datetime.now(datetime.UTC)
        )
        Acknowledgement.objects.create(order=order, person=gone)
        gone.is_active = False
        gone.save()
        assert status_of(point, today).figure == Figure(1, 1)

    def test_an_order_sent_to_nobody_counts_the_whole_staff(self, order, school, today):
        point = add_point(order, "10", "order_acknowledged")
        people(school, 3)  # plus the coordinator of the fixture
        assert status_of(point, today).figure == Figure(0, 4)


def test_unregistered_check_is_not_measured(order, today):
    point = add_point(order, "4", "no_such_check_yet")
    result = status_of(point, today)
    assert (result.status, result.figure) == (PointStatus.NOT_MEASURED, None)


@pytest.mark.parametrize(
    "key",
    ["regulation_attached", "person_in_charge_today", "regulation_published", "order_acknowledged"],
)
def test_a_check_answers_many_schools_in_a_fixed_number_of_queries(
    key, today, django_assert_max_num_queries
):
    check = get_check(key)
    schools = []
    for index in range(10):
        school = SchoolFactory()
        order = OrderFactory(school=school, number=str(index))
        point = add_point(order, "1", key, deadline=today)
        person = PersonFactory(school=school)
        name(point, person)
        Acknowledgement.objects.create(order=order, person=person)
        regulation(order, published_on=today, url="https://school.example/r.pdf")
        schools.append(school.pk)
    with django_assert_max_num_queries(2):
        figures = check.evaluate(school_ids=schools, today=today)
    expected = Figure(0, 1) if key == "order_acknowledged" else Figure(1, 1)
    assert figures == {school_id: expected for school_id in schools}


def test_every_check_for_many_schools_costs_one_query(school, today, django_assert_num_queries):
    from compliance.registry import all_checks, checks_evaluate

    from .board_data import build_gappy_school, build_scale_school

    build_gappy_school(school, today=today)
    school_ids = [school.pk] + [build_scale_school(index, classes=2).pk for index in range(4)]
    keys = sorted(all_checks())
    with django_assert_num_queries(1):
        together = checks_evaluate(
            school_ids_by_check={key: school_ids for key in keys}, today=today
        )
    separately = {key: get_check(key).evaluate(school_ids=school_ids, today=today) for key in keys}
    assert together == separately
    assert set(together) == set(keys)
    # The rows reach the right check and school (the gappy school: 1 of 3 classes has every chat).
    assert together["class_chats"][school.pk] == Figure(1, 3)
    assert checks_evaluate(
        school_ids_by_check={"no_such_check": school_ids, "class_chats": []}, today=today
    ) == {"class_chats": {}}

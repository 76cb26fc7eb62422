"""The acknowledgement sheet: distribution to all staff, one click, who has not,
the printable sheet."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from orders.models import Acknowledgement, Order
from orders.services import acknowledgement_confirm, acknowledgements_distribute
from tests.factories import OrderFactory, PersonFactory

pytestmark = pytest.mark.django_db


class TestDistribution:
    def test_all_active_staff_of_the_school_and_only_once(self, order, school, other_school):
        staff = [PersonFactory(school=school) for _ in range(3)]
        PersonFactory(school=school, is_active=False)
        PersonFactory(school=other_school)
        assert acknowledgements_distribute(order=order) == 4  # three plus the coordinator
        assert set(order.acknowledgements.values_list("person", flat=True)) >= {p.pk for p in staff}
        assert acknowledgements_distribute(order=order) == 0
        newcomer = PersonFactory(school=school)
        assert acknowledgements_distribute(order=order) == 1
        assert order.acknowledgements.filter(person=newcomer, acknowledged_at__isnull=True).exists()

    def test_a_chosen_list(self, order, school):
        chosen = PersonFactory(school=school)
        PersonFactory(school=school)
        stranger = PersonFactory()
        from staff.models import Person

        added = acknowledgements_distribute(
            order=order, persons=Person.objects.filter(pk__in=[chosen.pk, stranger.pk])
        )
        assert added == 1
        assert list(order.acknowledgements.values_list("person", flat=True)) == [chosen.pk]

    def test_first_click_counts(self, order, staff_member):
        acknowledgements_distribute(order=order)
        assert acknowledgement_confirm(order=order, person=staff_member.person) is True
        first = Acknowledgement.objects.get(order=order, person=staff_member.person).acknowledged_at
        assert acknowledgement_confirm(order=order, person=staff_member.person) is False
        assert (
            Acknowledgement.objects.get(order=order, person=staff_member.person).acknowledged_at
            == first
        )


class TestOneClick:
    def test_prompt_on_the_start_page_and_one_click(self, client, order, staff_member, coordinator):
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        home = reverse("home")
        request = RequestFactory().get(home)
        request.user = staff_member
        prompt = Template('{% include "orders/_acknowledge_prompt.html" %}').render(
            Context({"request": request})
        )
        # The start page sends to the order to read it; it does not acknowledge by itself.
        detail = reverse("orders:detail", args=[order.pk]) + "#acknowledge"
        assert detail in prompt and "Открыть приказ и ознакомиться" in prompt
        assert reverse("orders:acknowledge", args=[order.pk]) not in prompt

        response = client.post(
            reverse("orders:acknowledge", args=[order.pk]), {"next": home, "confirm": "1"}
        )
        assert response.status_code == 302 and response["Location"] == home
        row = Acknowledgement.objects.get(order=order, person=staff_member.person)
        assert row.acknowledged_at is not None
        request.user = staff_member.__class__.objects.get(pk=staff_member.pk)
        prompt = Template('{% include "orders/_acknowledge_prompt.html" %}').render(
            Context({"request": request})
        )
        assert reverse("orders:detail", args=[order.pk]) not in prompt

    def test_the_order_page_asks_to_confirm_with_the_orders_number_and_date(
        self, client, order, staff_member
    ):
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
        assert f"Ознакомлен(а) с приказом № {order.number} от {order.date:%d.%m.%Y}" in page
        assert 'name="confirm"' in page and "required" in page

    def test_without_the_tick_nothing_is_acknowledged(self, client, order, staff_member):
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        response = client.post(reverse("orders:acknowledge", args=[order.pk]), follow=True)
        assert response.redirect_chain[0][0] == (
            reverse("orders:detail", args=[order.pk]) + "#acknowledge"
        )
        assert "чтобы подтвердить" in response.content.decode()
        assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()

    def test_htmx_click_replaces_the_prompt(self, client, order, staff_member):
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        second = OrderFactory(school=order.school, number="884")
        acknowledgements_distribute(order=second)
        response = client.post(
            reverse("orders:acknowledge", args=[order.pk]),
            {"next": "/", "confirm": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "вы ознакомлены с приказом № 883" in html and 'id="acknowledge-prompt"' in html
        # The order still to read stays, with the way to read it.
        assert reverse("orders:detail", args=[second.pk]) + "#acknowledge" in html

    def test_the_start_page_shows_the_prompt(self, client, order, staff_member):
        client.force_login(staff_member)
        detail = reverse("orders:detail", args=[order.pk]) + "#acknowledge"
        assert detail not in client.get(reverse("home")).content.decode()
        acknowledgements_distribute(order=order)
        assert detail in client.get(reverse("home")).content.decode()

    def test_only_people_on_the_list(self, client, order, staff_member, other_director):
        client.force_login(staff_member)
        assert (
            client.post(reverse("orders:acknowledge", args=[order.pk])).status_code == 404
        )  # not sent: not visible
        client.force_login(other_director)
        assert client.post(reverse("orders:acknowledge", args=[order.pk])).status_code == 404
        assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()

    def test_a_get_does_not_acknowledge(self, client, order, staff_member):
        acknowledgements_distribute(order=order)
        client.force_login(staff_member)
        assert client.get(reverse("orders:acknowledge", args=[order.pk])).status_code == 405
        assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()

    def test_drafts_and_closed_orders_are_not_prompted(self, order, school, staff_member):
        from orders.selectors import acknowledgements_pending

        acknowledgements_distribute(order=order)
        draft = OrderFactory(school=school, number="1", status=Order.Status.DRAFT)
        acknowledgements_distribute(order=draft)
        assert [row.order for row in acknowledgements_pending(user=staff_member)] == [order]


class TestSheet:
    def test_who_has_not_and_the_share(self, client, order, school, coordinator, staff_member):
        acknowledgements_distribute(order=order)
        acknowledgement_confirm(order=order, person=coordinator.person)
        client.force_login(coordinator)
        response = client.get(reverse("orders:acknowledgements", args=[order.pk]))
        html = response.content.decode()
        assert 'data-done="1" data-total="2"' in html and "(50%)" in html
        pending = client.get(
            reverse("orders:acknowledgements", args=[order.pk]), {"show": "pending"}
        )
        names = [row.person.full_name for row in pending.context["rows"]]
        assert names == [staff_member.person.full_name]

    def test_printable_sheet(self, client, order, school, director):
        person = PersonFactory(
            school=school, full_name="Осипов Андрей Андреевич", position="учитель информатики"
        )
        acknowledgements_distribute(order=order)
        acknowledgement_confirm(order=order, person=person)
        client.force_login(director)
        response = client.get(reverse("orders:acknowledgement_print", args=[order.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        for heading in ("№", "ФИО", "Должность", "Дата ознакомления", "Подпись"):
            assert f">{heading}</th>" in html
        row = Acknowledgement.objects.get(person=person)
        assert "Осипов Андрей Андреевич" in html and "учитель информатики" in html
        assert row.acknowledged_at.astimezone().strftime("%d.%m.%Y") in html
        assert "Лист ознакомления" in html and "№ 883" in html
        assert "base.html" not in [
            t.name for t in response.templates
        ]  # a page of its own, for paper

    @pytest.mark.parametrize(
        "who, status",
        [
            ("coordinator", 200),
            ("director", 200),
            ("operator", 200),
            ("inspector", 200),
            ("staff_member", 403),
            ("other_director", 404),
        ],
    )
    def test_who_sees_the_sheet(self, request, client, order, who, status):
        user = request.getfixturevalue(who)
        acknowledgements_distribute(order=order)  # staff read the order, but not the sheet
        client.force_login(user)
        assert client.get(reverse("orders:acknowledgements", args=[order.pk])).status_code == status
        assert (
            client.get(reverse("orders:acknowledgement_print", args=[order.pk])).status_code
            == status
        )

    def test_sheet_query_count(
        self, client, order, school, coordinator, django_assert_max_num_queries
    ):
        for _ in range(40):
            PersonFactory(school=school)
        acknowledgements_distribute(order=order)
        client.force_login(coordinator)
        with django_assert_max_num_queries(12):
            assert (
                client.get(reverse("orders:acknowledgements", args=[order.pk])).status_code == 200
            )
        with django_assert_max_num_queries(10):
            assert (
                client.get(reverse("orders:acknowledgement_print", args=[order.pk])).status_code
                == 200
            )

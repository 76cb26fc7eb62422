"""The deadlines job's reminders for a person with a bound MAX account go through the MAX outbox,
once; the others still get e-mail."""

import pytest
from django.core import mail
from django.utils import timezone

from compliance.jobs import RunReport
from messenger.client import MaxClient
from messenger.models import MaxAccount, OutboxMessage
from messenger.outbox import outbox_send
from orders.deadlines import deadlines_check
from orders.models import Reminder
from tests.factories import PersonFactory
from tests.messenger.conftest import fake_max, max_on  # noqa: F401  (the local MAX fixtures)

from .conftest import add_point, days, name

pytestmark = pytest.mark.django_db


def test_an_overdue_point_reminds_a_bound_person_in_max_once(order, school, today, max_on):  # noqa: F811
    point = add_point(order, "8", "regulation_published", deadline=today - days(1))
    person = PersonFactory(school=school, full_name="Осипов Андрей Андреевич", email="")
    name(point, person)
    MaxAccount.objects.create(person=person, max_user_id=4242, bound_at=timezone.now())
    max_on.state.fail_next["/messages"] = 2  # MAX answers 500 twice first
    report = deadlines_check(report=RunReport(), today=today)
    assert report.details["reminders_sent"] == 1
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert "п. 8" in message.text
    with MaxClient.from_settings() as client:
        assert outbox_send(client=client)["sent"] == 1
        assert deadlines_check(report=RunReport(), today=today).details["reminders_sent"] == 0
        assert outbox_send(client=client)["sent"] == 0
    assert len(max_on.state.sent) == 1 and "п. 8" in max_on.state.sent[0]["text"]
    assert Reminder.objects.get().status == "sent"


def test_a_person_without_max_still_gets_e_mail(order, school, today, max_on):  # noqa: F811
    point = add_point(order, "8", "regulation_published", deadline=today - days(1))
    person = PersonFactory(school=school, full_name="Горбатенко Вера", email="g@gimnazia.example")
    name(point, person)
    deadlines_check(report=RunReport(), today=today)
    assert [m.to for m in mail.outbox] == [["g@gimnazia.example"]]
    assert not OutboxMessage.objects.exists()

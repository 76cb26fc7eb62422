"""The deadlines job: findings for overdue points,
reminders to the person in charge today — each once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from compliance.jobs import RunReport
from compliance.models import Finding, JobRun
from orders.deadlines import POINT_OVERDUE, deadlines_check
from orders.models import Order, Regulation, Reminder, Responsibility
from orders.tasks import check_deadlines
from staff.models import Absence
from tests.factories import OrderFactory, PersonFactory, SchoolFactory

from .conftest import add_point, days, name

pytestmark = pytest.mark.django_db


def run(today):
    return deadlines_check(report=RunReport(), today=today)


@pytest.fixture
def duty(order, school, today):
    """Point 8: publish the regulation by a deadline;
    the web editor answers, the coordinator backs up."""
    point = add_point(order, "8", "regulation_published", deadline=today + days(2))
    editor = PersonFactory(
        school=school, full_name="Осипов Андрей Андреевич", email="osipov@gimnazia.example"
    )
    backup = PersonFactory(
        school=school, full_name="Горбатенко Вера Ивановна", email="gorbatenko@gimnazia.example"
    )
    name(point, editor)
    name(point, backup, Responsibility.Role.BACKUP)
    Regulation.objects.create(school=school, order=order, title="Положение", approved_on=order.date)
    return point


def test_a_reminder_before_the_deadline_is_sent_once(duty, today):
    report = run(today)
    assert report.details["reminders_sent"] == 1
    (message,) = mail.outbox
    assert message.to == ["osipov@gimnazia.example"]
    assert "п. 8" in message.subject and duty.deadline.strftime("%d.%m.%Y") in message.subject
    assert "Приближается срок" in message.body and f"#point-{duty.pk}" in message.body
    assert run(today).details["reminders_sent"] == 0
    assert run(today + days(1)).details["reminders_sent"] == 0
    assert len(mail.outbox) == 1
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.status, reminder.person.email) == (
        "before_deadline",
        "sent",
        "osipov@gimnazia.example",
    )


def test_too_early_for_a_reminder(duty, today):
    assert run(today - days(10)).details["reminders_sent"] == 0
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_overdue_opens_a_finding_and_reminds_once(duty, today):
    later = duty.deadline + days(1)
    run(today)  # the early reminder
    report = run(later)
    assert report.details["findings_opened"] == 1 and report.details["reminders_sent"] == 1
    finding = Finding.objects.get(check_key=POINT_OVERDUE)
    assert (finding.order_point, finding.school_id, finding.resolved_at) == (
        duty,
        duty.order.school_id,
        None,
    )
    assert "п. 8" in finding.message
    assert "Просрочен" in mail.outbox[-1].subject and "Истёк срок" in mail.outbox[-1].body
    # Idempotent: the next runs (and the next days) change nothing and send nothing.
    for day in (later, later + days(1), later + days(5)):
        report = run(day)
        assert report.details["findings_opened"] == 0 and report.details["reminders_sent"] == 0
    assert len(mail.outbox) == 2
    assert Finding.objects.filter(check_key=POINT_OVERDUE).count() == 1


def test_the_finding_is_resolved_once_the_point_is_done(duty, today):
    later = duty.deadline + days(1)
    run(later)
    Regulation.objects.filter(order=duty.order).update(
        published_on=duty.deadline, published_url="https://gimnazia.example/p.pdf"
    )
    report = run(later)
    assert report.details["findings_resolved"] == 1
    assert Finding.objects.get(check_key=POINT_OVERDUE).resolved_at is not None
    assert run(later).details["findings_resolved"] == 0


def test_an_absence_moves_the_reminder_to_the_backup(duty, today):
    Absence.objects.create(
        person=duty.responsibilities.get(role="primary").person,
        starts_on=today - days(1),
        ends_on=today + days(7),
    )
    run(today)
    (message,) = mail.outbox
    assert message.to == ["gorbatenko@gimnazia.example"]
    assert "как замещающий" in message.body and "Осипов Андрей Андреевич" in message.body
    assert Reminder.objects.get().person.full_name == "Горбатенко Вера Ивановна"


def test_nobody_to_remind_is_reported_and_retried_later(order, school, today):
    point = add_point(order, "5", deadline=today + days(1))
    person = PersonFactory(school=school, email="")
    name(point, person)
    report = run(today)
    assert report.details["reminders_without_recipient"] == 1 and mail.outbox == []
    person.email = "p@gimnazia.example"
    person.save()
    assert (
        run(today).details["reminders_sent"] == 1
    )  # not measured: still reminded before the deadline


def test_not_measured_points_never_become_overdue(order, school, today):
    point = add_point(order, "9", deadline=today - days(3))
    name(point, PersonFactory(school=school, email="d@gimnazia.example"))
    report = run(today)
    assert report.details["findings_opened"] == 0 and report.details["reminders_sent"] == 0


def test_drafts_and_closed_orders_are_left_alone(school, today):
    for status in (Order.Status.DRAFT, Order.Status.CLOSED):
        order = OrderFactory(school=school, status=status)
        point = add_point(order, "1", "regulation_attached", deadline=today - days(1))
        name(point, PersonFactory(school=school, email="x@gimnazia.example"))
    report = run(today)
    assert report.details["findings_opened"] == 0 and mail.outbox == []


def test_a_failed_sending_is_retried_and_then_sent_once(duty, today, monkeypatch):
    from django.core.mail import EmailMessage

    original = EmailMessage.send

    def broken(self, fail_silently=False):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    assert run(today).details["reminders_sent"] == 0
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts, "SMTP down" in reminder.error) == (
        "failed",
        1,
        True,
    )
    monkeypatch.setattr(EmailMessage, "send", original)
    assert run(today).details["reminders_sent"] == 1
    assert run(today).details["reminders_sent"] == 0
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)


def test_the_task_records_its_run(duty, today):
    details = check_deadlines()
    run_row = JobRun.objects.get(name="check_deadlines")
    assert run_row.status == JobRun.Status.SUCCESS and run_row.details == details
    assert details["reminders_sent"] == 1


def test_set_based_whatever_the_number_of_points(today, django_assert_max_num_queries):
    for index in range(20):
        school = SchoolFactory()
        order = OrderFactory(school=school)
        point = add_point(order, "8", "regulation_published", deadline=today - days(1))
        add_point(order, "2", "person_in_charge_today", deadline=today + days(1))
        name(point, PersonFactory(school=school, email=f"p{index}@school.example"))
    # Evaluation (one per check), findings (2), reminders (claim, retry, read, people)
    # and, per e-mail
    # sent, its status and history rows; the second run sends nothing.
    run(today)
    with django_assert_max_num_queries(12):
        report = run(today)
    assert report.details["reminders_sent"] == 0 and Finding.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(today):
    school = SchoolFactory()
    order = OrderFactory(school=school)
    for index in range(5):
        point = add_point(order, str(index + 1), "regulation_published", deadline=today - days(1))
        name(point, PersonFactory(school=school, email=f"w{index}@school.example"))
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            barrier.wait()
            reports.append(run(today))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(report.details["reminders_sent"] for report in reports) == 5
    assert len(mail.outbox) == 5 and len({m.to[0] for m in mail.outbox}) == 5
    assert Finding.objects.filter(check_key=POINT_OVERDUE, resolved_at__isnull=True).count() == 5


def test_a_claim_left_by_a_crashed_worker_is_taken_over_later(duty, today):
    import datetime

    from django.utils import timezone

    Reminder.objects.create(
        point=duty,
        kind="before_deadline",
        deadline=duty.deadline,
        person=duty.responsibilities.get(role="primary").person,
        claim_token="crashed",
        claimed_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    assert run(today).details["reminders_sent"] == 0  # another worker may still be sending it
    Reminder.objects.update(claimed_at=timezone.now() - datetime.timedelta(hours=2))
    assert run(today).details["reminders_sent"] == 1
    assert Reminder.objects.get().status == "sent"

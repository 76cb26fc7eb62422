"""Reminders through the outbox: stored first, sent once, retried while MAX answers 500, at most
2 per second per chat; the chat reminders (missing chat, waiting join requests) queued once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from chats.flagging import CLASS_CHAT_MISSING, chat_findings_notify, chats_flag_missing
from chats.models import ChatRequirement
from chats.services import chat_requirements_create_defaults
from compliance.models import Finding
from messenger.client import MaxClient
from messenger.models import MaxAccount, OutboxMessage
from messenger.outbox import outbox_enqueue, outbox_send
from messenger.ratelimit import RedisRateLimiter
from messenger.reminders import max_reminders_queue
from messenger.tasks import send_outbox
from staff.models import Person
from tests.factories import JoinRequestFactory, PersonFactory

from .schema import validate

MAX_USER = 700000555


@pytest.fixture
def bound_teacher(teacher_5a):
    MaxAccount.objects.create(
        person=teacher_5a.person, max_user_id=MAX_USER, bound_at=timezone.now()
    )
    return teacher_5a.person


def send():
    with MaxClient.from_settings() as client:
        return outbox_send(client=client)


def make_due():
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


@pytest.mark.django_db
def test_a_reminder_is_sent_once_though_max_answers_500_first(max_on, bound_teacher):
    assert outbox_enqueue(key="reminder:1", person=bound_teacher, text="Просрочен п. 4")
    assert outbox_enqueue(key="reminder:1", person=bound_teacher, text="Просрочен п. 4")
    assert OutboxMessage.objects.count() == 1
    max_on.state.fail_next["/messages"] = 6  # more than one run's retries (1 + 3)
    assert send() == {"sent": 0, "retry": 1, "failed": 0}
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "500" in message.last_error
    assert message.next_attempt_at > timezone.now()  # later, not at once
    assert send() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    make_due()
    assert send() == {"sent": 1, "retry": 0, "failed": 0}  # two more 500s, then it goes
    make_due()
    assert send() == {"sent": 0, "retry": 0, "failed": 0}
    assert max_on.state.sent == [{"user_id": MAX_USER, "text": "Просрочен п. 4"}]
    sends = [r for r in max_on.state.requests if r.path == "/messages"]
    assert all(r.query["user_id"] == [str(MAX_USER)] for r in sends)
    validate("NewMessageBody", sends[-1].body)
    assert OutboxMessage.objects.get().status == "sent"


@pytest.mark.django_db
def test_a_refused_message_is_not_retried(max_on, bound_teacher, settings):
    outbox_enqueue(key="reminder:2", person=bound_teacher, text="x")
    settings.MAX_BOT_TOKEN = "revoked"  # 401 from MAX
    assert send()["failed"] == 1
    assert OutboxMessage.objects.get().status == "failed"


@pytest.mark.django_db
def test_not_bound_or_integration_off_means_e_mail(max_on, teacher_5a, bound_teacher, settings):
    other = PersonFactory(school=teacher_5a.person.school, full_name="Б")
    assert outbox_enqueue(key="r:3", person=other, text="x") is False
    settings.MAX_BOT_TOKEN = ""
    assert outbox_enqueue(key="r:4", person=bound_teacher, text="x") is False
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_at_most_two_messages_per_second_to_one_chat(max_on, bound_teacher, monkeypatch):
    granted: list[float] = []
    acquire = RedisRateLimiter.acquire

    def recorded(limiter):
        at = acquire(limiter)
        if limiter.key.startswith("portal:max:chat:"):
            granted.append(at)
        return at

    monkeypatch.setattr(RedisRateLimiter, "acquire", recorded)
    for n in range(5):
        outbox_enqueue(key=f"burst:{n}", person=bound_teacher, text=f"{n}")
    assert send()["sent"] == 5
    # The portal's starts (Redis's clock): never a third within a second and its margin.
    assert len(granted) == 5
    for first, third in zip(granted, granted[2:], strict=False):
        assert third - first >= 1.0, "three messages to one chat started within a second"
    # And as they arrived at МАХ: the margin absorbs the delivery jitter of a busy machine.
    times = sorted(r.at for r in max_on.state.requests if r.path == "/messages")
    for first, third in zip(times, times[2:], strict=False):
        assert third - first >= 0.9, "three messages to one chat arrived within a second"


@pytest.mark.django_db
def test_missing_chat_and_waiting_requests_are_queued_once(max_on, bound_teacher, class_5a):
    Finding.objects.create(
        school=class_5a.school,
        check_key=CLASS_CHAT_MISSING,
        subject_key=f"class:{class_5a.pk}:class_parents",
        school_class=class_5a,
        chat_kind="class_parents",
        opened_at=timezone.now(),
    )
    old = timezone.now() - datetime.timedelta(days=10)
    for _ in range(2):
        request = JoinRequestFactory(school=class_5a.school, school_class=class_5a)
        request.__class__.objects.filter(pk=request.pk).update(created_at=old)
    assert max_reminders_queue() == 2
    assert max_reminders_queue() == 0  # the same reminders are not queued again
    texts = sorted(OutboxMessage.objects.values_list("text", flat=True))
    assert "Класс 5А: заявок на присоединение ждут рассмотрения — 2." in texts
    assert any("Класс 5А: нет обязательного чата" in text for text in texts)
    details = send_outbox()
    assert details["sent"] == 2
    assert {m["user_id"] for m in max_on.state.sent} == {MAX_USER}


def _missing_chats_mailed_and_queued(school, teacher_5a, teacher_5b):
    """The hourly flag job (findings, then the e-mail digest) and the outbox job's queue: who was
    mailed, and which classes' missing-chat reminders wait for МАХ."""
    Person.objects.filter(user=teacher_5a).update(email="a@school.example")
    Person.objects.filter(user=teacher_5b).update(email="b@school.example")
    chat_requirements_create_defaults(school=school)
    ChatRequirement.objects.filter(kind__startswith="school_").update(is_required=False)
    mail.outbox.clear()
    chats_flag_missing()
    chat_findings_notify()
    mailed = sorted(message.to[0] for message in mail.outbox)
    max_reminders_queue()
    queued = set(OutboxMessage.objects.values_list("person_id", flat=True))
    return mailed, queued


@pytest.mark.django_db
def test_a_bound_teacher_is_reminded_of_a_missing_chat_in_max_not_by_e_mail(
    max_on, school, bound_teacher, teacher_5a, teacher_5b
):
    mailed, queued = _missing_chats_mailed_and_queued(school, teacher_5a, teacher_5b)
    # 5А's teacher bound МАХ: the bot reminds them, the e-mail digest leaves them out; 5Б's has
    # not: e-mail, as before.
    assert mailed == ["b@school.example"]
    assert queued == {bound_teacher.pk}
    # Handed over, 5А's findings count as told: the next digest does not take them again.
    assert not Finding.objects.filter(
        school_class__class_teacher=bound_teacher, notified_at__isnull=True
    ).exists()
    mail.outbox.clear()
    chat_findings_notify()
    assert mail.outbox == []


@pytest.mark.django_db
def test_with_the_integration_off_a_bound_teacher_gets_the_e_mail(
    settings, school, bound_teacher, teacher_5a, teacher_5b
):
    settings.MAX_BOT_TOKEN = ""
    mailed, queued = _missing_chats_mailed_and_queued(school, teacher_5a, teacher_5b)
    assert mailed == ["a@school.example", "b@school.example"]
    assert queued == set()

"""The flag job of points 4 and 6: opens, resolves, grace period, idempotent, one digest per
person."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from chats.flagging import (
    CLASS_CHAT_MISSING,
    SCHOOL_CHAT_MISSING,
    chat_findings_notify,
    chats_flag_missing,
)
from chats.models import Chat, ChatKind, ChatRequirement
from compliance.models import Finding, JobRun
from roster.services import schoolclass_archive
from staff.models import Person, SchoolClass
from tests.factories import ChatFactory, make_user

pytestmark = pytest.mark.django_db


def open_findings(**filters):
    return Finding.objects.filter(resolved_at__isnull=True, **filters)


def class_keys():
    return set(
        open_findings(check_key=CLASS_CHAT_MISSING).values_list("school_class__letter", "chat_kind")
    )


# --- Opening and resolving ------------------------------------------------------------------------


def test_it_opens_a_finding_per_class_and_missing_kind(
    class_5a, class_5b, requirements, students_chat_5a
):
    report = chats_flag_missing()
    assert class_keys() == {("А", "class_parents"), ("Б", "class_students"), ("Б", "class_parents")}
    finding = open_findings(school_class=class_5a).get()
    assert finding.subject_key == f"class:{class_5a.pk}:class_parents"
    assert finding.message == "Нет обязательного чата (п. 4): чат с родителями класса"
    school_kinds = set(
        open_findings(check_key=SCHOOL_CHAT_MISSING).values_list("chat_kind", flat=True)
    )
    assert school_kinds == {kind.value for kind in ChatKind if kind.value.startswith("school_")}
    assert report.details["opened"] == 3 + 5


def test_it_resolves_what_was_fixed(class_5a, requirements, general_chat):
    chats_flag_missing()
    ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS)
    report = chats_flag_missing()
    assert class_keys() == {("А", "class_students")}
    assert report.details["resolved"] == 1
    assert not open_findings(chat_kind="school_general").exists()
    resolved = Finding.objects.get(school_class=class_5a, chat_kind="class_parents")
    assert resolved.resolved_at is not None  # kept on record, not deleted


def test_an_archived_chat_reopens_the_finding(class_5a, requirements):
    chat = ChatFactory(school_class=class_5a, kind=ChatKind.CLASS_PARENTS)
    chats_flag_missing()
    assert ("А", "class_parents") not in class_keys()
    Chat.objects.filter(pk=chat.pk).update(status=Chat.Status.ARCHIVED)
    chats_flag_missing()
    assert ("А", "class_parents") in class_keys()


def test_findings_close_when_the_requirement_or_the_class_goes(class_5a, class_5b, requirements):
    chats_flag_missing()
    ChatRequirement.objects.filter(kind="class_students").update(is_required=False)
    schoolclass_archive(school_class=class_5b)
    chats_flag_missing()
    assert class_keys() == {("А", "class_parents")}


def test_grades_outside_the_requirement_are_not_flagged(school, class_5a, requirements):
    ChatRequirement.objects.filter(kind="class_parents").update(min_grade=6)
    chats_flag_missing()
    assert class_keys() == {("А", "class_students")}


def test_it_is_idempotent(class_5a, class_5b, requirements):
    chats_flag_missing()
    before = list(Finding.objects.order_by("pk").values())
    report = chats_flag_missing()
    assert report.details == {"opened": 0, "resolved": 0}
    assert list(Finding.objects.order_by("pk").values()) == before


def test_grace_period_for_new_classes(school, requirements):
    school.new_class_grace_days = 7
    school.save()
    new = SchoolClass.objects.create(school=school, academic_year=2025, grade=1, letter="А")
    old = SchoolClass.objects.create(school=school, academic_year=2025, grade=1, letter="Б")
    SchoolClass.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    chats_flag_missing()
    assert not open_findings(school_class=new).exists()
    assert open_findings(school_class=old).count() == 2
    # Once the grace is over, the new class is flagged too.
    chats_flag_missing(now=timezone.now() + datetime.timedelta(days=7, minutes=1))
    assert open_findings(school_class=new).count() == 2


def test_schools_with_different_grace_periods(school, other_school, requirements):
    from chats.services import chat_requirements_create_defaults

    chat_requirements_create_defaults(school=other_school)
    other_school.new_class_grace_days = 30
    other_school.save()
    here = SchoolClass.objects.create(
        school=school, academic_year=2025, grade=2, letter="А"
    )  # grace 0
    there = SchoolClass.objects.create(school=other_school, academic_year=2025, grade=2, letter="А")
    chats_flag_missing()
    assert open_findings(school_class=here).count() == 2
    assert not open_findings(school_class=there).exists()


# --- The digest -----------------------------------------------------------------------------------


def with_email(user, email):
    Person.objects.filter(user=user).update(email=email)


def test_one_digest_per_teacher_and_each_finding_mailed_once(
    class_5a, class_5b, teacher_5a, teacher_5b, requirements
):
    with_email(teacher_5a, "a@school.example")
    with_email(teacher_5b, "b@school.example")
    ChatRequirement.objects.filter(kind__startswith="school_").update(is_required=False)
    chats_flag_missing()
    report = chat_findings_notify()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@school.example", "b@school.example"]
    digest = next(m for m in mail.outbox if m.to == ["a@school.example"])
    assert (
        "5А" in digest.body
        and "чат с учащимися класса" in digest.body
        and "чат с родителями класса" in digest.body
    )
    assert "5Б" not in digest.body
    assert f"/chats/my-class/{class_5a.pk}/" in digest.body
    html, mimetype = digest.alternatives[0]
    assert mimetype == "text/html" and "чат с родителями класса" in html
    assert report.details["mails_sent"] == 2 and report.details["findings_notified"] == 4
    assert not open_findings(notified_at__isnull=True).exists()

    mail.outbox.clear()
    chats_flag_missing()
    chat_findings_notify()
    assert mail.outbox == []  # nothing new: nobody is mailed again

    Chat.objects.create(
        school=class_5a.school,
        school_class=class_5a,
        kind="class_students",
        title="x",
        url="https://sferum.example/x",
    )
    chats_flag_missing()
    Chat.objects.filter(school_class=class_5a).update(status="archived")
    chats_flag_missing()  # a new finding for the same subject: it is new, so it is mailed
    chat_findings_notify()
    assert [m.to for m in mail.outbox] == [["a@school.example"]]
    assert (
        "чат с учащимися класса" in mail.outbox[0].body
        and "чат с родителями класса" not in mail.outbox[0].body
    )


def test_a_teacher_without_email_is_skipped_and_reported(class_5a, teacher_5a, requirements):
    ChatRequirement.objects.filter(kind__startswith="school_").update(is_required=False)
    chats_flag_missing()
    report = chat_findings_notify()
    assert mail.outbox == []
    assert report.details["skipped_no_email"] == 1
    assert open_findings(notified_at__isnull=True).count() == 2  # they wait for an address
    with_email(teacher_5a, "a@school.example")
    chat_findings_notify()
    assert [m.to for m in mail.outbox] == [["a@school.example"]]


def test_classes_without_a_teacher_are_counted(class_5a, requirements):
    ChatRequirement.objects.filter(kind__startswith="school_").update(is_required=False)
    chats_flag_missing()
    report = chat_findings_notify()
    assert report.details["skipped_no_teacher"] == 2 and mail.outbox == []


def test_school_findings_go_to_the_named_owners_else_the_coordinator(
    school, requirements, coordinator
):
    owner = make_user(
        school=school, username="gladkova", full_name="Гладкова Л.И.", email="gl@school.example"
    )
    ChatRequirement.objects.get(school=school, kind="school_leadership").owners.add(owner.person)
    ChatRequirement.objects.get(school=school, kind="school_staff").owners.add(owner.person)
    with_email(coordinator, "coord@school.example")
    chats_flag_missing()
    chat_findings_notify()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"gl@school.example", "coord@school.example"}
    owners_mail = by_address["gl@school.example"].body
    assert (
        "руководитель и заместители" in owners_mail
        and "педагогические и иные работники" in owners_mail
    )
    assert "общешкольный чат" not in owners_mail
    assert "общешкольный чат" in by_address["coord@school.example"].body


def test_school_findings_with_nobody_to_tell(school, requirements):
    chats_flag_missing()
    report = chat_findings_notify()
    assert mail.outbox == [] and report.details["skipped_school_no_recipient"] == 5


def test_a_failed_send_releases_the_findings_for_the_next_run(
    class_5a, teacher_5a, requirements, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    with_email(teacher_5a, "a@school.example")
    chats_flag_missing()

    def broken(self, messages):
        raise ConnectionRefusedError

    with monkeypatch.context() as patched:
        patched.setattr(EmailBackend, "send_messages", broken)
        report = chat_findings_notify()
    assert report.details["mails_failed"] == 1
    assert open_findings(school_class=class_5a, notified_at__isnull=True).count() == 2
    chat_findings_notify()
    assert len(mail.outbox) == 1


def test_names_are_escaped_in_the_html_mail(class_5a, teacher_5a, requirements):
    Person.objects.filter(user=teacher_5a).update(
        email="a@school.example", full_name="<script>x</script>"
    )
    chats_flag_missing()
    chat_findings_notify()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>x" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_mail_each_finding_once(role_groups, school, requirements):
    teachers = []
    for n in range(6):
        school_class = SchoolClass.objects.create(
            school=school, academic_year=2025, grade=3, letter=f"Т{n}"
        )
        user = make_user(school=school, username=f"t{n}", email=f"t{n}@school.example")
        SchoolClass.objects.filter(pk=school_class.pk).update(class_teacher=user.person)
        teachers.append(user)
    ChatRequirement.objects.filter(kind__startswith="school_").update(is_required=False)
    chats_flag_missing()
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            chat_findings_notify()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"t{n}@school.example" for n in range(6))
    assert not Finding.objects.filter(notified_at__isnull=True).exists()


def test_the_job_runs_by_name_and_is_recorded(class_5a, teacher_5a, requirements):
    with_email(teacher_5a, "a@school.example")
    call_command("run_job", "flag_missing_chats")
    run = JobRun.objects.get(name="flag_missing_chats")
    assert run.status == JobRun.Status.SUCCESS
    assert run.details["opened"] == 7 and run.details["mails_sent"] == 1
    assert len(mail.outbox) == 1
    call_command("run_job", "flag_missing_chats")
    second = JobRun.objects.filter(name="flag_missing_chats").order_by("-started_at").first()
    assert second.rows_changed == 0 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_resolve_a_fixed_chat_once(role_groups, school, requirements):
    """The second worker blocks on the rows the first is resolving, then must not resolve them
    again."""
    import time

    from django.db import transaction

    for n in range(4):
        SchoolClass.objects.create(school=school, academic_year=2025, grade=4, letter=f"Р{n}")
    chats_flag_missing()
    for school_class in SchoolClass.objects.all():
        ChatFactory(school_class=school_class, kind=ChatKind.CLASS_PARENTS)
    first_holds_locks = threading.Event()
    results, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = chats_flag_missing().details["resolved"]
                first_holds_locks.set()
                time.sleep(1)  # the second worker's UPDATE now waits on these rows
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            first_holds_locks.set()
            connection.close()

    def second():
        try:
            first_holds_locks.wait()
            results["second"] = chats_flag_missing().details["resolved"]
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == {"first": 4, "second": 0}


@pytest.mark.django_db(transaction=True)
def test_a_claim_blocked_by_another_gets_nothing(role_groups, class_5a, teacher_5a, requirements):
    """The digest's claim: a worker waiting on rows another worker claimed must not claim them
    too."""
    import time

    from django.db import transaction

    from chats.flagging import _claim

    with_email(teacher_5a, "a@school.example")
    chats_flag_missing()
    first_holds_locks = threading.Event()
    claimed, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                claimed["first"] = _claim(now=timezone.now())
                first_holds_locks.set()
                time.sleep(1)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            first_holds_locks.set()
            connection.close()

    def second():
        try:
            first_holds_locks.wait()
            claimed["second"] = _claim(now=timezone.now())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(claimed["first"]) == 2 and claimed["second"] == []

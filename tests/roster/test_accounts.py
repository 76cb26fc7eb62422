"""The coordinator runs the school's logins: create (one / all without), the one-time link and
the one-time code, reset, deactivate — own school only; the coordinator never sees a password."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from roster.accounts.services import account_state
from roster.models import LoginCode
from roster.services import class_teacher_assign
from staff.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
LINK = re.compile(r"https?://\S+/accounts/set/\S+/")


@pytest.fixture(autouse=True)
def _on_commit_runs(monkeypatch):
    """The e-mails go out after the commit; the test's transaction never commits, so the
    callbacks run at once here (as they would after a real commit)."""
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def link_of(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0)


@pytest.fixture
def petrova(school):
    return PersonFactory(
        school=school, full_name="Петрова Анна Сергеевна", email="petrova@example.ru"
    )


@pytest.fixture
def sidorov(school):
    return PersonFactory(school=school, full_name="Сидоров Пётр Ильич", email="")


def set_password(client, link: str, password: str = "Zx9!long-pass"):
    response = client.get(link)  # Django stores the token in the session and redirects
    assert response.status_code == 302
    form_url = response.url
    assert "set-password" in form_url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_create_one_login_link_sets_password_once_and_person_signs_in(
    client, coordinator, petrova, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example"
    client.force_login(coordinator)
    response = client.post(reverse("staff:account_create", args=[petrova.pk]), follow=True)
    assert (
        "Письмо со ссылкой для установки пароля отправлено 1 сотруднику."
        in response.content.decode()
    )
    petrova.refresh_from_db()
    user = petrova.user
    assert user.username == "petrova.as" and not user.has_usable_password()
    assert account_state(petrova) == "pending"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["petrova@example.ru"]
    link = link_of(mail.outbox[0])
    assert link.startswith("https://portal.example/accounts/set/")
    assert user.username not in mail.outbox[0].body  # the login is shown once the password is set

    anonymous = client.__class__()
    path = link.replace("https://portal.example", "")
    response = set_password(anonymous, path)
    assert response.status_code == 302 and response.url == reverse("account:done")
    done = anonymous.get(response.url).content.decode()
    assert "petrova.as" in done
    assert anonymous.login(username="petrova.as", password="Zx9!long-pass")
    # The link works once.
    again = client.__class__().get(path)
    assert again.status_code == 410 and "Ссылка больше не действует" in again.content.decode()


def test_create_for_all_without_login_emails_and_prints_codes(
    client, coordinator, petrova, sidorov
):
    client.force_login(coordinator)
    confirm = client.get(reverse("staff:accounts_create_all")).content.decode()
    assert "Петрова Анна Сергеевна" in confirm and "одноразовый код на листке" in confirm
    response = client.post(reverse("staff:accounts_create_all"))
    page = response.content.decode()
    assert response.status_code == 200 and "Одноразовые коды для входа" in page
    codes = re.findall(r'class="code-card__code">([A-Z0-9-]+)<', page)
    assert len(codes) == 1  # Сидоров has no e-mail; Петрова got a letter
    assert len(mail.outbox) == 1
    sidorov.refresh_from_db()
    assert sidorov.user.username == "sidorov.pi"
    stored = LoginCode.objects.get(person=sidorov)
    assert codes[0].replace("-", "") not in stored.code_hash  # only a keyed hash is stored
    # A second «for all» finds nobody.
    response = client.post(reverse("staff:accounts_create_all"), follow=True)
    assert "У всех сотрудников уже есть учётные записи." in response.content.decode()

    # The person redeems the code once, sets a password, signs in.
    anonymous = client.__class__()
    response = anonymous.post(
        reverse("account:code"), {"username": "sidorov.pi", "code": codes[0].lower()}
    )
    assert response.status_code == 302
    assert set_password(anonymous, response.url).status_code == 302
    assert anonymous.login(username="sidorov.pi", password="Zx9!long-pass")
    reused = client.__class__().post(
        reverse("account:code"), {"username": "sidorov.pi", "code": codes[0]}
    )
    assert reused.status_code == 400
    assert "код уже использован" in reused.content.decode()


def test_the_coordinator_never_sees_a_password(client, coordinator, petrova, sidorov):
    client.force_login(coordinator)
    client.post(reverse("staff:accounts_create_all"))
    page = client.get(reverse("staff:accounts")).content.decode()
    assert "пароль не задан" in page
    for user in User.objects.filter(person__in=[petrova, sidorov]):
        assert not user.has_usable_password()
        assert user.password not in page


def test_reset_sends_a_new_link_and_stops_the_old_password(client, coordinator, petrova):
    client.force_login(coordinator)
    client.post(reverse("staff:account_create", args=[petrova.pk]))
    first = link_of(mail.outbox[0])
    anonymous = client.__class__()
    set_password(anonymous, first.split("testserver")[-1])
    assert anonymous.login(username="petrova.as", password="Zx9!long-pass")

    assert client.get(reverse("staff:account_reset", args=[petrova.pk])).status_code == 200
    response = client.post(reverse("staff:account_reset", args=[petrova.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and "сброшен" in mail.outbox[1].body
    assert not client.__class__().login(username="petrova.as", password="Zx9!long-pass")
    second = link_of(mail.outbox[1]).split("testserver")[-1]
    assert set_password(client.__class__(), second, "New!pass-2026").status_code == 302
    assert client.__class__().login(username="petrova.as", password="New!pass-2026")


def test_deactivate_stops_sign_in_and_reactivate(client, coordinator, petrova):
    client.force_login(coordinator)
    client.post(reverse("staff:account_create", args=[petrova.pk]))
    set_password(client.__class__(), link_of(mail.outbox[0]).split("testserver")[-1])
    confirm = client.get(reverse("staff:account_deactivate", args=[petrova.pk]))
    assert "Отключить учётную запись" in confirm.content.decode()
    client.post(reverse("staff:account_deactivate", args=[petrova.pk]))
    petrova.refresh_from_db()
    assert account_state(petrova) == "disabled"
    assert not client.__class__().login(username="petrova.as", password="Zx9!long-pass")
    client.post(reverse("staff:account_activate", args=[petrova.pk]))
    assert client.__class__().login(username="petrova.as", password="Zx9!long-pass")


def test_a_class_teacher_gets_the_rights_of_their_class(client, coordinator, school, class_5a):
    teacher = PersonFactory(school=school, full_name="Классова Ирина", email="k@example.ru")
    class_teacher_assign(school_class=class_5a, person=teacher)
    client.force_login(coordinator)
    client.post(reverse("staff:account_create", args=[teacher.pk]))
    teacher.refresh_from_db()
    assert teacher.user.has_perm("staff.lead_schoolclass", class_5a)


def test_another_schools_person_is_404(client, coordinator, other_school):
    stranger = PersonFactory(school=other_school, email="s@example.ru")
    client.force_login(coordinator)
    for name in ("account_create", "account_reset", "account_deactivate", "account_activate"):
        assert client.post(reverse(f"staff:{name}", args=[stranger.pk])).status_code == 404
    assert stranger.__class__.objects.get(pk=stranger.pk).user is None


@pytest.mark.parametrize("role", ["operator", "director", "teacher_5a", "inspector"])
def test_only_the_coordinator_runs_accounts(client, request, role, petrova):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("staff:accounts")).status_code == 403
    assert client.post(reverse("staff:account_create", args=[petrova.pk])).status_code == 403
    assert client.post(reverse("staff:accounts_create_all")).status_code == 403
    assert Person.objects.get(pk=petrova.pk).user is None


def test_accounts_list_queries_do_not_grow(
    client, coordinator, school, django_assert_max_num_queries
):
    for _n in range(30):
        PersonFactory(school=school)
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:accounts"))
    assert response.status_code == 200


def test_a_deactivated_persons_link_does_not_work(client, coordinator, petrova):
    client.force_login(coordinator)
    client.post(reverse("staff:account_create", args=[petrova.pk]))
    link = link_of(mail.outbox[0]).split("testserver")[-1]
    client.post(reverse("staff:account_deactivate", args=[petrova.pk]))
    assert client.__class__().get(link).status_code == 410


# --- The job schedule ------------------------------------------------------------------------


def test_coordinator_sees_and_changes_the_job_schedule(client, coordinator):
    call_command("setup_periodic_tasks", stdout=open("/dev/null", "w"))
    client.force_login(coordinator)
    page = client.get(reverse("staff:jobs")).content.decode()
    assert "Аннулирование невостребованных ссылок-приглашений (ежечасно)" in page
    assert "Ещё не запускалось." in page
    response = client.post(
        reverse("staff:jobs"),
        {
            "job": "check_deadlines",
            "check_deadlines-hour": "6",
            "check_deadlines-minute": "30",
            "check_deadlines-enabled": "on",
        },
    )
    assert response.status_code == 302
    task = PeriodicTask.objects.get(task="orders.tasks.check_deadlines")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("6", "30", True)
    response = client.post(
        reverse("staff:jobs"),
        {"job": "snapshot", "snapshot-hour": "25", "snapshot-minute": "0"},
    )
    assert response.status_code == 400 and "Число от 0 до 23" in response.content.decode()
    response = client.post(
        reverse("staff:jobs"), {"job": "snapshot", "snapshot-hour": "23", "snapshot-minute": "30"}
    )
    assert not PeriodicTask.objects.get(task="orders.tasks.snapshot_dashboard").enabled


@pytest.mark.parametrize("role", ["operator", "director", "teacher_5a"])
def test_others_may_not_change_the_schedule(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("staff:jobs")).status_code == 403
    assert client.post(reverse("staff:jobs"), {"job": "snapshot"}).status_code == 403


def test_the_coordinator_is_never_told_to_ask_the_coordinator(client, coordinator, inspector):
    client.force_login(coordinator)
    home = client.get("/").content.decode()
    assert "/staff/accounts/" in home and "/staff/imports/" in home
    denied = client.get("/orders/inspector/")
    assert denied.status_code == 403
    assert "попросите администратора-координатора" not in denied.content.decode()
    assert "/accounts/code/" in client.__class__().get("/accounts/login/").content.decode()

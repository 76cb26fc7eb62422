"""No false «all clear» (issue 12, item 1): until the checks have run, the board, the drill-down
and «Мой класс» say «Проверка ещё не выполнялась»; an overdue point's drill-down never says
«Открытых замечаний нет»."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from board.freshness import jobs_freshness
from compliance.models import JobRun
from orders.models import Order
from tests.factories import OrderFactory, OrderPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_point(school):
    order = OrderFactory(school=school, status=Order.Status.IN_FORCE)
    return OrderPointFactory(
        order=order,
        number="1",
        text="Утвердить положение",
        check_key="regulation_attached",
        deadline=timezone.localdate() - datetime.timedelta(days=10),
    )


def _run(name, *, ok=True):
    now = timezone.now()
    JobRun.objects.create(
        name=name,
        started_at=now,
        finished_at=now,
        status=JobRun.Status.SUCCESS if ok else JobRun.Status.FAILED,
    )


def test_freshness_names_the_checks_that_never_ran(db):
    assert len(jobs_freshness().never_run) == 3
    _run("flag_missing_chats")
    _run("check_deadlines", ok=False)  # a failed run is not a check
    never = jobs_freshness().never_run
    assert never == [
        "Аннулирование невостребованных ссылок-приглашений",
        "Просроченные пункты приказов и напоминания",
    ]
    _run("expire_invitations")
    _run("check_deadlines")
    assert jobs_freshness().never_run == []


def test_board_before_the_first_check_says_so_and_shows_no_zero(client, director, overdue_point):
    client.force_login(director)
    html = client.get(reverse("board:board")).content.decode()
    assert "Проверка ещё не выполнялась" in html
    figure = html.split('data-figure="findings"')[1].split("</li>")[0]
    assert ">—<" in figure and ">0<" not in figure


def test_drilldown_of_an_overdue_point_never_says_all_clear(client, director, overdue_point):
    client.force_login(director)
    url = reverse("board:drilldown")
    html = client.get(url, {"point": overdue_point.pk}).content.decode()
    assert "Проверка ещё не выполнялась" in html
    assert "Открытых замечаний нет" not in html
    assert "Пункт просрочен" in html and "Выполнено 0 из 1" in html

    # After every job: the deadlines job has opened the finding, the page lists it.
    call_command("run_job", "--all")
    html = client.get(url, {"point": overdue_point.pk}).content.decode()
    assert "Проверка ещё не выполнялась" not in html
    assert "Просрочен п. 1" in html and "Открытых замечаний нет" not in html

    # A point that turns overdue after the last check: still no «all clear».
    call_command("run_job", "--all")
    overdue_point.deadline = timezone.localdate() - datetime.timedelta(days=1)
    overdue_point.save()
    from compliance.models import Finding

    Finding.objects.update(resolved_at=timezone.now())
    html = client.get(url, {"point": overdue_point.pk}).content.decode()
    assert "Открытых замечаний нет" not in html
    assert "Замечание по пункту ещё не записано" in html


def test_my_class_before_and_after_the_checks(client, teacher_5a, class_5a):
    client.force_login(teacher_5a)
    url = reverse("chats:my_class_detail", args=[class_5a.pk])
    html = client.get(url).content.decode()
    assert "Проверка ещё не выполнялась" in html and "Открытых замечаний нет" not in html
    _run("flag_missing_chats")
    _run("expire_invitations")
    html = client.get(url).content.decode()
    assert "Проверка ещё не выполнялась" not in html

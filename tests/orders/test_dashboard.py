"""The order board: its figures agree with the data, who answers today,
access, query counts, snapshots."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from board.freshness import jobs_freshness
from board.selectors import boards_build
from board.snapshots import dashboard_snapshot_all, snapshot_series
from board.tasks import snapshot_dashboard
from compliance.jobs import RunReport
from compliance.models import DashboardSnapshot, Finding, JobRun
from compliance.registry import PointStatus
from staff.models import School
from tests.factories import ChatFactory

from .board_data import build_gappy_school, build_scale_school, register_fixed_checks

pytestmark = pytest.mark.django_db

# Every query of the page, the compliance checks included (all of them together cost one).

BOARD_QUERIES = 15
INSPECTOR_QUERIES = 20


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def gappy(school, today, monkeypatch):
    register_fixed_checks(monkeypatch)
    return build_gappy_school(school, today=today)


# --- The figures agree with the data --------------------------------------------------------------


def test_headline_figures_agree_with_the_data(gappy, director, other_school, today):
    # Another school's data must not leak into this school's figures.
    ChatFactory(school_class__school=other_school, kind="class_parents", members_count=99)
    (board,) = boards_build(schools=School.objects.filter(pk=gappy.school.pk), today=today)
    headline = board.headline
    assert (headline.classes_total, headline.classes_compliant) == (
        3,
        1,
    )  # 11А archived; only 5А has both chats
    assert (headline.class_chats_required, headline.class_chats_present) == (
        6,
        3,
    )  # 6А's archived chat does not count
    assert (headline.members_expected, headline.members_reached) == (
        195,
        90,
    )  # 20 + 40 (of 50, capped) + 30
    assert headline.invitations == {"active": 2, "used": 1, "expired": 1, "annulled": 1}
    assert headline.join_requests_pending == 2
    assert headline.findings_open == 3
    # Teaching and active: Горбатенко, Гладкова, Осипов, Иванова and the director;
    # the gone one does not count.
    assert (headline.teaching_trained, headline.teaching_total) == (2, 5)
    # The current order only, people still at work only.
    assert (headline.acknowledged, headline.acknowledgements_total) == (3, 4)
    assert (headline.classes_share, headline.trained_share, headline.acknowledged_share) == (
        33,
        40,
        75,
    )


def test_points_have_live_status_figure_and_the_person_in_charge_today(gappy, today):
    (board,) = boards_build(schools=School.objects.filter(pk=gappy.school.pk), today=today)
    assert board.order == gappy.order  # the latest order in force, not the draft nor the older one
    rows = board.points_by_number
    assert [row.point.number for row in board.points] == ["1", "2", "3", "7.1", "8", "9"]
    assert {number: row.status for number, row in rows.items()} == {
        "1": PointStatus.DONE,
        "2": PointStatus.OVERDUE,
        "3": PointStatus.PARTIAL,
        "7.1": PointStatus.NOT_MEASURED,
        "8": PointStatus.NOT_MEASURED,
        "9": PointStatus.NOT_DONE,
    }
    assert rows["1"].figure_text == "3 из 3 классов"
    assert rows["7.1"].figure is None and rows["8"].figure is None

    people = gappy.people
    assert rows["1"].people.in_charge == people["Осипов"] and not rows["1"].people.substituting
    assert (
        rows["2"].people.in_charge == people["Костюков"] and rows["2"].people.substituting
    )  # primary away today
    assert (
        rows["3"].people.in_charge is None and rows["3"].people.primary == people["Ушедший"]
    )  # gone, no backup
    assert rows["9"].people.in_charge == people["Гладкова"] and rows["9"].people.co_executors == [
        people["Горбатенко"]
    ]
    assert board.status_counts == {
        "overdue": 1,
        "not_done": 1,
        "partial": 1,
        "not_measured": 2,
        "done": 1,
    }


def test_the_backup_stops_answering_when_the_absence_is_over(gappy, today):
    later = today + datetime.timedelta(days=3)
    (board,) = boards_build(schools=School.objects.filter(pk=gappy.school.pk), today=later)
    assert board.points_by_number["2"].people.in_charge == gappy.people["Горбатенко"]


def test_board_page_shows_points_figures_people_and_freshness(client, gappy, director):
    for name in ("flag_missing_chats", "expire_invitations", "check_deadlines"):
        JobRun.objects.create(  # every checking job has run: the board may say when
            name=name,
            started_at=timezone.now() - datetime.timedelta(minutes=13),
            finished_at=timezone.now() - datetime.timedelta(minutes=12),
            status=JobRun.Status.SUCCESS,
        )
    client.force_login(director)
    response = client.get(reverse("board:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "приказ № 883 от 15.12.2025" in html
    for number, status in (
        ("1", "done"),
        ("2", "overdue"),
        ("3", "partial"),
        ("7.1", "not_measured"),
        ("9", "not_done"),
    ):
        assert f'data-point="{number}" data-status="{status}"' in html
    assert "3 из 3 классов" in html
    assert (
        "Костюков Дмитрий Юрьевич" in html
        and "замещает: Горбатенко Виктория Ивановна отсутствует" in html
    )
    assert "нет замены" in html  # point 3: the primary is gone and nobody stands in
    assert "1 из 3 (33%)" in html  # classes compliant
    assert "Замечания проверены 12" in html and "назад" in html
    # Only today's live figures: one point is no trend — said in words, no chart drawn.
    assert html.count("<svg") == 0
    assert "Мало данных для динамики: показатели есть за 1 день" in html
    assert (
        'href="{}?check=class_chats"'.format(
            reverse("board:drilldown_school", args=[gappy.school.pk])
        )
        in html
    )


def test_acknowledgement_of_an_order_sent_to_nobody_counts_the_whole_staff(gappy, today):
    gappy.order.acknowledgements.all().delete()
    (board,) = boards_build(schools=School.objects.filter(pk=gappy.school.pk), today=today)
    # Five people at work in the gappy school (the gone one aside), none has acknowledged.
    assert (board.headline.acknowledged, board.headline.acknowledgements_total) == (0, 5)


def test_board_without_an_order_says_so(client, director):
    client.force_login(director)
    response = client.get(reverse("board:board"))
    assert response.status_code == 200
    assert "Действующий приказ не внесён" in response.content.decode()


def test_freshness_is_the_oldest_of_the_checking_jobs_last_runs(db):
    now = timezone.now()
    for name, minutes in (("flag_missing_chats", 5), ("expire_invitations", 30), ("snapshot", 600)):
        JobRun.objects.create(
            name=name,
            started_at=now - datetime.timedelta(minutes=minutes + 1),
            finished_at=now - datetime.timedelta(minutes=minutes),
            status=JobRun.Status.SUCCESS,
        )
    JobRun.objects.create(
        name="check_deadlines", started_at=now, finished_at=now, status=JobRun.Status.FAILED
    )
    freshness = jobs_freshness()
    assert (
        freshness.minutes_ago == 30
    )  # the snapshot does not check anything; the failed run does not count
    assert set(freshness.runs) == {"flag_missing_chats", "expire_invitations", "snapshot"}


# --- Who may see which board ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "user_fixture, expected",
    [
        ("director", 200),
        ("coordinator", 200),
        ("operator", 200),
        ("teacher_5a", 403),
        ("staff_member", 403),
        ("web_editor", 403),
        ("other_director", 404),  # another school's board does not exist for them
        ("inspector", 200),
    ],
)
def test_board_access_by_role(client, request, school, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("board:board_school", args=[school.pk])).status_code == expected
    assert client.get(reverse("board:board") + f"?school={school.pk}").status_code == expected


def test_board_requires_login(client, school):
    response = client.get(reverse("board:board"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inspector_without_a_school_is_sent_to_the_table(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("board:board"))
    assert response.status_code == 302 and response["Location"] == reverse("board:inspector")


def test_inspector_reads_a_school_board_read_only(client, gappy, inspector):
    client.force_login(inspector)
    response = client.get(reverse("board:board_school", args=[gappy.school.pk]))
    assert response.status_code == 200 and response.context["read_only"]
    assert client.get(reverse("board:board_school", args=[999999])).status_code == 404
    assert client.get(reverse("board:board") + "?school=abc").status_code == 404


# --- A fixed number of queries --------------------------------------------------------------------


def _board_queries(client, school) -> int:
    """What the board costs when it computes its figures (``?refresh=1``: not the kept copy)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("board:board") + "?refresh=1")
    assert response.status_code == 200
    assert response.context["board"].school == school
    return len(queries)


def test_board_queries_are_the_same_for_1_and_10_schools_of_data(client, monkeypatch, today):
    from staff.roles import Role
    from tests.factories import make_user

    register_fixed_checks(monkeypatch)
    first = build_scale_school(0, classes=3)
    director = make_user(school=first, username="scale_director", roles=[Role.DIRECTOR, Role.STAFF])
    client.force_login(director)
    client.get(reverse("board:board"))  # warm up: session, content types
    alone = _board_queries(client, first)
    for index in range(1, 10):
        build_scale_school(index, classes=6)
    with_ten = _board_queries(client, first)
    assert alone == with_ten
    assert with_ten <= BOARD_QUERIES


def test_the_board_queries_do_not_grow_with_classes(client, monkeypatch):
    from staff.roles import Role
    from tests.factories import SchoolClassFactory, make_user

    register_fixed_checks(monkeypatch)
    school = build_scale_school(0, classes=2)
    director = make_user(
        school=school, username="scale_director", roles=[Role.DIRECTOR, Role.STAFF]
    )
    client.force_login(director)
    client.get(reverse("board:board"))
    few = _board_queries(client, school)
    for n in range(20):
        ChatFactory(
            school_class=SchoolClassFactory(school=school, grade=1 + n % 11), kind="class_students"
        )
    assert _board_queries(client, school) == few


# --- The rendered board is kept for BOARD_CACHE_SECONDS -------------------------------------------


def _served(client, url, queries=None):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_is_kept_a_while_and_recomputed_on_request(client, gappy, director, settings):
    settings.BOARD_CACHE_SECONDS = 60
    client.force_login(director)
    url = reverse("board:board")
    first = _served(client, url)
    assert "1 из 3 (33%)" in first and "Состояние пунктов вычислено в" in first
    ChatFactory(school_class=gappy.classes["5Б"], kind="class_students")  # 5Б now has both chats

    with CaptureQueriesContext(connection) as kept_queries:
        kept = _served(client, url)
    assert "1 из 3 (33%)" in kept  # the kept copy, as the page says: computed at the time it shows
    # Only what any signed-in page costs: session, user, rights (own, then the groups'), the person.
    # +1: Django's ModelBackend reads own and group permissions in two queries
    assert len(kept_queries) <= 5, [q["sql"][:80] for q in kept_queries]

    assert 'href="?refresh=1"' in kept
    recomputed = _served(client, url + "?refresh=1")
    assert "2 из 3 (67%)" in recomputed
    assert "2 из 3 (67%)" in _served(client, url)  # and the kept copy is the new one


def test_the_kept_board_is_per_school_and_per_reader(
    client, gappy, director, inspector, other_school, settings
):
    settings.BOARD_CACHE_SECONDS = 60
    back_to_table = (
        f'btn--small" href="{reverse("board:inspector")}">Все школы</a>'  # the read-only header
    )
    client.force_login(director)
    own = _served(client, reverse("board:board"))
    assert back_to_table not in own

    client.force_login(inspector)
    read_only = _served(client, reverse("board:board_school", args=[gappy.school.pk]))
    assert back_to_table in read_only
    assert gappy.school.name in read_only
    other = _served(client, reverse("board:board_school", args=[other_school.pk]))
    assert other_school.name in other and gappy.school.name not in other

    # A kept board is no way into another school:
    # the director of the first is still refused the second.
    client.force_login(director)
    assert client.get(reverse("board:board_school", args=[other_school.pk])).status_code == 404
    assert client.get(reverse("board:board") + f"?school={other_school.pk}").status_code == 404


def test_without_keeping_every_request_computes(client, gappy, director, settings):
    settings.BOARD_CACHE_SECONDS = 0
    client.force_login(director)
    assert "1 из 3 (33%)" in _served(client, reverse("board:board"))
    ChatFactory(school_class=gappy.classes["5Б"], kind="class_students")
    assert "2 из 3 (67%)" in _served(client, reverse("board:board"))


# --- Trends: the daily snapshot -------------------------------------------------------------------


def test_snapshot_is_one_row_per_school_per_day_and_idempotent(gappy, other_school, today):
    dashboard_snapshot_all(report=RunReport(), today=today)
    dashboard_snapshot_all(report=RunReport(), today=today)
    assert DashboardSnapshot.objects.filter(date=today).count() == 2
    snapshot = DashboardSnapshot.objects.get(school=gappy.school, date=today)
    assert snapshot.figures["classes_compliant"] == 1 and snapshot.figures["findings_open"] == 3
    assert snapshot.figures["points"]["overdue"] == 1
    assert snapshot.figures["order"]["number"] == "883"

    # Later the same day: the row is updated, not duplicated.
    Finding.objects.filter(school=gappy.school).update(resolved_at=timezone.now())
    dashboard_snapshot_all(report=RunReport(), today=today)
    assert DashboardSnapshot.objects.filter(school=gappy.school).count() == 1
    assert (
        DashboardSnapshot.objects.get(school=gappy.school, date=today).figures["findings_open"] == 0
    )

    # The next day adds a row.
    dashboard_snapshot_all(report=RunReport(), today=today + datetime.timedelta(days=1))
    assert DashboardSnapshot.objects.filter(school=gappy.school).count() == 2


def test_snapshot_task_is_recorded(gappy, other_school):
    details = snapshot_dashboard()
    assert details == {"snapshots": 2}
    run = JobRun.objects.get(name="snapshot")
    assert run.status == JobRun.Status.SUCCESS and run.rows_changed == 2
    snapshot_dashboard()
    assert DashboardSnapshot.objects.count() == 2


def test_snapshot_queries_do_not_grow_with_schools(monkeypatch, today):
    register_fixed_checks(monkeypatch)
    build_scale_school(0)
    with CaptureQueriesContext(connection) as one:
        dashboard_snapshot_all(report=RunReport(), today=today)
    for index in range(1, 6):
        build_scale_school(index)
    with CaptureQueriesContext(connection) as six:
        dashboard_snapshot_all(report=RunReport(), today=today)
    assert len(one) == len(six)
    assert DashboardSnapshot.objects.count() == 6


def test_trend_series_ends_with_the_live_figures(gappy, today):
    DashboardSnapshot.objects.create(
        school=gappy.school, date=today - datetime.timedelta(days=2), figures={"findings_open": 9}
    )
    DashboardSnapshot.objects.create(
        school=gappy.school, date=today, figures={"findings_open": 7}
    )  # replaced by live
    (board,) = boards_build(schools=School.objects.filter(pk=gappy.school.pk), today=today)
    series = snapshot_series(school=gappy.school, today=today, live=board)
    assert [(day, figures["findings_open"]) for day, figures in series] == [
        (today - datetime.timedelta(days=2), 9),
        (today, 3),
    ]


def test_svg_chart_draws_known_values_skips_gaps_and_escapes_labels():
    from board.svg import Series, line_chart

    days = [datetime.date(2026, 11, 1) + datetime.timedelta(days=n) for n in range(3)]
    svg = line_chart(
        dates=days,
        title="Доли <проверка>",
        percent=True,
        series=[Series("классы & чаты", [50, None, 100])],
    )
    assert "<script" not in svg and "&lt;проверка&gt;" in svg and "классы &amp; чаты" in svg
    assert svg.count("<circle") == 2  # the unknown day has no point
    assert "классы &amp; чаты: 100% (03.11.2026)" in svg
    assert 'points="44.0,112.0 628.0,12.0"' in svg  # 50% half-way up, 100% at the top of the plot


@pytest.mark.parametrize("past_days, charts", [(1, 0), (2, 2), (4, 2)])
def test_trends_need_three_days_else_they_say_there_is_too_little_data(
    client, gappy, director, today, past_days, charts
):
    for days in range(1, past_days + 1):
        DashboardSnapshot.objects.create(
            school=gappy.school,
            date=today - datetime.timedelta(days=days),
            figures={"findings_open": days, "classes_total": 3, "classes_compliant": 1},
        )
    client.force_login(director)
    html = client.get(reverse("board:board")).content.decode()

    assert html.count("<svg") == charts
    if charts:
        assert "Мало данных" not in html
    else:
        # Two days (a snapshot and today): «за 2 дня», the Russian plural form.
        assert "Мало данных для динамики: показатели есть за 2 дня" in html

"""«Новый учебный год» on the demo gymnasium: 5А becomes 6А with the teacher the new distribution
names and its chats, the 11th grades leave, links into the old classes are annulled, the board
counts the new year; twice changes nothing more; it can be undone until the new year's first
change."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from board.selectors import boards_build
from chats.models import Chat
from chats.tasks import flag_missing_chats
from invitations.models import Invitation
from roster.demo import seed_demo
from roster.imports.services import import_create, import_read
from roster.models import ImportRun
from roster.turnover import (
    TURNOVER_REASON,
    TurnoverError,
    turnover_apply,
    turnover_distribution_from_import,
    turnover_plan,
    turnover_reversible,
    turnover_revert,
)
from staff.models import Person, School, SchoolClass, YearTurnover

from ..factories import SchoolClassFactory
from .files import CLASSES_HEADER, xlsx_bytes

PASSWORD = "demo-pass-883"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return seed_demo(password=PASSWORD)


def _counts(school):
    return {
        "classes": SchoolClass.objects.filter(school=school).count(),
        "active": SchoolClass.objects.filter(school=school, status="active").count(),
        "annulled": Invitation.objects.filter(school=school, status="annulled").count(),
        "chats_active": Chat.objects.filter(school=school, status="active").count(),
        "turnovers": YearTurnover.objects.filter(school=school).count(),
    }


def test_the_year_turns_over_as_the_new_distribution_says(demo):
    school = demo.school
    class_5a = demo.classes["5А"]
    old_teacher = class_5a.class_teacher
    new_teacher = demo.classes["5Б"].class_teacher  # the distribution gives 6А to teacher_5b
    chats_5a = set(Chat.objects.filter(school_class=class_5a, status="active"))
    owned_5a = [chat.pk for chat in chats_5a if chat.owner_id == old_teacher.pk]
    eleventh = [demo.classes[name] for name in ("11А", "11Б", "11В")]
    links_before = Invitation.objects.filter(
        school_class__school=school, status=Invitation.Status.ACTIVE
    ).count()
    assert links_before > 0
    assert school.academic_year == 2025

    plan = turnover_plan(school=school, distribution={class_5a.pk: new_teacher})
    assert not plan.problems
    assert {c.name for c in plan.leaving} == {"11А", "11Б", "11В"}
    assert plan.invitations_to_annul == links_before
    assert SchoolClass.objects.get(pk=class_5a.pk).grade == 5  # a preview writes nothing

    turnover = turnover_apply(
        school=school,
        from_year=2025,
        distribution={class_5a.pk: new_teacher},
        by=demo.users["coordinator"],
    )

    class_6a = SchoolClass.objects.get(pk=class_5a.pk)
    assert (class_6a.name, class_6a.academic_year, class_6a.status) == ("6А", 2026, "active")
    assert class_6a.class_teacher == new_teacher
    assert set(Chat.objects.filter(school_class=class_6a, status="active")) == chats_5a
    for chat_id in owned_5a:
        assert Chat.objects.get(pk=chat_id).owner == new_teacher
    assert "lead_schoolclass" in get_perms(new_teacher.user, class_6a)
    if old_teacher.user_id:
        assert "lead_schoolclass" not in get_perms(old_teacher.user, class_6a)
    for school_class in eleventh:
        school_class.refresh_from_db()
        assert (school_class.status, school_class.academic_year) == ("archived", 2025)
        assert not Chat.objects.filter(school_class=school_class, status="active").exists()
    assert not Invitation.objects.filter(
        school_class__school=school, status=Invitation.Status.ACTIVE
    ).exists()
    assert Invitation.objects.filter(annul_reason=TURNOVER_REASON).count() == links_before
    school.refresh_from_db()
    assert school.academic_year == 2026
    assert not SchoolClass.objects.filter(school=school, grade=1, status="active").exists()
    assert turnover.summary["archived"] == 3 and turnover.summary["promoted"] == 30

    # The board counts the new year: 30 classes (no 1st grade yet), a stray class of the old year
    # left active is not counted.
    SchoolClassFactory(school=school, academic_year=2025, grade=3, letter="Г")
    board = boards_build(schools=School.objects.filter(pk=school.pk))[0]
    assert board.headline.classes_total == 30

    # Confirming again changes nothing more.
    before = _counts(school)
    again = turnover_apply(school=school, from_year=2025, by=demo.users["coordinator"])
    assert again.pk == turnover.pk
    assert _counts(school) == before
    assert SchoolClass.objects.get(pk=class_5a.pk).grade == 6


def test_the_turnover_is_undone_until_the_first_change(demo):
    school = demo.school
    class_5a, class_11a = demo.classes["5А"], demo.classes["11А"]
    old_teacher = class_5a.class_teacher
    new_teacher = demo.classes["9Б"].class_teacher
    active_links = set(
        Invitation.objects.filter(school=school, status="active").values_list("pk", flat=True)
    )
    active_chats = set(
        Chat.objects.filter(school=school, status="active").values_list("pk", flat=True)
    )
    turnover = turnover_apply(
        school=school, from_year=2025, distribution={class_5a.pk: new_teacher}
    )
    assert turnover_reversible(turnover)

    turnover_revert(turnover=turnover)

    class_5a.refresh_from_db()
    class_11a.refresh_from_db()
    assert (class_5a.name, class_5a.academic_year, class_5a.class_teacher) == (
        "5А",
        2025,
        old_teacher,
    )
    assert class_11a.status == "active"
    teacher_5a_user = demo.users["teacher_5a"]
    assert "lead_schoolclass" in get_perms(teacher_5a_user, class_5a)
    assert (
        set(Invitation.objects.filter(school=school, status="active").values_list("pk", flat=True))
        == active_links
    )
    assert (
        set(Chat.objects.filter(school=school, status="active").values_list("pk", flat=True))
        == active_chats
    )
    school.refresh_from_db()
    assert school.academic_year == 2025
    turnover.refresh_from_db()
    assert turnover.status == YearTurnover.Status.REVERTED
    turnover_revert(turnover=turnover)  # undoing twice changes nothing

    # Applied again, then the new year's first change: no longer reversible.
    again = turnover_apply(school=school, from_year=2025)
    assert again.pk != turnover.pk
    later = timezone.now() + datetime.timedelta(seconds=1)
    SchoolClass.objects.filter(pk=class_5a.pk).update(students_expected=30, updated_at=later)
    assert not turnover_reversible(again)
    with pytest.raises(TurnoverError):
        turnover_revert(turnover=again)


def test_a_clash_with_a_class_of_the_new_year_stops_the_turnover(demo):
    school = demo.school
    SchoolClassFactory(school=school, academic_year=2026, grade=6, letter="А")
    plan = turnover_plan(school=school)
    assert any("6А" in problem for problem in plan.problems)
    with pytest.raises(TurnoverError):
        turnover_apply(school=school, from_year=2025)
    school.refresh_from_db()
    assert school.academic_year == 2025
    assert SchoolClass.objects.get(pk=demo.classes["5А"].pk).grade == 5


def test_a_teacher_of_another_school_is_refused(demo, other_school):
    stranger = Person.objects.create(school=other_school, full_name="Чужой Учитель Иванович")
    plan = turnover_plan(school=demo.school, distribution={demo.classes["5А"].pk: stranger})
    assert plan.problems


def test_missing_chat_findings_of_the_leaving_classes_close(demo):
    flag_missing_chats()
    turnover_apply(school=demo.school, from_year=2025)
    flag_missing_chats()
    from compliance.models import Finding

    assert not Finding.objects.filter(
        school_class__grade=11, school_class__status="archived", resolved_at__isnull=True
    ).exists()


# --- The coordinator's page ---------------------------------------------------------------------


def test_the_page_previews_then_applies_on_confirmation(client, demo):
    client.force_login(demo.users["coordinator"])
    url = reverse("staff:turnover")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "5А → 6А" in html and "11А" in html
    # Without the confirmation box nothing happens.
    refused = client.post(url, {"from_year": "2025"})
    assert refused.status_code == 400
    assert SchoolClass.objects.get(pk=demo.classes["5А"].pk).grade == 5
    new_teacher = demo.classes["9Б"].class_teacher
    done = client.post(
        url,
        {"from_year": "2025", "confirm": "on", f"teacher_{demo.classes['5А'].pk}": new_teacher.pk},
    )
    assert done.status_code == 302
    assert SchoolClass.objects.get(pk=demo.classes["5А"].pk).class_teacher == new_teacher
    # A second submission of the same form changes nothing and says so.
    second = client.post(url, {"from_year": "2025", "confirm": "on"}, follow=True)
    assert second.status_code == 200
    assert YearTurnover.objects.filter(school=demo.school).count() == 1
    assert SchoolClass.objects.get(pk=demo.classes["5А"].pk).grade == 6


@pytest.mark.parametrize("username", ["director", "engineer", "teacher_5a", "inspector"])
def test_only_the_coordinator_turns_the_year_over(client, demo, username):
    client.force_login(demo.users[username])
    assert client.get(reverse("staff:turnover")).status_code == 403
    posted = client.post(reverse("staff:turnover"), {"from_year": "2025", "confirm": "on"})
    assert posted.status_code == 403
    assert demo.school.turnovers.count() == 0


def test_the_page_requires_login(client, db):
    response = client.get(reverse("staff:turnover"))
    assert response.status_code == 302


# --- The new distribution from a checked classes file of the new year ----------------------------


def _classes_file(demo, rows) -> ImportRun:
    run = import_create(
        school=demo.school,
        kind="classes",
        file_name="классы-2026.xlsx",
        content=xlsx_bytes([CLASSES_HEADER, *rows]),
        by=demo.users["coordinator"],
    )
    import_read(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_a_classes_file_of_the_new_year_names_the_new_teachers(demo):
    new_teacher = demo.classes["9Б"].class_teacher
    run = _classes_file(
        demo,
        [
            ["6 а", new_teacher.full_name, 27, 40],  # 5А becomes 6А: its teacher changes
            ["7Б", "", 25, ""],  # no teacher named: 6Б keeps its own
            ["1А", new_teacher.full_name, 20, ""],  # a new first grade: nobody becomes it
        ],
    )
    assert run.status == "preview" and not run.errors, run.errors
    plan = turnover_plan(school=demo.school)
    imported = turnover_distribution_from_import(plan=plan, run=run)
    assert imported.distribution == {demo.classes["5А"].pk: new_teacher}
    assert imported.named == 1
    assert imported.not_promoted == ["1А"]
    planned = {
        item.school_class.pk: item
        for item in turnover_plan(school=demo.school, distribution=imported.distribution).promoted
    }
    assert planned[demo.classes["5А"].pk].teacher_after == new_teacher
    assert planned[demo.classes["6Б"].pk].teacher_after == demo.classes["6Б"].class_teacher
    # Nothing was written: the file is still a preview and the classes are as they were.
    run.refresh_from_db()
    assert run.status == "preview"
    assert SchoolClass.objects.get(pk=demo.classes["5А"].pk).grade == 5


def test_a_teacher_who_left_since_the_file_was_read_is_not_taken(demo):
    new_teacher = demo.classes["9Б"].class_teacher
    run = _classes_file(demo, [["6А", new_teacher.full_name, 27, 40]])
    Person.objects.filter(pk=new_teacher.pk).update(is_active=False)
    imported = turnover_distribution_from_import(plan=turnover_plan(school=demo.school), run=run)
    assert imported.distribution == {} and imported.named == 0


def test_the_page_fills_the_distribution_from_the_file_then_applies_on_confirmation(client, demo):
    new_teacher = demo.classes["9Б"].class_teacher
    run = _classes_file(demo, [["6А", new_teacher.full_name, 27, 40], ["1А", "", 20, ""]])
    client.force_login(demo.users["coordinator"])
    url = reverse("staff:turnover")
    page = client.get(url)
    assert "классы-2026.xlsx" in page.content.decode()  # offered
    filled = client.get(url, {"import": run.pk})
    assert filled.status_code == 200
    html = filled.content.decode()
    assert "подставлено руководителей: 1." in html
    select = html.split(f'name="teacher_{demo.classes["5А"].pk}"')[1].split("</select>")[0]
    assert f'<option value="{new_teacher.pk}" selected>' in select
    # Still nothing applied: the coordinator confirms the form as filled.
    assert SchoolClass.objects.get(pk=demo.classes["5А"].pk).class_teacher != new_teacher
    done = client.post(
        url,
        {"from_year": "2025", "confirm": "on", f"teacher_{demo.classes['5А'].pk}": new_teacher.pk},
    )
    assert done.status_code == 302
    moved = SchoolClass.objects.get(pk=demo.classes["5А"].pk)
    assert (moved.grade, moved.class_teacher) == (6, new_teacher)


def test_only_the_schools_checked_classes_files_may_fill_it(client, demo, other_school):
    client.force_login(demo.users["coordinator"])
    url = reverse("staff:turnover")
    foreign = import_create(
        school=other_school, kind="classes", file_name="x.csv", content=b"", by=None
    )
    ImportRun.objects.filter(pk=foreign.pk).update(status="preview")
    staff_file = import_create(
        school=demo.school, kind="staff", file_name="s.csv", content=b"", by=None
    )
    ImportRun.objects.filter(pk=staff_file.pk).update(status="preview")
    applied = _classes_file(demo, [["6А", "", 27, 40]])
    ImportRun.objects.filter(pk=applied.pk).update(status="applied", applied_at=timezone.now())
    for value in [foreign.pk, staff_file.pk, applied.pk, "abc", "9" * 40, ""]:
        assert client.get(url, {"import": value}).status_code == 404, value

"""Every database constraint of staff, orders, chats and invitations rejects the bad row it names.

Each case is a pair of writes that differ in one value: the good one must pass and the bad one must
fail in PostgreSQL with an IntegrityError that names the constraint. Rows are written with
``objects.create`` so no model validation stands between the test and the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from chats.models import Chat, ChatKind, ChatRequirement
from compliance.models import DashboardSnapshot, Finding
from invitations.models import ConsentText, Invitation, JoinRequest
from invitations.models import Role as InvitationRole
from orders.models import (
    Acknowledgement,
    AdminRegistrationRequest,
    Order,
    OrderPoint,
    OrderTemplate,
    OrderTemplatePoint,
    PointEvidence,
    Regulation,
    Reminder,
    Responsibility,
)
from roster.models import ImportRun
from staff.models import Absence, School, SchoolClass, TrainingRecord, YearTurnover
from staff.services import municipality_named

from .factories import OrderFactory, OrderPointFactory, PersonFactory, UserFactory

NOW = timezone.now()
TODAY = datetime.date(2025, 12, 15)
HTTPS = "https://sferum.example/join/abc"


@pytest.fixture
def ctx(school, class_5a):
    order = OrderFactory(school=school)
    return SimpleNamespace(
        school=school,
        school_class=class_5a,
        person=PersonFactory(school=school),
        other_person=PersonFactory(school=school),
        user=UserFactory(),
        order=order,
        point=OrderPointFactory(order=order, number="4"),
    )


# --- writers: each takes the context and the one value the good and bad rows differ in --------


def school_with_term(days):
    return lambda c: School.objects.create(
        name="Школа",
        short_name="Школа",
        municipality=municipality_named("Сыктывкар"),
        invitation_term_days=days,
    )


def schoolclass_with(**fields):
    def write(c):
        values = {"school": c.school, "academic_year": 2025, "grade": 6, "letter": "В"} | fields
        return SchoolClass.objects.create(**values)

    return write


def two_classes(second_letter):
    def write(c):
        schoolclass_with(grade=7, letter="А")(c)
        schoolclass_with(grade=7, letter=second_letter)(c)

    return write


def absence_ending(ends_on):
    return lambda c: Absence.objects.create(person=c.person, starts_on=TODAY, ends_on=ends_on)


def two_trainings(second_url):
    def write(c):
        for url in ("https://edu.example/course", second_url):
            TrainingRecord.objects.create(
                school=c.school,
                person=c.person,
                course_title="Сферум",
                course_url=url,
                completed_on=TODAY,
            )

    return write


def two_orders(second_number):
    def write(c):
        for number in ("883", second_number):
            Order.objects.create(school=c.school, number=number, date=TODAY, title="О Сферуме")

    return write


def two_points(second_number):
    def write(c):
        for number in ("5", second_number):
            OrderPoint.objects.create(order=c.order, number=number, text="Пункт")

    return write


def two_responsibilities(second_role, same_person=False):
    def write(c):
        Responsibility.objects.create(
            point=c.point, person=c.person, role=Responsibility.Role.PRIMARY
        )
        second = c.person if same_person else c.other_person
        Responsibility.objects.create(point=c.point, person=second, role=second_role)

    return write


def two_regulations(second_version):
    def write(c):
        for version in (1, second_version):
            Regulation.objects.create(
                school=c.school,
                order=c.order,
                title="Положение",
                version=version,
                approved_on=TODAY,
            )

    return write


def regulation_published(url):
    return lambda c: Regulation.objects.create(
        school=c.school,
        order=c.order,
        title="Положение",
        approved_on=TODAY,
        published_on=TODAY,
        published_url=url,
    )


def two_acknowledgements(second_person_attr):
    def write(c):
        for attr in ("person", second_person_attr):
            Acknowledgement.objects.create(order=c.order, person=getattr(c, attr))

    return write


def admin_request(consent):
    return lambda c: AdminRegistrationRequest.objects.create(
        school=c.school,
        order=c.order,
        full_name="Сидоров Иван",
        email="admin@school.example",
        phone="+79000000000",
        consent=consent,
    )


def finding(c, *, subject="class:1:class_parents", resolved_at=None, opened_at=NOW):
    return Finding.objects.create(
        school=c.school,
        check_key="class_chat_missing",
        subject_key=subject,
        opened_at=opened_at,
        resolved_at=resolved_at,
    )


def two_open_findings(second_subject):
    def write(c):
        finding(c)
        finding(c, subject=second_subject)

    return write


def resolved_then_open(c):
    finding(c, resolved_at=NOW)
    finding(c)


def finding_resolved_at(resolved_at):
    return lambda c: finding(c, resolved_at=resolved_at)


def two_snapshots(second_date):
    def write(c):
        for date in (TODAY, second_date):
            DashboardSnapshot.objects.create(school=c.school, date=date)

    return write


def evidence(**fields):
    values = {"url": "", "comment": "", "file": ""} | fields
    return lambda c: PointEvidence.objects.create(point=c.point, **values)


def reminder(c, *, kind=Reminder.Kind.OVERDUE, **fields):
    return Reminder.objects.create(
        point=c.point,
        kind=kind,
        deadline=TODAY,
        person=c.person,
        claim_token="run-1",
        claimed_at=NOW,
        **fields,
    )


def two_reminders(second_kind):
    def write(c):
        reminder(c)
        reminder(c, kind=second_kind)

    return write


def reminder_with(**fields):
    return lambda c: reminder(c, **fields)


def requirement(kind, min_grade=None, max_grade=None):
    return lambda c: ChatRequirement.objects.create(
        school=c.school, kind=kind, min_grade=min_grade, max_grade=max_grade
    )


def two_requirements(second_kind):
    def write(c):
        requirement(ChatKind.SCHOOL_GENERAL)(c)
        requirement(second_kind)(c)

    return write


def chat(
    c,
    *,
    kind=ChatKind.CLASS_PARENTS,
    school_class="default",
    url="https://sferum.example/chat/1",
    status=Chat.Status.ACTIVE,
):
    if school_class == "default":
        school_class = c.school_class
    return Chat.objects.create(
        school=c.school, kind=kind, school_class=school_class, title="Чат", url=url, status=status
    )


def chat_with(**fields):
    return lambda c: chat(c, **fields)


def two_chats(
    kind, second_status=Chat.Status.ACTIVE, first_status=Chat.Status.ACTIVE, school_wide=False
):
    def write(c):
        school_class = None if school_wide else c.school_class
        chat(c, kind=kind, school_class=school_class, status=first_status)
        chat(c, kind=kind, school_class=school_class, status=second_status)

    return write


def invitation(c, **fields):
    values = {
        "school": c.school,
        "school_class": c.school_class,
        "role": InvitationRole.PARENT,
        "platform_url": HTTPS,
        "expires_at": NOW + datetime.timedelta(days=14),
    } | fields
    return Invitation.objects.create(**values)


def invitation_with(**fields):
    return lambda c: invitation(c, **fields)


def join_request_with(**fields):
    def write(c):
        values = {
            "school": c.school,
            "school_class": c.school_class,
            "role": InvitationRole.PARENT,
            "full_name": "Петров Пётр",
            "child_name": "Петров Ваня",
            "consent": True,
        } | fields
        return JoinRequest.objects.create(**values)

    return write


def two_submissions(second_key, first_key="form-1"):
    """Two join requests through one link; a double click re-sends the same submission key."""

    def write(c):
        link = invitation(c, max_uses=30)
        for key in (first_key, second_key):
            join_request_with(invitation=link, submission_key=key)(c)

    return write


def two_person_keys(second_key, first_key="петров петр|петров ваня"):
    """Two join requests through one link by the people with these keys (names normalised)."""

    def write(c):
        link = invitation(c, max_uses=30)
        for n, key in enumerate((first_key, second_key)):
            join_request_with(invitation=link, person_key=key, submission_key=f"form-{n}")(c)

    return write


def two_invitations_same_token(second_token):
    def write(c):
        invitation(c, token="a" * 32)
        invitation(c, token=second_token)

    return write


# --- the year turnover, the department's template, consent versions, imports ------------------


def two_turnovers(second_status):
    def write(c):
        for status in ("applied", second_status):
            YearTurnover.objects.create(
                school=c.school, from_year=2025, to_year=2026, applied_at=NOW, status=status
            )

    return write


def turnover_to(to_year):
    return lambda c: YearTurnover.objects.create(
        school=c.school, from_year=2025, to_year=to_year, applied_at=NOW
    )


def _template(c, number="935"):
    return OrderTemplate.objects.create(
        municipality=c.school.municipality,
        number=number,
        date=datetime.date(2025, 12, 1),
        issuer="Управление образования",
        title="Об использовании платформы «Сферум»",
    )


def two_templates(second_number):
    def write(c):
        _template(c)
        _template(c, second_number)

    return write


def two_template_points(second_number):
    def write(c):
        template = _template(c)
        OrderTemplatePoint.objects.create(template=template, number="1", text="Первый")
        OrderTemplatePoint.objects.create(template=template, number=second_number, text="Второй")

    return write


def two_consent_versions(second_version):
    def write(c):
        for version in (1, second_version):
            ConsentText.objects.create(
                school=c.school, version=version, text="Согласен", parent_text="Согласен"
            )

    return write


def import_run(status, applied_at):
    return lambda c: ImportRun.objects.create(
        school=c.school,
        kind="staff",
        file_name="staff.csv",
        content=b"",
        status=status,
        applied_at=applied_at,
    )


# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    constraint: str
    good: Callable
    bad: Callable


CASES = {
    # staff
    "school term 0 days": Case(
        "school_invitation_term_positive", school_with_term(1), school_with_term(0)
    ),
    "class twice in a year": Case(
        "schoolclass_unique_per_year", two_classes("Б"), two_classes("А")
    ),
    "class grade 0": Case(
        "schoolclass_grade_1_11", schoolclass_with(grade=1), schoolclass_with(grade=0)
    ),
    "class grade 12": Case(
        "schoolclass_grade_1_11", schoolclass_with(grade=11), schoolclass_with(grade=12)
    ),
    "class without letter": Case(
        "schoolclass_letter_not_empty", schoolclass_with(letter="Г"), schoolclass_with(letter="")
    ),
    "absence ends before start": Case(
        "absence_ends_after_start",
        absence_ending(TODAY),
        absence_ending(TODAY - datetime.timedelta(days=1)),
    ),
    "training twice for a course": Case(
        "training_once_per_course",
        two_trainings("https://edu.example/other"),
        two_trainings("https://edu.example/course"),
    ),
    # orders
    "order number twice a day": Case(
        "order_unique_number_per_school", two_orders("884"), two_orders("883")
    ),
    "point number twice": Case("orderpoint_unique_number", two_points("6"), two_points("5")),
    "two primaries per point": Case(
        "responsibility_one_primary_per_point",
        two_responsibilities(Responsibility.Role.BACKUP),
        two_responsibilities(Responsibility.Role.PRIMARY),
    ),
    "person twice per point": Case(
        "responsibility_person_once_per_point",
        two_responsibilities(Responsibility.Role.BACKUP),
        two_responsibilities(Responsibility.Role.BACKUP, same_person=True),
    ),
    "regulation version twice": Case(
        "regulation_unique_version", two_regulations(2), two_regulations(1)
    ),
    "regulation published without url": Case(
        "regulation_publication_has_url",
        regulation_published("https://school.example/sferum.pdf"),
        regulation_published(""),
    ),
    "acknowledged twice": Case(
        "acknowledgement_once_per_person",
        two_acknowledgements("other_person"),
        two_acknowledgements("person"),
    ),
    "admin request without consent": Case(
        "adminrequest_requires_consent", admin_request(True), admin_request(False)
    ),
    "two open findings per subject": Case(
        "finding_one_open_per_subject",
        two_open_findings("class:2:class_parents"),
        two_open_findings("class:1:class_parents"),
    ),
    "finding resolved before opened": Case(
        "finding_resolved_after_opened",
        finding_resolved_at(NOW),
        finding_resolved_at(NOW - datetime.timedelta(seconds=1)),
    ),
    "snapshot twice a day": Case(
        "snapshot_one_per_school_per_day",
        two_snapshots(TODAY + datetime.timedelta(days=1)),
        two_snapshots(TODAY),
    ),
    "evidence with nothing in it": Case(
        "pointevidence_not_empty", evidence(comment="Приказ доведён до всех"), evidence()
    ),
    "reminder sent twice": Case(
        "reminder_once_per_point_kind",
        two_reminders(Reminder.Kind.BEFORE_DEADLINE),
        two_reminders(Reminder.Kind.OVERDUE),
    ),
    "reminder sent without a time": Case(
        "reminder_sent_has_time",
        reminder_with(status=Reminder.Status.SENT, sent_at=NOW),
        reminder_with(status=Reminder.Status.SENT),
    ),
    # chats
    "requirement kind twice": Case(
        "chatrequirement_unique_kind",
        two_requirements(ChatKind.SCHOOL_STAFF),
        two_requirements(ChatKind.SCHOOL_GENERAL),
    ),
    "class requirement without grades": Case(
        "chatrequirement_grades_match_kind",
        requirement(ChatKind.CLASS_PARENTS, 1, 11),
        requirement(ChatKind.CLASS_PARENTS),
    ),
    "class requirement without upper grade": Case(
        "chatrequirement_grades_match_kind",
        requirement(ChatKind.CLASS_PARENTS, 1, 11),
        requirement(ChatKind.CLASS_PARENTS, 1, None),
    ),
    "class requirement up to grade 12": Case(
        "chatrequirement_grades_match_kind",
        requirement(ChatKind.CLASS_PARENTS, 1, 11),
        requirement(ChatKind.CLASS_PARENTS, 1, 12),
    ),
    "class requirement grades reversed": Case(
        "chatrequirement_grades_match_kind",
        requirement(ChatKind.CLASS_STUDENTS, 5, 5),
        requirement(ChatKind.CLASS_STUDENTS, 6, 5),
    ),
    "school requirement with grades": Case(
        "chatrequirement_grades_match_kind",
        requirement(ChatKind.SCHOOL_GENERAL),
        requirement(ChatKind.SCHOOL_GENERAL, 1, 11),
    ),
    "class chat without class": Case(
        "chat_class_matches_kind",
        chat_with(kind=ChatKind.CLASS_OTHER),
        chat_with(kind=ChatKind.CLASS_OTHER, school_class=None),
    ),
    "school chat with class": Case(
        "chat_class_matches_kind",
        chat_with(kind=ChatKind.SCHOOL_GENERAL, school_class=None),
        chat_with(kind=ChatKind.SCHOOL_GENERAL),
    ),
    "chat url over http": Case(
        "chat_url_https",
        chat_with(url="https://sferum.example/chat/1"),
        chat_with(url="http://sferum.example/chat/1"),
    ),
    "two active students chats": Case(
        "chat_one_active_per_class_kind",
        two_chats(ChatKind.CLASS_STUDENTS, first_status=Chat.Status.ARCHIVED),
        two_chats(ChatKind.CLASS_STUDENTS),
    ),
    "two active parents chats": Case(
        "chat_one_active_per_class_kind",
        two_chats(ChatKind.CLASS_PARENTS, second_status=Chat.Status.ARCHIVED),
        two_chats(ChatKind.CLASS_PARENTS),
    ),
    "two active school chats of a kind": Case(
        "chat_one_active_per_school_kind",
        two_chats(ChatKind.SCHOOL_STAFF, first_status=Chat.Status.ARCHIVED, school_wide=True),
        two_chats(ChatKind.SCHOOL_STAFF, school_wide=True),
    ),
    # invitations
    "invitation max uses 0": Case(
        "invitation_max_uses_positive",
        invitation_with(max_uses=1),
        invitation_with(max_uses=0, uses=0),
    ),
    "invitation used beyond max": Case(
        "invitation_uses_within_max",
        invitation_with(max_uses=3, uses=3),
        invitation_with(max_uses=3, uses=4),
    ),
    "parent link without class": Case(
        "invitation_class_matches_role",
        invitation_with(role=InvitationRole.PARENT),
        invitation_with(role=InvitationRole.PARENT, school_class=None),
    ),
    "teacher link into a class": Case(
        "invitation_class_matches_role",
        invitation_with(role=InvitationRole.TEACHER, school_class=None),
        invitation_with(role=InvitationRole.TEACHER),
    ),
    "platform url over http": Case(
        "invitation_platform_https",
        invitation_with(platform_url=HTTPS),
        invitation_with(platform_url="http://sferum.example/join/abc"),
    ),
    "used link not used up": Case(
        "invitation_used_means_used_up",
        invitation_with(status=Invitation.Status.USED, max_uses=2, uses=2),
        invitation_with(status=Invitation.Status.USED, max_uses=2, uses=1),
    ),
    "invitation token twice": Case(
        "invitations_invitation_token",
        two_invitations_same_token("b" * 32),
        two_invitations_same_token("a" * 32),
    ),
    "join request without consent": Case(
        "joinrequest_requires_consent",
        join_request_with(consent=True),
        join_request_with(consent=False),
    ),
    "parent names no child": Case(
        "joinrequest_parent_names_child",
        join_request_with(child_name="Петров Ваня"),
        join_request_with(child_name=""),
    ),
    "pending request reviewed": Case(
        "joinrequest_reviewed_iff_not_pending",
        join_request_with(),
        join_request_with(reviewed_at=NOW),
    ),
    "same form submitted twice": Case(
        "joinrequest_one_per_submission", two_submissions("form-2"), two_submissions("form-1")
    ),
    "same person twice through one link": Case(
        "joinrequest_one_per_person_and_link",
        two_person_keys("петров петр|петрова маша"),
        two_person_keys("петров петр|петров ваня"),
    ),
    "approved request not reviewed": Case(
        "joinrequest_reviewed_iff_not_pending",
        join_request_with(status=JoinRequest.Status.APPROVED, reviewed_at=NOW),
        join_request_with(status=JoinRequest.Status.APPROVED),
    ),
    # the year turnover, the department's template, consent versions, imports
    "one school's year turned over twice": Case(
        "turnover_once_per_year", two_turnovers("reverted"), two_turnovers("applied")
    ),
    "turnover skipping a year": Case("turnover_next_year", turnover_to(2026), turnover_to(2027)),
    "department's order number twice a day": Case(
        "ordertemplate_unique_number", two_templates("936"), two_templates("935")
    ),
    "template point number twice": Case(
        "ordertemplatepoint_unique_number", two_template_points("2"), two_template_points("1")
    ),
    "consent version twice": Case(
        "consenttext_unique_version", two_consent_versions(2), two_consent_versions(1)
    ),
    "import applied time while not applied": Case(
        "importrun_applied_at_only_when_applied",
        import_run("applied", NOW),
        import_run("preview", NOW),
    ),
}

# Rows that look close to a violation but are allowed by design.
ALLOWED = {
    "a resolved finding plus a new open one": resolved_then_open,
    "several other chats of a class": two_chats(ChatKind.CLASS_OTHER),
    "archived parents chat plus an active one": two_chats(
        ChatKind.CLASS_PARENTS, first_status=Chat.Status.ARCHIVED
    ),
    "a student without a child's name": join_request_with(
        role=InvitationRole.STUDENT, child_name=""
    ),
    "a rejected request with a reason": join_request_with(
        status=JoinRequest.Status.REJECTED, reviewed_at=NOW, reason="Нет в списке"
    ),
    "two requests without a submission key": two_submissions("", first_key=""),
    "evidence by a link only": evidence(url="https://school.example/sferum"),
    "the same reminder for a moved deadline": lambda c: [
        reminder(c),
        Reminder.objects.create(
            point=c.point,
            kind=Reminder.Kind.OVERDUE,
            person=c.person,
            deadline=TODAY + datetime.timedelta(days=7),
            claim_token="run-2",
            claimed_at=NOW,
        ),
    ],
    "the same course by two people": lambda c: [
        TrainingRecord.objects.create(
            school=c.school,
            person=p,
            course_title="Сферум",
            course_url="https://edu.example/course",
            completed_on=TODAY,
        )
        for p in (c.person, c.other_person)
    ],
    "the same class letter in another year": lambda c: [
        schoolclass_with(academic_year=y)(c) for y in (2025, 2026)
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_good_row_passes(ctx, case):
    with transaction.atomic():
        case.good(ctx)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_row_is_rejected_by_its_constraint(ctx, case):
    with pytest.raises(IntegrityError) as error:
        with transaction.atomic():
            case.bad(ctx)
    assert _names_constraint(str(error.value), case.constraint)


def _names_constraint(message: str, name: str) -> bool:
    """PostgreSQL names the violated constraint; SQLite names a CHECK, but for a UNIQUE constraint
    (or partial unique index) it lists the table's columns instead: compare those there."""
    if name in message:
        return True
    if connection.vendor != "sqlite":
        return False
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name and isinstance(constraint, models.UniqueConstraint):
                columns = ", ".join(
                    f"{model._meta.db_table}.{model._meta.get_field(field).column}"
                    for field in constraint.fields
                )
                return f"UNIQUE constraint failed: {columns}" in message
        for field in model._meta.fields:  # unique=True: PostgreSQL's <table>_<column>_key
            if field.unique and name == f"{model._meta.db_table}_{field.column}":
                return f"UNIQUE constraint failed: {model._meta.db_table}.{field.column}" in message
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("write", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed_rows(ctx, write):
    with transaction.atomic():
        write(ctx)


def test_every_constraint_has_a_case():
    """A constraint added to a model without a case here fails this test (name it in CASES)."""
    declared = {
        constraint.name
        for label in (
            "staff",
            "compliance",
            "orders",
            "chats",
            "invitations",
            "roster",
            "messenger",
        )
        for model in apps.get_app_config(label).get_models()
        for constraint in model._meta.constraints
    }
    assert declared - {case.constraint for case in CASES.values()} == set()

"""``manage.py generate_scale_data --schools 40``: a municipality's worth of data (DESIGN.md §8).

Bulk inserts only (a fixed number of statements per model, whatever the size), so forty schools
load in seconds; the figures printed at the end are the benchmark. Everything respects the
database constraints, which is the point: the scale data is data the real code could have written.
"""

from __future__ import annotations

import datetime
import io
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from chats.models import SCHOOL_KINDS, Chat, ChatKind, ChatUserObjectPermission
from chats.services import chat_requirements_create_defaults
from invitations.models import CLASS_ROLES, Invitation, JoinRequest, new_token
from invitations.models import Role as LinkRole
from invitations.services import EXPIRED_PARTLY_USED_REASON, EXPIRED_UNUSED_REASON
from orders.demo import (
    ORDER_883_BASIS,
    ORDER_883_DISTRIBUTION,
    ORDER_883_POINTS,
    ORDER_883_PREAMBLE,
    ORDER_883_TITLE,
    REGULATION_TITLE,
)
from orders.models import Acknowledgement, Order, OrderPoint, Regulation, Responsibility
from staff.demo import (
    ACADEMIC_YEAR,
    GRADES,
    LETTERS,
    PLACEHOLDER_HOST,
    SCHOOL_YEAR_START,
    class_slug,
)
from staff.models import Movement, Person, School, SchoolClass, SchoolClassUserObjectPermission
from staff.roles import Role

BATCH = 5000

# Name parts for FICTIONAL people (combined at random; any match with a real person is chance).
_SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв"
).split()
_FEMALE_NAMES = "Анна Мария Елена Ольга Наталья Ирина Татьяна Светлана Екатерина Юлия Марина Галина Людмила Надежда Оксана".split()
_MALE_NAMES = (
    "Александр Сергей Андрей Дмитрий Алексей Михаил Игорь Владимир Николай Евгений".split()
)
_PATRONYMIC_STEMS = "Александров Сергеев Андреев Дмитриев Алексеев Михайлов Игорев Владимиров Николаев Евгеньев".split()
_SUBJECTS = (
    "учитель математики",
    "учитель русского языка и литературы",
    "учитель английского языка",
    "учитель физики",
    "учитель химии",
    "учитель биологии",
    "учитель истории и обществознания",
    "учитель географии",
    "учитель информатики",
    "учитель физической культуры",
    "учитель музыки",
    "учитель технологии",
)
_OTHER_POSITIONS = (
    "секретарь",
    "заведующий библиотекой",
    "лаборант",
    "специалист по кадрам",
    "бухгалтер",
)


def _fictional_name(rng: random.Random) -> str:
    female = rng.random() < 0.8
    surname = rng.choice(_SURNAMES) + ("а" if female else "")
    first = rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
    stem = rng.choice(_PATRONYMIC_STEMS)
    # «Игорев» + «ич» → «Игоревич»; «Евгеньев» + «на» → «Евгеньевна».
    return f"{surname} {first} {stem}{'на' if female else 'ич'}"


@dataclass
class _School:
    """What is made for one school, kept in memory to wire the next tables without queries."""

    number: int
    school: School
    people: list[Person] = field(default_factory=list)
    users: dict[str, object] = field(
        default_factory=dict
    )  # director, coordinator, engineer, teacher-<class>
    classes: list[SchoolClass] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Generate N schools of scale data: 33 classes, ~100 staff, ~3,000 invitation links in every "
        "status, chats covering ~90%% of the requirements, the default chat requirements, an order with "
        "the points of No. 883, join requests (no findings). Accounts are made for the director, "
        "coordinator, engineer and the 33 class teachers of each school; their object permissions are "
        "bulk-written to the direct permission tables (what class_teacher_assign / chat_owner_assign "
        "would grant) instead of going through the services row by row. Run again with another "
        "--prefix to add more schools."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools", type=int, default=40, help="number of schools (default 40)"
        )
        parser.add_argument(
            "--prefix", default="scale", help="marks the schools and usernames of this run"
        )
        parser.add_argument("--municipality", default="МО ГО «Сыктывкар»")
        parser.add_argument("--staff", type=int, default=100, help="staff per school (at least 40)")
        parser.add_argument(
            "--invitations", type=int, default=3000, help="invitation links per school"
        )
        parser.add_argument(
            "--password",
            default=None,
            help="password of the generated accounts (default: none usable)",
        )
        parser.add_argument("--seed", type=int, default=935, help="random seed")

    def handle(
        self, *args, schools, prefix, municipality, staff, invitations, password, seed, **options
    ):
        if schools < 1:
            raise CommandError("--schools must be at least 1")
        if staff < 40:
            raise CommandError(
                "--staff must be at least 40 (33 class teachers and the administration)"
            )
        if School.objects.filter(short_name__endswith=f"[{prefix}]").exists():
            raise CommandError(
                f"Schools with the prefix {prefix!r} exist already: choose another --prefix"
            )
        started = time.perf_counter()
        generator = _Generator(
            prefix=prefix,
            municipality=municipality,
            staff=staff,
            invitations=invitations,
            password_hash=make_password(password),
            rng=random.Random(seed),
            out=self.stdout,
        )
        with transaction.atomic():
            created = generator.run(schools)
        elapsed = time.perf_counter() - started
        self.stdout.write(", ".join(f"{label}: {count}" for label, count in created.items()))
        self.stdout.write(self.style.SUCCESS(f"{schools} schools generated in {elapsed:.1f} s"))


class _Generator:
    def __init__(self, *, prefix, municipality, staff, invitations, password_hash, rng, out):
        self.prefix = prefix
        self.municipality = municipality
        self.staff = staff
        self.invitations = invitations
        self.password_hash = password_hash
        self.rng = rng
        self.out = out
        self.now = timezone.now()
        self.created: dict[str, int] = {}
        self.groups = {group.name: group.pk for group in Group.objects.all()}
        self.perms = {
            (perm.content_type.app_label, perm.codename): perm.pk
            for perm in Permission.objects.select_related("content_type").filter(
                codename__in=["view_schoolclass", "lead_schoolclass", "view_chat", "change_chat"]
            )
        }

    def _bulk(self, model, rows):
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        self.created[model._meta.verbose_name_plural.capitalize()] = self.created.get(
            model._meta.verbose_name_plural.capitalize(), 0
        ) + len(created)
        return created

    def run(self, count: int) -> dict[str, int]:
        schools = self._schools(count)
        for item in schools:
            chat_requirements_create_defaults(school=item.school)
        self._users_and_people(schools)
        self._classes(schools)
        self._chats(schools)
        self._orders(schools)
        invitations = self._invitations(schools)
        self._join_requests(invitations)
        return self.created

    def _schools(self, count: int) -> list[_School]:
        rows = [
            School(
                name=f"МАОУ «Средняя общеобразовательная школа № {number}» [{self.prefix}]",
                short_name=f"СОШ № {number} [{self.prefix}]",
                municipality=self.municipality,
                site_url=f"https://{self.prefix}-{number}.example.org/",
            )
            for number in range(1, count + 1)
        ]
        return [
            _School(number=index, school=school)
            for index, school in enumerate(self._bulk(School, rows), 1)
        ]

    def _users_and_people(self, schools: list[_School]) -> None:
        User = get_user_model()
        users, people, memberships = [], [], []
        for item in schools:
            base = f"{self.prefix}-{item.number}"
            for key in ("director", "coordinator", "engineer"):
                item.users[key] = User(username=f"{base}-{key}", password=self.password_hash)
            for grade in GRADES:
                for letter in LETTERS:
                    slug = class_slug(grade, letter)
                    item.users[f"teacher-{slug}"] = User(
                        username=f"{base}-teacher-{slug}", password=self.password_hash
                    )
            users.extend(item.users.values())
        self._bulk(User, users)

        roles = {
            "director": (Role.DIRECTOR, Role.STAFF),
            "coordinator": (Role.COORDINATOR, Role.STAFF),
            "engineer": (Role.OPERATOR, Role.STAFF),
        }
        Membership = User.groups.through
        for item in schools:
            rng = self.rng
            fixed = [
                ("director", "директор", Person.StaffKind.OTHER),
                ("coordinator", "заместитель директора", Person.StaffKind.OTHER),
                ("engineer", "главный инженер", Person.StaffKind.OTHER),
                (None, "заместитель директора", Person.StaffKind.OTHER),
                (None, "заместитель директора", Person.StaffKind.OTHER),
                (None, "ответственный за наполнение сайта", Person.StaffKind.OTHER),
            ]
            for key, position, kind in fixed:
                people.append(
                    Person(
                        school=item.school,
                        user=item.users.get(key),
                        full_name=_fictional_name(rng),
                        position=position,
                        staff_kind=kind,
                    )
                )
                if key:
                    memberships += [
                        Membership(user_id=item.users[key].pk, group_id=self.groups[role])
                        for role in roles[key]
                    ]
            for grade in GRADES:
                for letter in LETTERS:
                    user = item.users[f"teacher-{class_slug(grade, letter)}"]
                    position = "учитель начальных классов" if grade <= 4 else rng.choice(_SUBJECTS)
                    people.append(
                        Person(
                            school=item.school,
                            user=user,
                            full_name=_fictional_name(rng),
                            position=position,
                        )
                    )
                    memberships += [
                        Membership(user_id=user.pk, group_id=self.groups[Role.STAFF]),
                        Membership(user_id=user.pk, group_id=self.groups[Role.CLASS_TEACHER]),
                    ]
            for _index in range(self.staff - len(fixed) - 33):
                other = rng.random() < 0.2
                people.append(
                    Person(
                        school=item.school,
                        full_name=_fictional_name(rng),
                        position=rng.choice(_OTHER_POSITIONS if other else _SUBJECTS),
                        staff_kind=Person.StaffKind.OTHER if other else Person.StaffKind.TEACHING,
                    )
                )
        created = self._bulk(Person, people)
        by_school: dict[int, list[Person]] = {}
        for person in created:
            by_school.setdefault(person.school_id, []).append(person)
        for item in schools:
            item.people = by_school[item.school.pk]
        self._bulk(Membership, memberships)

    def _classes(self, schools: list[_School]) -> None:
        rows = []
        for item in schools:
            teachers = iter(item.people[6:39])
            for grade in GRADES:
                for letter in LETTERS:
                    students = self.rng.randint(20, 30)
                    rows.append(
                        SchoolClass(
                            school=item.school,
                            academic_year=ACADEMIC_YEAR,
                            grade=grade,
                            letter=letter,
                            class_teacher=next(teachers),
                            students_expected=students,
                            parents_expected=round(students * 1.6),
                        )
                    )
        created = self._bulk(SchoolClass, rows)
        # Classes date from the start of the school year (past the grace period of new classes).
        SchoolClass.objects.filter(school__in=[item.school for item in schools]).update(
            created_at=SCHOOL_YEAR_START
        )
        by_school: dict[int, list[SchoolClass]] = {}
        for school_class in created:
            by_school.setdefault(school_class.school_id, []).append(school_class)
        perms, movements = [], []
        for item in schools:
            item.classes = by_school[item.school.pk]
            for school_class in item.classes:
                user_id = school_class.class_teacher.user_id
                perms += [
                    SchoolClassUserObjectPermission(
                        user_id=user_id,
                        permission_id=self.perms[("staff", codename)],
                        content_object=school_class,
                    )
                    for codename in ("view_schoolclass", "lead_schoolclass")
                ]
                movements.append(
                    Movement(
                        school=item.school,
                        kind=Movement.Kind.CLASS_TEACHER_CHANGED,
                        school_class=school_class,
                        person=school_class.class_teacher,
                    )
                )
        self._bulk(SchoolClassUserObjectPermission, perms)
        self._bulk(Movement, movements)

    def _chats(self, schools: list[_School]) -> None:
        """About nine in ten required chats exist; each is owned by the class teacher or the director."""
        rows = []
        for item in schools:
            director = item.people[0]
            base = f"{PLACEHOLDER_HOST}/chat/{self.prefix}-{item.number}"
            for school_class in item.classes:
                for kind, label, expected in (
                    (ChatKind.CLASS_STUDENTS, "учащиеся", school_class.students_expected),
                    (ChatKind.CLASS_PARENTS, "родители", school_class.parents_expected),
                ):
                    if self.rng.random() < 0.9:
                        rows.append(
                            Chat(
                                school=item.school,
                                kind=kind,
                                school_class=school_class,
                                title=f"{school_class.name} — {label}",
                                url=f"{base}/{school_class.pk}-{kind}",
                                owner=school_class.class_teacher,
                                members_count=expected - self.rng.randint(0, 6),
                            )
                        )
            for kind in SCHOOL_KINDS:
                if self.rng.random() < 0.9:
                    rows.append(
                        Chat(
                            school=item.school,
                            kind=kind,
                            title=ChatKind(kind).label,
                            url=f"{base}/{kind}",
                            owner=director,
                        )
                    )
        chats = self._bulk(Chat, rows)
        user_of_person = {
            person.pk: person.user.pk
            for item in schools
            for person in item.people
            if person.user_id
        }
        perms, owner_users = [], set()
        for chat in chats:
            user_id = user_of_person.get(chat.owner_id)
            if user_id is None:
                continue
            owner_users.add(user_id)
            perms += [
                ChatUserObjectPermission(
                    user_id=user_id,
                    permission_id=self.perms[("chats", codename)],
                    content_object=chat,
                )
                for codename in ("view_chat", "change_chat")
            ]
        self._bulk(ChatUserObjectPermission, perms)
        Membership = get_user_model().groups.through
        self._bulk(
            Membership,
            [
                Membership(user_id=user_id, group_id=self.groups[Role.CHAT_OWNER])
                for user_id in owner_users
            ],
        )

    def _orders(self, schools: list[_School]) -> None:
        orders = self._bulk(
            Order,
            [
                Order(
                    school=item.school,
                    number=str(700 + item.number),
                    date=datetime.date(2025, 12, 15),
                    title=ORDER_883_TITLE,
                    basis=ORDER_883_BASIS,
                    preamble=ORDER_883_PREAMBLE,
                    signed_by=item.people[0],
                    distribution_note=ORDER_883_DISTRIBUTION,
                )
                for item in schools
            ],
        )
        positions = {
            spec.number: position for position, spec in enumerate(ORDER_883_POINTS, start=1)
        }

        def point(order, spec, parent=None):
            return OrderPoint(
                order=order,
                parent=parent,
                number=spec.number,
                position=positions[spec.number],
                text=spec.text,
                deadline=spec.deadline,
                check_key=spec.check_key,
            )

        # Top-level points first: the sub-points need their parent's id.
        top = self._bulk(
            OrderPoint,
            [
                point(order, spec)
                for order in orders
                for spec in ORDER_883_POINTS
                if not spec.parent
            ],
        )
        parents = {(p.order_id, p.number): p for p in top}
        sub = self._bulk(
            OrderPoint,
            [
                point(order, spec, parents[(order.pk, spec.parent)])
                for order in orders
                for spec in ORDER_883_POINTS
                if spec.parent
            ],
        )
        points = {(p.order_id, p.number): p for p in top + sub}

        responsibilities, acknowledgements, regulations = [], [], []
        R = Responsibility.Role
        for order, item in zip(orders, schools, strict=True):
            director, coordinator, engineer, _deputy1, _deputy2, web_editor = item.people[:6]
            plan = {
                "1": [(director, R.PRIMARY)],
                "2": [(coordinator, R.PRIMARY), (engineer, R.BACKUP)],
                "6": [(director, R.PRIMARY)],
                "8": [(web_editor, R.PRIMARY)],
                "9": [(director, R.PRIMARY)],
            }
            for spec in ORDER_883_POINTS:
                if spec.number == "3" or spec.parent == "3":
                    plan[spec.number] = [(engineer, R.PRIMARY)]
                elif spec.number.startswith("7."):
                    plan[spec.number] = [(coordinator, R.PRIMARY)]
            responsibilities += [
                Responsibility(point=points[(order.pk, number)], person=person, role=role)
                for number, assignments in plan.items()
                for person, role in assignments
            ]
            acknowledgements += [
                Acknowledgement(
                    order=order,
                    person=person,
                    acknowledged_at=self.now - datetime.timedelta(days=self.rng.randint(1, 300))
                    if self.rng.random() < 0.7
                    else None,
                )
                for person in item.people
            ]
            published = self.rng.random() < 0.6
            regulations.append(
                Regulation(
                    school=item.school,
                    order=order,
                    title=REGULATION_TITLE,
                    approved_on=order.date,
                    published_url=f"{item.school.site_url}documents/polozhenie-sferum.pdf"
                    if published
                    else "",
                    published_on=datetime.date(2025, 12, 15)
                    + datetime.timedelta(days=self.rng.randint(1, 20))
                    if published
                    else None,
                )
            )
        self._bulk(Responsibility, responsibilities)
        self._bulk(Acknowledgement, acknowledgements)
        self._bulk(Regulation, regulations)

    def _invitations(self, schools: list[_School]) -> list[tuple]:
        rng, now = self.rng, self.now
        day = datetime.timedelta(days=1)
        statuses = [
            Invitation.Status.ACTIVE,
            Invitation.Status.USED,
            Invitation.Status.EXPIRED,
            Invitation.Status.ANNULLED,
        ]
        status_weights = [15, 45, 30, 10]
        roles = [LinkRole.PARENT, LinkRole.STUDENT, LinkRole.TEACHER, LinkRole.STAFF]
        role_weights = [55, 35, 7, 3]
        rows = []
        for item in schools:
            engineer_id = item.users["engineer"].pk
            term = datetime.timedelta(days=item.school.invitation_term_days)
            base = f"{PLACEHOLDER_HOST}/join/{self.prefix}-{item.number}"
            for index in range(self.invitations):
                status = rng.choices(statuses, status_weights)[0]
                role = rng.choices(roles, role_weights)[0]
                school_class = rng.choice(item.classes) if role in CLASS_ROLES else None
                multi = role in CLASS_ROLES and rng.random() < 0.3
                max_uses = rng.randint(20, 35) if multi else 1
                if status == Invitation.Status.ACTIVE:
                    # A few are past their term and still active: what the hourly job is for.
                    issued = now - (term + day if rng.random() < 0.01 else rng.random() * term)
                    uses = rng.randint(0, max_uses - 1)
                else:
                    issued = now - term - rng.random() * 300 * day
                    used_up = status == Invitation.Status.USED
                    uses = max_uses if used_up else rng.randint(0, max_uses - 1)
                annulled_at, reason, annulled_by = None, "", None
                if status == Invitation.Status.EXPIRED:
                    annulled_at = issued + term
                    reason = EXPIRED_UNUSED_REASON if uses == 0 else EXPIRED_PARTLY_USED_REASON
                elif status == Invitation.Status.ANNULLED:
                    annulled_at = issued + rng.random() * term
                    reason, annulled_by = "Аннулирована вручную", engineer_id
                created_by = engineer_id
                if school_class is not None and rng.random() < 0.6:
                    slug = class_slug(school_class.grade, school_class.letter)
                    created_by = item.users[f"teacher-{slug}"].pk
                rows.append((
                    item.school.pk, school_class.pk if school_class else None, role, new_token(),
                    max_uses, uses, issued + term, status, f"{base}/{index}", created_by,
                    annulled_at, annulled_by, reason, issued, now,
                ))  # fmt: skip
        self._insert(Invitation, _INVITATION_COLUMNS, rows)
        if not _copy_supported():
            # bulk_create stamps created_at with now: backdate every link to when it was issued.
            Invitation.objects.filter(school__in=[item.school for item in schools]).update(
                created_at=F("expires_at") - datetime.timedelta(days=14)
            )
        return list(
            Invitation.objects.filter(school__in=[item.school for item in schools])
            .filter(uses__gt=0)
            .values_list("pk", "school_id", "role", "school_class_id", "created_by_id")
        )

    def _insert(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert many rows: PostgreSQL's COPY where available (the bulk of the time), else bulk_create."""
        label = model._meta.verbose_name_plural.capitalize()
        self.created[label] = self.created.get(label, 0) + len(rows)
        if not _copy_supported():
            model.objects.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH
            )
            return
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_text(value) for value in row))
            buffer.write("\n")
        buffer.seek(0)
        quoted = ", ".join(
            connection.ops.quote_name(model._meta.get_field(name).column) for name in columns
        )
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)

    def _join_requests(self, invitations: list[tuple]) -> None:
        """One request for about one link in ten that was used: pending, approved or rejected."""
        rows = []
        for pk, school_id, role, school_class_id, created_by_id in invitations:
            if self.rng.random() >= 0.1:
                continue
            status = self.rng.choices(list(JoinRequest.Status), [15, 75, 10])[0]
            pending = status == JoinRequest.Status.PENDING
            parent = role == LinkRole.PARENT
            rows.append(
                JoinRequest(
                    school_id=school_id,
                    invitation_id=pk,
                    role=role,
                    school_class_id=school_class_id,
                    full_name=_fictional_name(self.rng),
                    child_name=_fictional_name(self.rng).rsplit(" ", 1)[0] if parent else "",
                    consent=True,
                    status=status,
                    reviewed_by_id=None if pending else created_by_id,
                    reviewed_at=None if pending else self.now,
                    reason="Не числится в классе" if status == JoinRequest.Status.REJECTED else "",
                )
            )
        self._bulk(JoinRequest, rows)


_INVITATION_COLUMNS = (
    "school_id", "school_class_id", "role", "token", "max_uses", "uses", "expires_at", "status",
    "platform_url", "created_by_id", "annulled_at", "annulled_by_id", "annul_reason", "created_at",
    "updated_at",
)  # fmt: skip


def _copy_supported() -> bool:
    """COPY FROM STDIN through psycopg2 (the driver the project uses on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy_expert")


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

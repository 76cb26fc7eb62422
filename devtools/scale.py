"""The generation behind ``manage.py generate_scale_data``: a municipality's worth of data
(DESIGN.md §8).

Bulk inserts only (a fixed number of statements per model, whatever the size), so forty schools
load in seconds. Everything respects the database constraints, which is the point: the scale data
is data the real code could have written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from chats.demo import class_slug
from chats.models import SCHOOL_KINDS, Chat, ChatKind, ChatUserObjectPermission
from chats.services import chat_requirements_create_defaults
from devtools import bulk
from devtools.links import LinkRows
from devtools.names import OTHER_POSITIONS, SUBJECTS, fictional_name
from invitations.demo import PLACEHOLDER_HOST
from orders.demo import (
    ORDER_883_BASIS,
    ORDER_883_DISTRIBUTION,
    ORDER_883_POINTS,
    ORDER_883_PREAMBLE,
    ORDER_883_TITLE,
    REGULATION_TITLE,
)
from orders.models import Acknowledgement, Order, OrderPoint, Regulation, Responsibility
from staff.demo import ACADEMIC_YEAR, GRADES, LETTERS, SCHOOL_YEAR_START
from staff.models import Movement, Person, School, SchoolClass, SchoolClassUserObjectPermission
from staff.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser


@dataclass
class GeneratedSchool:
    """What is made for one school, kept in memory to wire the next tables without queries."""

    number: int
    school: School
    people: list[Person] = field(default_factory=list)
    users: dict[str, AuthUser] = field(
        default_factory=dict
    )  # director, coordinator, engineer, teacher-<class>
    classes: list[SchoolClass] = field(default_factory=list)


class ScaleGenerator(LinkRows):
    """Writes N schools of scale data; ``run()`` returns the rows created per model."""

    def __init__(self, *, prefix, municipalities, staff, invitations, password_hash, rng, out):
        self.prefix = prefix
        self.municipalities = municipalities  # schools are dealt out to them in turn
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
        created = model.objects.bulk_create(rows, batch_size=bulk.BATCH)
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

    def _schools(self, count: int) -> list[GeneratedSchool]:
        rows = [
            School(
                name=f"МАОУ «Средняя общеобразовательная школа № {number}» [{self.prefix}]",
                short_name=f"СОШ № {number} [{self.prefix}]",
                municipality=self.municipalities[(number - 1) % len(self.municipalities)],
                site_url=f"https://{self.prefix}-{number}.example.org/",
            )
            for number in range(1, count + 1)
        ]
        return [
            GeneratedSchool(number=index, school=school)
            for index, school in enumerate(self._bulk(School, rows), 1)
        ]

    def _users_and_people(self, schools: list[GeneratedSchool]) -> None:
        User = get_user_model()
        users: list[AuthUser] = []
        people: list[Person] = []
        memberships = []
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
            for user_key, position, kind in fixed:
                people.append(
                    Person(
                        school=item.school,
                        user=item.users[user_key] if user_key else None,
                        full_name=fictional_name(rng),
                        position=position,
                        staff_kind=kind,
                    )
                )
                if user_key:
                    memberships += [
                        Membership(user_id=item.users[user_key].pk, group_id=self.groups[role])
                        for role in roles[user_key]
                    ]
            for grade in GRADES:
                for letter in LETTERS:
                    user = item.users[f"teacher-{class_slug(grade, letter)}"]
                    position = "учитель начальных классов" if grade <= 4 else rng.choice(SUBJECTS)
                    people.append(
                        Person(
                            school=item.school,
                            user=user,
                            full_name=fictional_name(rng),
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
                        full_name=fictional_name(rng),
                        position=rng.choice(OTHER_POSITIONS if other else SUBJECTS),
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

    def _classes(self, schools: list[GeneratedSchool]) -> None:
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
                teacher = school_class.class_teacher
                # Every class is led by one of the teachers made with a user above.
                assert teacher is not None and teacher.user_id is not None
                user_id = teacher.user_id
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

    def _chats(self, schools: list[GeneratedSchool]) -> None:
        """About nine in ten required chats exist; each is owned by the class teacher or the
        director."""
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
                            title=str(ChatKind(kind).label),
                            url=f"{base}/{kind}",
                            owner=director,
                        )
                    )
        chats = self._bulk(Chat, rows)
        user_of_person = {
            person.pk: person.user_id
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

    def _orders(self, schools: list[GeneratedSchool]) -> None:
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

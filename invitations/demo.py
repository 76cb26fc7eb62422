"""Demo data, the links part: the invitation links of the demo gymnasium and the join requests
made through them, in every status (``roster.demo.seed_demo`` runs it after ``staff.demo``).

The links point at a placeholder host, never at the real platform; their tokens are derived from
their slugs, so a second run finds the same links again and leaves the same data.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from staff.demo import DemoSchool

from .models import Invitation, JoinRequest
from .models import Role as LinkRole
from .services import EXPIRED_PARTLY_USED_REASON, EXPIRED_UNUSED_REASON

PLACEHOLDER_HOST = "https://sferum.example"  # never a real platform link in demo data


def demo_token(slug: str) -> str:
    """A stable, unguessable token for a demo link: the seed finds its links again on a second run.

    HMAC of the slug under SECRET_KEY — 192 bits, URL-safe, like ``invitations.models.new_token``.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"demo-invitation:{slug}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


@dataclass(frozen=True)
class _LinkSpec:
    slug: str
    role: str
    school_class: str | None
    issued_by: str
    status: str
    max_uses: int = 1
    uses: int = 0
    issued_days_ago: int = 2
    annulled_by: str | None = None
    reason: str = ""
    # Join requests made through the link: (full name, child's name, status, days ago).
    requests: tuple[tuple[str, str, str, int], ...] = ()


_P, _A, _J = JoinRequest.Status.PENDING, JoinRequest.Status.APPROVED, JoinRequest.Status.REJECTED
_S = Invitation.Status
# FICTIONAL requesters. Uses of a link equal the join requests made through it.
DEMO_LINKS: tuple[_LinkSpec, ...] = (
    _LinkSpec(
        "5a-parents-meeting",
        LinkRole.PARENT,
        "5А",
        "teacher_5a",
        _S.ACTIVE,
        max_uses=30,
        uses=4,
        issued_days_ago=6,
        requests=(
            ("Смирнова Ольга Викторовна", "Смирнов Артём", _A, 6),
            ("Кузьмин Роман Игоревич", "Кузьмина Алиса", _A, 6),
            ("Лисицына Анна Павловна", "Лисицын Матвей", _P, 5),
            ("Гусев Олег Николаевич", "Гусева Милана", _P, 1),
        ),
    ),
    _LinkSpec("5a-student", LinkRole.STUDENT, "5А", "teacher_5a", _S.ACTIVE, issued_days_ago=1),
    _LinkSpec(
        "5b-parents", LinkRole.PARENT, "5Б", "teacher_5b", _S.ACTIVE, max_uses=30, issued_days_ago=2
    ),
    _LinkSpec(
        "7b-parents", LinkRole.PARENT, "7Б", "engineer", _S.ACTIVE, max_uses=28, issued_days_ago=1
    ),
    _LinkSpec("teacher-new", LinkRole.TEACHER, None, "engineer", _S.ACTIVE, issued_days_ago=3),
    _LinkSpec(
        "staff-multi",
        LinkRole.STAFF,
        None,
        "engineer",
        _S.ACTIVE,
        max_uses=5,
        uses=2,
        issued_days_ago=4,
        requests=(
            ("Корнилова Вероника Андреевна", "", _A, 4),
            ("Титов Глеб Сергеевич", "", _P, 0),
        ),
    ),
    # Still «active» although its term is over: what the hourly job annuls (point 3.8 shows the
    # gap).
    _LinkSpec(
        "9a-parents-stale",
        LinkRole.PARENT,
        "9А",
        "engineer",
        _S.ACTIVE,
        max_uses=1,
        issued_days_ago=16,
    ),
    _LinkSpec(
        "teacher-used",
        LinkRole.TEACHER,
        None,
        "engineer",
        _S.USED,
        uses=1,
        issued_days_ago=9,
        requests=(("Мельникова Ирина Олеговна", "", _A, 8),),
    ),
    _LinkSpec(
        "3v-parent-used",
        LinkRole.PARENT,
        "3В",
        "engineer",
        _S.USED,
        uses=1,
        issued_days_ago=7,
        requests=(("Соловьёв Артур Ренатович", "Соловьёва Ева", _J, 6),),
    ),
    _LinkSpec(
        "11a-students",
        LinkRole.STUDENT,
        "11А",
        "engineer",
        _S.USED,
        max_uses=3,
        uses=3,
        issued_days_ago=10,
        requests=(
            ("Волков Даниил", "", _A, 9),
            ("Зуева Арина", "", _A, 9),
            ("Карпов Тимур", "", _A, 8),
        ),
    ),
    _LinkSpec(
        "6a-parent-expired",
        LinkRole.PARENT,
        "6А",
        "engineer",
        _S.EXPIRED,
        issued_days_ago=20,
        reason=EXPIRED_UNUSED_REASON,
    ),
    _LinkSpec(
        "8b-students-expired",
        LinkRole.STUDENT,
        "8Б",
        "engineer",
        _S.EXPIRED,
        max_uses=20,
        uses=2,
        issued_days_ago=25,
        reason=EXPIRED_PARTLY_USED_REASON,
        requests=(
            ("Белкин Ярослав", "", _A, 24),
            ("Фомина Дарья", "", _A, 22),
        ),
    ),
    _LinkSpec(
        "5a-parent-annulled",
        LinkRole.PARENT,
        "5А",
        "teacher_5a",
        _S.ANNULLED,
        issued_days_ago=8,
        annulled_by="teacher_5a",
        reason="Ссылка отправлена не в тот чат",
    ),
    _LinkSpec(
        "staff-annulled",
        LinkRole.STAFF,
        None,
        "engineer",
        _S.ANNULLED,
        issued_days_ago=12,
        annulled_by="engineer",
        reason="Сотрудник уволился до присоединения",
    ),
)


def seed_links(*, demo: DemoSchool, now: datetime.datetime) -> None:
    """The demo links, issued and reviewed some days before ``now``, and their join requests."""
    school, classes, users = demo.school, demo.classes, demo.users
    term = datetime.timedelta(days=school.invitation_term_days)
    for spec in DEMO_LINKS:
        issued_at = now - datetime.timedelta(days=spec.issued_days_ago)
        expires_at = issued_at + term
        if spec.status == _S.EXPIRED:
            annulled_at = expires_at
        elif spec.status == _S.ANNULLED:
            annulled_at = issued_at + datetime.timedelta(days=1)
        else:
            annulled_at = None
        school_class = classes[spec.school_class] if spec.school_class else None
        invitation, _created = Invitation.objects.update_or_create(
            token=demo_token(f"gym883-{spec.slug}"),
            defaults={
                "school": school,
                "school_class": school_class,
                "role": spec.role,
                "max_uses": spec.max_uses,
                "uses": spec.uses,
                "expires_at": expires_at,
                "status": spec.status,
                "platform_url": f"{PLACEHOLDER_HOST}/join/gym883-{spec.slug}",
                "created_by": users[spec.issued_by],
                "annulled_at": annulled_at,
                "annulled_by": users[spec.annulled_by] if spec.annulled_by else None,
                "annul_reason": spec.reason,
            },
        )
        # created_at is set on insert only; the demo backdates it to when the link was issued.
        Invitation.objects.filter(pk=invitation.pk).update(created_at=issued_at)
        reviewer = users["teacher_5a"] if spec.issued_by == "teacher_5a" else users["engineer"]
        for full_name, child_name, status, days_ago in spec.requests:
            made_at = now - datetime.timedelta(days=days_ago)
            pending = status == _P
            join_request, _created = JoinRequest.objects.update_or_create(
                invitation=invitation,
                full_name=full_name,
                defaults={
                    "school": school,
                    "role": spec.role,
                    "school_class": school_class,
                    "child_name": child_name,
                    "consent": True,
                    "status": status,
                    "reviewed_by": None if pending else reviewer,
                    "reviewed_at": None
                    if pending
                    else min(made_at + datetime.timedelta(hours=20), now),
                    "reason": "Ребёнок не числится в классе" if status == _J else "",
                },
            )
            JoinRequest.objects.filter(pk=join_request.pk).update(created_at=made_at)

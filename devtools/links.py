"""The invitation links and join requests of the scale data: a part of ``ScaleGenerator``.

The links are the bulk of the rows (3,000 a school): they go in through PostgreSQL's COPY.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.db.models import F

from chats.demo import class_slug
from devtools import bulk
from devtools.names import fictional_name
from invitations.demo import PLACEHOLDER_HOST
from invitations.models import CLASS_ROLES, Invitation, JoinRequest, new_token
from invitations.models import Role as LinkRole
from invitations.services import EXPIRED_PARTLY_USED_REASON, EXPIRED_UNUSED_REASON

if TYPE_CHECKING:
    from typing import TypeVar

    from django.db.models import Model

    from devtools.scale import GeneratedSchool

    _M = TypeVar("_M", bound=Model)


class LinkRows:
    """Mixed into ``ScaleGenerator``: uses its ``rng``, ``now``, ``prefix``, ``invitations``,
    ``created`` and ``_bulk``."""

    # Declared for the type checker only; ScaleGenerator sets them.
    rng: random.Random
    now: datetime.datetime
    prefix: str
    invitations: int
    created: dict[str, int]

    if TYPE_CHECKING:

        def _bulk(self, model: type[_M], rows: list[_M]) -> list[_M]: ...

    def _invitations(self, schools: list[GeneratedSchool]) -> list[tuple]:
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
        if not bulk.copy_supported():
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
        label = model._meta.verbose_name_plural.capitalize()
        self.created[label] = self.created.get(label, 0) + len(rows)
        bulk.insert_rows(model, columns, rows)

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
                    full_name=fictional_name(self.rng),
                    child_name=fictional_name(self.rng).rsplit(" ", 1)[0] if parent else "",
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

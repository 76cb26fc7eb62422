"""Demo data: the chats of the two fictional schools of Syktyvkar (``staff.demo_municipal``) —
one school nearly complete, the other just starting."""

from __future__ import annotations

from invitations.demo import PLACEHOLDER_HOST
from staff.models import School, SchoolClass

from .models import SCHOOL_KINDS, Chat, ChatKind
from .services import chat_owner_assign


def seed_fictional_chats(
    *,
    school: School,
    classes: dict[str, SchoolClass],
    slug: str,
    with_chats: int,
    school_chats: int,
) -> None:
    """Students' and parents' chats for the first ``with_chats`` classes, owned by their class
    teachers, and the first ``school_chats`` of the five school-wide chats."""
    for index, school_class in enumerate(classes.values()):
        if index >= with_chats:
            break
        for kind, label, members in (
            (ChatKind.CLASS_STUDENTS, "ученики", school_class.students_expected),
            (ChatKind.CLASS_PARENTS, "родители", school_class.parents_expected - 3),
        ):
            chat, _created = Chat.objects.update_or_create(
                school=school,
                kind=kind,
                school_class=school_class,
                defaults={
                    "title": f"{school_class.name} — {label}",
                    "url": f"{PLACEHOLDER_HOST}/chat/{slug}-{school_class.grade}a-{kind}",
                    "members_count": members,
                    "status": Chat.Status.ACTIVE,
                },
            )
            chat_owner_assign(chat=chat, person=school_class.class_teacher)
    for kind in SCHOOL_KINDS[:school_chats]:
        Chat.objects.update_or_create(
            school=school,
            kind=kind,
            school_class=None,
            defaults={
                "title": str(ChatKind(kind).label),
                "url": f"{PLACEHOLDER_HOST}/chat/{slug}-{kind}",
                "status": Chat.Status.ACTIVE,
            },
        )

"""Writes for the logins of the school's people. The coordinator never sees or sets a password:
the person sets it through a one-time link (Django's password-reset tokens: the link stops working
once the password is set) or, without e-mail, a one-time code from a printed sheet.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from staff.models import Person, School
from staff.roles import Role

from ..models import LoginCode
from ..services import person_account_link

User = get_user_model()

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
CODE_TERM = datetime.timedelta(days=14)
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
        strict=True,
    )
)


@dataclass
class Issued:
    """What the coordinator is shown for one person: never a password, at most a one-time code."""

    person: Person
    username: str
    emailed: bool
    code: str | None = None


def _latin(text: str) -> str:
    return "".join(_TRANSLIT.get(char, char) for char in text.lower()).replace("-", "")


def username_for(person: Person) -> str:
    """«Иванова Мария Петровна» → ``ivanova.mp`` (``ivanova.mp2`` if taken)."""
    words = [w for w in re.split(r"[\s.]+", person.full_name) if w]
    surname = re.sub(r"[^a-z]", "", _latin(words[0])) if words else ""
    initials = "".join(re.sub(r"[^a-z]", "", _latin(w))[:1] for w in words[1:3])
    base = (f"{surname}.{initials}" if initials else surname)[:140] or f"person{person.pk}"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def base_url() -> str:
    return (settings.PORTAL_BASE_URL or "").rstrip("/")


def set_password_link(user, *, origin: str = "") -> str:
    """The one-time link to set a password (absolute: ``PORTAL_BASE_URL``, else ``origin``)."""
    path = reverse(
        "account:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return (base_url() or origin.rstrip("/")) + path


def _send_link(person: Person, user, *, origin: str, reset: bool) -> None:
    context = {
        "person": person,
        "school": person.school,
        "link": set_password_link(user, origin=origin),
        "reset": reset,
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    subject = " ".join(render_to_string("roster/email/account_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("roster/email/account.txt", context),
        to=[person.email],
    )
    message.attach_alternative(render_to_string("roster/email/account.html", context), "text/html")
    message.send()


def code_hash(code: str) -> str:
    normal = re.sub(r"[\s-]", "", code).upper()
    return salted_hmac("roster.login_code", normal).hexdigest()


def _issue_code(person: Person, by) -> str:
    """A new one-time code (earlier unused ones of the person stop working)."""
    LoginCode.objects.filter(person=person, used_at__isnull=True).update(expires_at=timezone.now())
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    LoginCode.objects.create(
        person=person,
        code_hash=code_hash(raw),
        expires_at=timezone.now() + CODE_TERM,
        created_by=by,
    )
    return f"{raw[:5]}-{raw[5:]}"


def _deliver(person: Person, user, *, by, origin: str, reset: bool) -> Issued:
    if person.email:
        transaction.on_commit(lambda: _send_link(person, user, origin=origin, reset=reset))
        return Issued(person=person, username=user.username, emailed=True)
    return Issued(
        person=person, username=user.username, emailed=False, code=_issue_code(person, by)
    )


@transaction.atomic
def account_create(*, person: Person, by, origin: str = "") -> Issued:
    """A login for ``person`` (who has none): no usable password until the person sets one."""
    person = Person.objects.select_for_update().select_related("school").get(pk=person.pk)
    if person.user_id is not None:
        raise ValueError("The person has a login already.")
    if not person.is_active:
        raise ValueError("The person has left the school.")
    words = person.full_name.split()
    user = User(
        username=username_for(person),
        email=person.email,
        last_name=(words[0] if words else "")[:150],
        first_name=" ".join(words[1:])[:150],
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=Role.STAFF))
    person_account_link(person=person, user=user, by=by)  # the class rights follow the account
    return _deliver(person, user, by=by, origin=origin, reset=False)


def people_without_login(school: School):
    return Person.objects.filter(school=school, is_active=True, user__isnull=True).order_by(
        "full_name", "pk"
    )


@transaction.atomic
def accounts_create_missing(*, school: School, by, origin: str = "") -> list[Issued]:
    """A login for every active person of the school without one, in one step."""
    return [
        account_create(person=person, by=by, origin=origin)
        for person in people_without_login(school).select_for_update()
    ]


@transaction.atomic
def account_password_reset(*, person: Person, by, origin: str = "") -> Issued:
    """The old password stops working at once; a new link (or code) lets the person set one."""
    person = Person.objects.select_related("school", "user").get(pk=person.pk)
    user = person.user
    if user is None:
        raise ValueError("The person has no login.")
    user.set_unusable_password()  # also ends every link sent before (the token hashes it)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    return _deliver(person, user, by=by, origin=origin, reset=True)


@transaction.atomic
def account_set_active(*, person: Person, active: bool, by) -> Person:
    """Deactivate (or reactivate) the person's login: no sign-in, no API token, sessions end."""
    user = person.user
    if user is None:
        raise ValueError("The person has no login.")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    if not active:
        Token.objects.filter(user=user).delete()
        LoginCode.objects.filter(person=person, used_at__isnull=True).update(
            expires_at=timezone.now()
        )
    return person


def account_state(person: Person) -> str:
    """none | pending (password not set yet) | active | disabled."""
    user = person.user
    if user is None:
        return "none"
    if not user.is_active:
        return "disabled"
    return "active" if user.has_usable_password() else "pending"


@transaction.atomic
def login_code_redeem(*, username: str, code: str):
    """The user whose unused, unexpired code this is (the code is used up), or None."""
    found = (
        LoginCode.objects.usable()
        .select_for_update()
        .select_related("person__user")
        .filter(code_hash=code_hash(code), person__user__username__iexact=username.strip())
        .first()
    )
    if found is None or not found.person.user.is_active:
        return None
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    return found.person.user

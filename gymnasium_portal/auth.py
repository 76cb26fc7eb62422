"""Login brute-force protection (django-axes) and the client address it counts by.

Permissions are Django's ``ModelBackend`` and guardian's ``ObjectPermissionBackend`` (settings).
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.utils.translation import gettext


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request.

    The login form, the admin login and the API token endpoint all pass the request. A call to
    ``authenticate()`` without one (management commands, the test client's ``login()``) is not a
    login attempt from the network, so there is nothing to count or lock out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the hop PORTAL_PROXY_COUNT proxies back in
    X-Forwarded-For."""
    proxies = settings.PORTAL_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


class RevokeCredentialsOnPasswordChange:
    """Not a rule for passwords: Django's hook called whenever a user's password is changed.

    ``AbstractBaseUser.save()`` calls every validator's ``password_changed`` after
    ``set_password()`` — the change form, the reset link, the admin, ``changepassword`` and every
    service alike — so this is the one place that revokes the account's API tokens. Its other
    sessions end by themselves: Django signs out a session whose password hash no longer matches,
    and the view that changed the password keeps only its own (``update_session_auth_hash``).
    """

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk:
            from rest_framework.authtoken.models import Token  # noqa: PLC0415  (app registry)

            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return gettext("После смены пароля все другие сеансы и API-токены закрываются.")

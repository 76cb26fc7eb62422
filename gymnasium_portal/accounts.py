"""The logout that also revokes the API tokens, and the password reset form: rate-limited, and
its e-mailed link built from ``PORTAL_BASE_URL``.

Django's own view puts the request's Host into the link (``get_current_site`` without the sites
framework), so a forged ``Host: …:9999`` sent the user a link to another server. Requests are
counted with django-ratelimit in Django's cache (as the invitation guessing limit is), twice: per
client address (``gymnasium_portal.auth.client_ip``) and per account — the e-mail address typed,
compared without case, whether or not an account has it (the answer must not tell). Past either
limit the form answers 429 in Russian and sends nothing.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django_ratelimit.core import get_usage

from .auth import client_ip


def _rate(limit_setting: str):
    def rate(group, request) -> tuple[int, int]:
        return getattr(settings, limit_setting), max(int(settings.PASSWORD_RESET_WINDOW), 1)

    return rate


def _address_key(group, request) -> str:
    return client_ip(request) or "unknown"


def _account_key(group, request) -> str:
    email = request.POST.get("email", "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest()  # no address in the cache's keys


def password_reset_limited(request) -> int | None:
    """Count one reset request; the seconds to wait when the address or the account is past its
    limit, else None."""
    waits = []
    for group, key, limit in (
        ("accounts.reset.address", _address_key, "PASSWORD_RESET_LIMIT_PER_ADDRESS"),
        ("accounts.reset.account", _account_key, "PASSWORD_RESET_LIMIT_PER_ACCOUNT"),
    ):
        usage = get_usage(request, group=group, key=key, rate=_rate(limit), increment=True)
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, usage["time_left"] + 1))
    return max(waits) if waits else None


class PortalPasswordResetView(auth_views.PasswordResetView):
    def post(self, request, *args, **kwargs):
        wait = password_reset_limited(request)
        if wait is not None:
            response = render(
                request,
                "registration/password_reset_limited.html",
                {"minutes": max(1, (wait + 59) // 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        base = urlsplit(settings.PORTAL_BASE_URL)
        form.save(
            domain_override=base.netloc + base.path.rstrip("/"),
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return super(auth_views.PasswordResetView, self).form_valid(form)


password_reset = PortalPasswordResetView.as_view()


class PortalLogoutView(auth_views.LogoutView):
    """Signing out also ends the account's API tokens: "log out" means out everywhere."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            from rest_framework.authtoken.models import Token  # noqa: PLC0415  (app registry)

            Token.objects.filter(user=request.user).delete()
        return super().post(request, *args, **kwargs)


logout = PortalLogoutView.as_view()

"""Login brute-force protection (django-axes) and the client address it counts by.

Permissions are Django's ``ModelBackend`` and guardian's ``ObjectPermissionBackend`` (settings).
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


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

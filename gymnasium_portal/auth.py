"""Authentication backends: login brute-force protection (django-axes) and global permissions."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


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


class PermissionBackend(ModelBackend):
    """Django's ModelBackend with the user's own and the groups' permissions read in one query.

    Every signed-in page asks for them (the navigation, the access checks); Django's backend reads the
    two sets with two queries. Here they are one UNION; the answer and its per-request cache
    (``_perm_cache``) are the same.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            names = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*names).order_by()
            else:
                own = Permission.objects.filter(user=user_obj).values_list(*names).order_by()
                rows = own.union(Permission.objects.filter(group__user=user_obj).values_list(*names).order_by())
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the hop PORTAL_PROXY_COUNT proxies back in X-Forwarded-For."""
    proxies = settings.PORTAL_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")

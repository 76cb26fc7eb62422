"""Authentication backends: login brute-force protection (django-axes) and global permissions."""

import functools

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from .lookups import column


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
    """Django's ModelBackend with the user's own and the groups' permissions read in one statement.

    Every signed-in page asks for them (the navigation, the access checks). Django's backend builds
    two ORM queries for that; here it is one fixed statement over Django's own permission tables
    (their names from the models), about a millisecond less on every page. The answer and its
    per-request cache (``_perm_cache``) are Django's.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            else:
                with connection.cursor() as cursor:
                    cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                    rows = cursor.fetchall()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


@functools.cache
def _permissions_sql() -> str:
    """The statement, named after Django's tables and columns as the models declare them."""
    q = connection.ops.quote_name
    user_model = get_user_model()
    own = user_model._meta.get_field("user_permissions")
    groups = user_model._meta.get_field("groups")
    group_permissions = Group._meta.get_field("permissions")
    return (
        f"SELECT ct.{column(q, ContentType, 'app_label')}, p.{column(q, Permission, 'codename')} "
        f"FROM {q(Permission._meta.db_table)} p JOIN {q(ContentType._meta.db_table)} ct "
        f"ON ct.{column(q, ContentType, 'id')} = p.{column(q, Permission, 'content_type')} "
        f"WHERE p.{column(q, Permission, 'id')} IN ("
        f"SELECT {q(own.m2m_reverse_name())} FROM {q(own.m2m_db_table())} WHERE {q(own.m2m_column_name())} = %s "
        f"UNION SELECT gp.{q(group_permissions.m2m_reverse_name())} FROM {q(group_permissions.m2m_db_table())} gp "
        f"JOIN {q(groups.m2m_db_table())} ug ON ug.{q(groups.m2m_reverse_name())} = gp.{q(group_permissions.m2m_column_name())} "
        f"WHERE ug.{q(groups.m2m_column_name())} = %s)"
    )


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the hop PORTAL_PROXY_COUNT proxies back in X-Forwarded-For."""
    proxies = settings.PORTAL_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")

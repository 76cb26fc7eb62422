"""Rate limit for guessing invitation tokens: requests for UNKNOWN tokens per client address.

django-ratelimit counts them in Django's cache (``RATELIMIT_USE_CACHE``, by default ``default``):
at most ``INVITE_GUESS_LIMIT`` per ``INVITE_GUESS_WINDOW`` and client address, then 429 until the
window ends. Valid tokens never reach the counter, so forty parents behind one school address using
the same link are never slowed down; only misses count.

The count is only as exact as the cache's increment. With ``CACHE_URL`` set — as production should
run — the cache is Redis, whose INCR is atomic and shared by every web process and machine. Without
it (``make run``, the tests) it is the database cache table: shared by the processes too, but its
``incr`` is a read and a write, so misses from one address arriving at the same instant may be
counted as one, and a guesser sending them in parallel gets more tries than the limit. Tolerable in
front of 192-bit tokens, where millions of tries find nothing; 429 after the limit for sequential
misses, and valid links never limited, hold on both. Should the cache fail, django-ratelimit fails
closed: unknown tokens answer 429, valid links are not affected.

The client address is that of ``gymnasium_portal.auth.client_ip`` (the login lockout's):
``REMOTE_ADDR``, or with ``TRUSTED_PROXY_COUNT`` proxies in front the hop they vouch for in
``X-Forwarded-For`` — an ``X-Forwarded-For`` sent by the client itself is never trusted. A proxy
that passes the address in a header of its own instead (e.g. nginx's ``X-Real-IP``) is named by
the setting ``INVITE_CLIENT_ADDRESS_HEADER`` (e.g. ``"HTTP_X_REAL_IP"``).
"""

from __future__ import annotations

import datetime
import ipaddress

from django.conf import settings
from django_ratelimit.core import get_usage

from gymnasium_portal.auth import client_ip

GUESS_GROUP = "invitations.invite_guess"


def client_address(request) -> str:
    """The client's address as the rate limit sees it: IPv4 as is, IPv6 by its /64 network.

    A home or mobile IPv6 customer gets a whole /64, so counting single IPv6 addresses would let one
    client rotate through billions of them.
    """
    header = getattr(settings, "INVITE_CLIENT_ADDRESS_HEADER", "")
    if header:
        # A trusted proxy appends the address it saw: the last entry is the one it vouches for.
        raw = (request.META.get(header, "") or "").split(",")[-1].strip()
    else:
        raw = client_ip(request) or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _guess_key(group, request) -> str:
    return client_address(request)


def _guess_rate(group, request) -> tuple[int, int]:
    """``(INVITE_GUESS_LIMIT, INVITE_GUESS_WINDOW in seconds)``, read on every call."""
    # A timedelta in settings.py; a plain number of seconds (an override) works too.
    window: datetime.timedelta | int = settings.INVITE_GUESS_WINDOW
    seconds = int(window.total_seconds()) if hasattr(window, "total_seconds") else int(window)
    return settings.INVITE_GUESS_LIMIT, max(seconds, 1)


def invite_guess_register(request) -> int | None:
    """Count one request for an unknown token from the request's client address.

    None while the address is within ``INVITE_GUESS_LIMIT``; once past it, the seconds until its
    window ends (the ``Retry-After`` of the 429).
    """
    usage = get_usage(request, group=GUESS_GROUP, key=_guess_key, rate=_guess_rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    # ``time_left`` counts to the window's last second, which still belongs to the window.
    return max(1, usage["time_left"] + 1)

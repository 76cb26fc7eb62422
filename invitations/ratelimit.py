"""Rate limit for guessing invitation tokens: requests for UNKNOWN tokens per client address.

Why not Django's cache: the default cache here is the database cache, whose ``incr`` is a get and a
set (two processes lose each other's increments), and a per-process cache (LocMem) would give every
gunicorn worker its own budget. One upsert on a small table is atomic in PostgreSQL (and in SQLite
≥ 3.35, the local default) and shared by every web process and machine.

Valid tokens never touch the counter, so forty parents behind one school address using the same
link are never slowed down; only misses count. Behind a reverse proxy the proxy must pass the real
client address: either as ``REMOTE_ADDR`` (e.g. gunicorn behind nginx with the ``real_ip`` module) or
in a header named by the setting ``INVITE_CLIENT_ADDRESS_HEADER`` (e.g. ``"HTTP_X_REAL_IP"``). The
header is read only when that setting names it: an ``X-Forwarded-For`` sent by the client itself is
never trusted.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.db import connection

from .models import InviteGuessCounter


def client_address(request) -> str:
    """The client's address as the rate limit sees it: IPv4 as is, IPv6 by its /64 network.

    A home or mobile IPv6 customer gets a whole /64, so counting single IPv6 addresses would let one
    client rotate through billions of them.
    """
    header = getattr(settings, "INVITE_CLIENT_ADDRESS_HEADER", "") or "REMOTE_ADDR"
    raw = request.META.get(header, "") or ""
    # A trusted proxy appends the address it saw: the last entry is the one it vouches for.
    raw = raw.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _window_seconds() -> int:
    window = settings.INVITE_GUESS_WINDOW
    seconds = int(window.total_seconds()) if hasattr(window, "total_seconds") else int(window)
    return max(seconds, 1)


def invite_guess_register(*, address: str, now: float | None = None) -> int:
    """Count one request for an unknown token from ``address``; the count in the current window.

    Fixed windows of ``INVITE_GUESS_WINDOW``: the first miss of a new window starts it at one.
    """
    window = int((time.time() if now is None else now) // _window_seconds())
    table = connection.ops.quote_name(InviteGuessCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (address, window_number, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (address) DO UPDATE SET "
            f"hits = CASE WHEN {table}.window_number = EXCLUDED.window_number "
            f"THEN {table}.hits + 1 ELSE 1 END, "
            f"window_number = EXCLUDED.window_number "
            f"RETURNING hits",
            [address[:64], window],
        )
        return cursor.fetchone()[0]


def invite_guess_limited(*, address: str, now: float | None = None) -> bool:
    """Register a miss and say whether the address is now past ``INVITE_GUESS_LIMIT``."""
    return invite_guess_register(address=address, now=now) > settings.INVITE_GUESS_LIMIT


def invite_guess_retry_after(*, now: float | None = None) -> int:
    """Seconds until the current window ends (the ``Retry-After`` of a 429)."""
    seconds = _window_seconds()
    current = time.time() if now is None else now
    return max(1, int(seconds - (current % seconds)))


def invite_guess_counters_purge(*, now: float | None = None) -> int:
    """Forget the counters of past windows (they carry no information any more)."""
    window = int((time.time() if now is None else now) // _window_seconds())
    deleted, _details = InviteGuessCounter.objects.filter(window_number__lt=window).delete()
    return deleted

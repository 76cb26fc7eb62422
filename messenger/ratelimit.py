"""The limit on requests to MAX shared by every worker: never more than ``MAX_RATE_LIMIT`` in any
one second (API.md).

A sliding log in Redis (one sorted set, one Lua script, Redis's own clock): a request may start
when fewer than ``limit`` started within the last window. A fixed per-second counter would let
twice the limit through across a boundary (25 at .99 s, 25 at 1.01 s); a sliding window cannot.
The window is a second plus a small margin, so that the time a request takes to reach MAX (after
its start was granted) cannot crowd ``limit + 1`` arrivals into one second at the other end.

Without Redis (the embedded default) the same log is kept in the process.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

import redis
from django.conf import settings

# The margin added to the one-second window: covers the jitter between being granted a start and
# the request arriving (a few milliseconds locally; 50 ms leaves room on a loaded machine). It
# costs 5 % of the throughput: 2,640 chats at 25/s take ≈ 110 s instead of 106 s.
WINDOW_SECONDS = 1.05

# Starts are also spaced by at least SPACING / limit: a process that stalled (a slow database
# write, a busy machine) catches up at 1.25 × the rate instead of in one burst of ``limit``
# requests, which delivery jitter could then push into a neighbouring second.
SPACING = 0.8

# KEYS[1]: the log; ARGV: limit, window (µs), member, spacing (µs). Returns {wait µs, granted at
# µs}: wait 0 means granted at that time (Redis's clock, the one every worker shares).
_ACQUIRE = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local spacing = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if newest[2] and now < tonumber(newest[2]) + spacing then
  return {math.max(1, tonumber(newest[2]) + spacing - now), 0}
end
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window / 1000) + 1000)
  return {0, now}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {math.max(1, tonumber(oldest[2]) + window - now), 0}
"""


class RedisRateLimiter:
    """``acquire()`` blocks until a request may start under the shared limit."""

    def __init__(
        self,
        *,
        url: str,
        limit: int,
        key: str = "portal:max:requests",
        window: float = WINDOW_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.limit, self.key, self.sleep = limit, key, sleep
        self.window_us = int(window * 1_000_000)
        self.spacing_us = int(SPACING / limit * 1_000_000)
        self._redis = redis.Redis.from_url(url)
        self._script = self._redis.register_script(_ACQUIRE)
        self._prefix = uuid.uuid4().hex
        self._counter = itertools.count()

    def acquire(self) -> float:
        """Wait for a start; return when it was granted (seconds since the epoch, Redis's clock)."""
        while True:
            member = f"{self._prefix}:{next(self._counter)}"
            wait_us, granted_us = self._script(
                keys=[self.key], args=[self.limit, self.window_us, member, self.spacing_us]
            )
            if int(wait_us) == 0:
                return int(granted_us) / 1_000_000
            self.sleep(int(wait_us) / 1_000_000)


class LocalRateLimiter:
    """The same sliding log within one process (no Redis to share it through)."""

    def __init__(self, *, limit: int, window: float = WINDOW_SECONDS):
        self.limit, self.window = limit, window
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        while True:
            with self._lock:
                now = time.monotonic()
                while self._starts and self._starts[0] <= now - self.window:
                    self._starts.popleft()
                spaced = self._starts[-1] + SPACING / self.limit if self._starts else now
                if now < spaced:
                    wait = spaced - now
                elif len(self._starts) < self.limit:
                    self._starts.append(now)
                    return time.time()
                else:
                    wait = self._starts[0] + self.window - now
            time.sleep(max(wait, 0.001))


_local: dict[int, LocalRateLimiter] = {}


def rate_limiter() -> RedisRateLimiter | LocalRateLimiter:
    """The limiter of the settings: shared through ``MAX_REDIS_URL`` when there is one."""
    limit = max(1, settings.MAX_RATE_LIMIT)
    if settings.MAX_REDIS_URL:
        return RedisRateLimiter(url=settings.MAX_REDIS_URL, limit=limit)
    return _local.setdefault(limit, LocalRateLimiter(limit=limit))

"""Redis from `REDIS_URL`, with short timeouts so a dead Redis degrades a call instead of hanging it."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hotel_common.config import CommonSettings, load

if TYPE_CHECKING:
    import redis

# No `CLIENT SETINFO` on connect: two round trips per new connection (every cold start) that only name the
# library in `CLIENT LIST`. Clients that take only options (the rate limiters' `limits` storage) pass these.
CONNECTION_OPTIONS: dict[str, Any] = {"driver_info": None}


@lru_cache(maxsize=8)
def get_redis(url: str | None = None, timeout: float | None = None) -> redis.Redis:
    import redis  # late: redis-py costs ~170 ms of cold start, and not every path needs it

    settings = load(CommonSettings)
    # No `health_check_interval`: it PINGs before the first command of a new connection and of one idle for
    # that long (every cold start, and most invocations of a quiet hour). It buys nothing here: a failed PING
    # raises just as the command would (a `from_url` client does not retry), and the pool already replaces a
    # connection the server closed before handing it out.
    return redis.Redis.from_url(
        url or settings.redis_url_with_auth,
        socket_timeout=timeout or settings.REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=timeout or settings.REDIS_TIMEOUT_SECONDS,
        decode_responses=False,
        **CONNECTION_OPTIONS,
    )


class RedisBackoff:
    """After a Redis error, callers skip Redis for a few seconds: a hung Redis must not cost every
    invocation its socket timeouts (the webhook answers Meta in milliseconds, Redis or not)."""

    def __init__(self, seconds: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds, self._clock, self._until = seconds, clock, 0.0

    @property
    def active(self) -> bool:
        return self._clock() < self._until

    def failed(self) -> None:
        self._until = self._clock() + self._seconds

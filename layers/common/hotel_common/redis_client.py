"""Redis from `REDIS_URL`, with short timeouts so a dead Redis degrades a call instead of hanging it."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from hotel_common.config import CommonSettings, load

if TYPE_CHECKING:
    import redis


@lru_cache(maxsize=8)
def get_redis(url: str | None = None, timeout: float | None = None) -> redis.Redis:
    import redis  # late: redis-py costs ~170 ms of cold start, and not every path needs it

    settings = load(CommonSettings)
    return redis.Redis.from_url(
        url or settings.redis_url_with_auth,
        socket_timeout=timeout or settings.REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=timeout or settings.REDIS_TIMEOUT_SECONDS,
        health_check_interval=30,
        decode_responses=False,
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

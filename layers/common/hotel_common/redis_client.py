"""Redis from `REDIS_URL`, with short timeouts so a dead Redis degrades a call instead of hanging it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
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


class ReadAhead:
    """A Redis client whose GETs can carry the GETs an invocation is about to make.

    An invocation often knows its next reads before it makes the first: the orchestrator checks the tenant
    map's version key, then reads the guest's conversation; pms_proxy checks the same key, then reads the
    cached answer. Keys declared with `expecting(...)` travel with the first GET made inside the block, in
    one pipeline, and each is answered from that read at its own GET: one round trip instead of two. Each
    caller still makes its GET, with its own error handling; if the shared read fails, the keys that rode
    along are read again by their own GETs, as if nothing had been read ahead.

    A value read ahead answers only the first GET of its key inside the block, and the block forgets what
    nobody asked for, so no value outlives the invocation. Declare only keys whose first use in the block
    is a GET (writes are not seen here). Every other command goes to the client as it is. The declared
    keys are per thread (the local stack and the tests run invocations on threads).
    """

    def __init__(self, client: Callable[[], Any]) -> None:
        self._client = client
        self._local = threading.local()

    @contextmanager
    def expecting(self, *keys: str | None) -> Iterator[None]:
        """Read `keys` (None: nothing to read ahead) with the first GET inside the block."""
        saved = (getattr(self._local, "expected", []), getattr(self._local, "values", {}))
        self._local.expected, self._local.values = [k for k in dict.fromkeys(keys) if k], {}
        try:
            yield
        finally:
            self._local.expected, self._local.values = saved

    def get(self, key: str) -> Any:
        values: dict[str, Any] = getattr(self._local, "values", {})
        if key in values:
            return values.pop(key)
        riders = [k for k in getattr(self._local, "expected", ()) if k != key]
        self._local.expected = []
        if not riders:
            return self._client().get(key)
        pipe = self._client().pipeline(transaction=False)
        for k in (key, *riders):
            pipe.get(k)
        value, *rest = pipe.execute(raise_on_error=False)
        values.update((k, v) for k, v in zip(riders, rest, strict=True) if not isinstance(v, Exception))
        if isinstance(value, Exception):
            raise value
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client(), name)


@cache
def shared_read_ahead() -> ReadAhead:
    """The container's ReadAhead over `get_redis()`: the one the tenant map's version check reads through,
    so that what a function declares rides on that check."""
    return ReadAhead(get_redis)

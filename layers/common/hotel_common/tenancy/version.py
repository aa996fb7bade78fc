"""The tenant map's version key in Redis: admin changes bump it, every container compares it."""

from __future__ import annotations

from typing import Any


def version_key(table_name: str) -> str:
    # Per table, so stages (and tests) sharing one Redis do not refresh each other.
    return f"tenancy:{table_name}:version"


class RedisVersion:
    def __init__(self, redis_client: Any, table_name: str) -> None:
        self._redis, self._key = redis_client, version_key(table_name)

    def current(self) -> str | None:
        value = self._redis.get(self._key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def bump(self) -> str:
        return str(self._redis.incr(self._key))

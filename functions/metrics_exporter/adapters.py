"""The exporter's bookkeeping in Redis, next to the series it exports.

metrics_export:{stage}:exported   set     ids (name + canonical labels) of series Prometheus accepted
metrics_export:{stage}:last_ms    string  timestamp (ms) of the last accepted push
metrics_export:{stage}:lock       string  held during a push (expires on its own after a crash)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hotel_common.metrics import SeriesValue, read_all


class RedisExportState:
    def __init__(self, client: Any, stage: str, lock_seconds: float = 30.0) -> None:
        self._redis = client
        self._prefix = f"metrics_export:{stage}:"
        self._lock_seconds = lock_seconds

    def acquire(self) -> Any | None:
        lock = self._redis.lock(self._prefix + "lock", timeout=self._lock_seconds, blocking=False)
        return lock if lock.acquire() else None

    def release(self, handle: Any) -> None:
        handle.release()

    def read_series(self) -> list[SeriesValue]:
        return read_all(self._redis)

    def exported(self) -> tuple[set[str], int]:
        pipe = self._redis.pipeline(transaction=False)
        pipe.smembers(self._prefix + "exported")
        pipe.get(self._prefix + "last_ms")
        members, last = pipe.execute()
        ids = {m.decode() if isinstance(m, bytes) else m for m in members}
        return ids, int(last or 0)

    def record(self, new_ids: Sequence[str], ts_ms: int) -> None:
        pipe = self._redis.pipeline(transaction=True)
        if new_ids:
            pipe.sadd(self._prefix + "exported", *new_ids)
        pipe.set(self._prefix + "last_ms", ts_ms)
        pipe.execute()

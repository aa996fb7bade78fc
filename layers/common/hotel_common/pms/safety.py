"""Booking safety in Redis: a lock over a room type's nights while a booking is made, and an idempotency
record per guest request so that a retried create never books twice.

Lock: one key per night, `pms:{t}:lock:<hotel>:<room type>:<day>`, all taken or none in one Lua step, so
two creates for overlapping stays of the same room type queue up instead of racing inside the PMS (a real
QloApps checks availability and inserts without a lock). Each key expires after `ttl` (longer than a
booking call), so a crashed holder cannot block the room forever; release deletes only our own token.

Idempotency record, `pms:{t}:idem:<sha256(key)>`, a small JSON state machine changed only by Lua:
    absent  → pending{token, since}    the claimer creates the booking
    pending → done{result}             the booking exists; every later claim gets the same result
    pending → unknown                  the create failed after perhaps booking and the look-up failed too
    pending → absent                   the create failed for sure (conflict, invalid): the guest may retry
A claim on `unknown`, or on a `pending` older than `pending_timeout` (its owner died), is granted with
`previous` set, and the caller must look the booking up in the PMS before creating it.

Without Redis nothing here can be guaranteed, so these raise `SafetyUnavailable` and no booking is made.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics

logger = get_logger()

_CLAIM_LUA = """
local v = redis.call('GET', KEYS[1])
local previous = ''
if v then
  local rec = cjson.decode(v)
  if rec.state == 'done' then
    return {'done', v}
  end
  if rec.state == 'pending' and tonumber(rec.since) + tonumber(ARGV[3]) > tonumber(ARGV[2]) then
    return {'busy', ''}
  end
  previous = rec.state
end
redis.call('SET', KEYS[1], cjson.encode({state = 'pending', token = ARGV[1], since = ARGV[2]}), 'EX', ARGV[4])
return {'claimed', previous}
"""

# ARGV: token, new value ('' deletes), ttl. Only the claim's owner may move its record on.
_SETTLE_LUA = """
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 1
"""

_LOCK_LUA = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    return 0
  end
end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return 1
"""

_UNLOCK_LUA = """
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    released = released + redis.call('DEL', key)
  end
end
return released
"""


class SafetyUnavailable(Exception):
    """Redis could not answer: the booking cannot be made safely."""


class LockBusy(Exception):
    """Another create held the room type's nights for longer than we were willing to wait."""


@dataclass(frozen=True)
class Claim:
    status: Literal["claimed", "done", "busy"]
    key: str
    token: str = ""
    previous: str = ""  # "", "pending" (owner died) or "unknown": look the booking up before creating
    result: dict[str, Any] | None = None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class IdempotencyStore:
    def __init__(
        self,
        redis_client: Any,
        tenant_id: str,
        *,
        ttl: int = 48 * 3600,
        pending_timeout: float = 90.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis_client
        self._base = f"pms:{{{tenant_id}}}:idem:"
        self._ttl = ttl
        self._pending_timeout = pending_timeout
        self._clock = clock
        self._claim = redis_client.register_script(_CLAIM_LUA)
        self._settle = redis_client.register_script(_SETTLE_LUA)

    def key(self, idempotency_key: str) -> str:
        return self._base + hashlib.sha256(idempotency_key.encode()).hexdigest()

    def claim(self, idempotency_key: str) -> Claim:
        key = self.key(idempotency_key)
        token = uuid.uuid4().hex
        args = [token, repr(self._clock()), repr(self._pending_timeout), self._ttl]
        status, payload = self._run(lambda: self._claim(keys=[key], args=args))
        status = _text(status)
        if status == "done":
            return Claim("done", key, result=json.loads(_text(payload))["result"])
        if status == "busy":
            return Claim("busy", key)
        return Claim("claimed", key, token=token, previous=_text(payload))

    def peek(self, claim: Claim) -> dict[str, Any] | None:
        """The stored result once the record is done, else None."""
        raw = self._run(lambda: self._redis.get(claim.key))
        if raw is None:
            return None
        record = json.loads(raw)
        return record.get("result") if record.get("state") == "done" else None

    def complete(self, claim: Claim, result: dict[str, Any]) -> bool:
        value = json.dumps({"state": "done", "result": result}, separators=(",", ":"))
        return self._settle_as(claim, value)

    def mark_unknown(self, claim: Claim) -> bool:
        return self._settle_as(claim, json.dumps({"state": "unknown", "token": ""}))

    def release(self, claim: Claim) -> bool:
        return self._settle_as(claim, "")

    def _settle_as(self, claim: Claim, value: str) -> bool:
        return bool(self._run(lambda: self._settle(keys=[claim.key], args=[claim.token, value, self._ttl])))

    @staticmethod
    def _run(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:
            raise SafetyUnavailable(type(exc).__name__) from exc


class BookingLock:
    def __init__(
        self,
        redis_client: Any,
        tenant_id: str,
        hotel_id: int,
        *,
        ttl: float = 90.0,
        wait: float = 10.0,
        poll: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis_client
        self._base = f"pms:{{{tenant_id}}}:lock:{hotel_id}:"
        self._ttl_ms = int(ttl * 1000)
        self._wait = wait
        self._poll = poll
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = redis_client.register_script(_LOCK_LUA)
        self._unlock = redis_client.register_script(_UNLOCK_LUA)

    def keys(self, room_type_id: int, nights: Sequence[date]) -> list[str]:
        return [f"{self._base}{room_type_id}:{night}" for night in nights]

    @contextmanager
    def hold(self, room_type_id: int, nights: Sequence[date]) -> Iterator[None]:
        keys = self.keys(room_type_id, nights)
        token = uuid.uuid4().hex
        deadline = self._monotonic() + self._wait
        while not IdempotencyStore._run(lambda: self._lock(keys=keys, args=[token, self._ttl_ms])):
            if self._monotonic() >= deadline:
                raise LockBusy(f"room type {room_type_id} is being booked for these nights")
            self._sleep(self._poll)
        try:
            yield
        finally:
            try:
                self._unlock(keys=keys, args=[token])
            except Exception as exc:  # the keys expire on their own after ttl
                metrics.inc("pms_errors_total", operation="create_booking", error_type="unlock_failed")
                logger.warning("booking lock not released; it expires", extra={"error": type(exc).__name__})

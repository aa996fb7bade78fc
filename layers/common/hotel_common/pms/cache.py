"""Redis cache of PMS reads (availability, room types), per tenant, with a stale copy for bad days.

An entry is fresh for its kind's TTL and then kept, stale, until `stale_ttl`: the service answers from a
fresh entry (`cache`), and from a stale one only when the PMS fails (`stale_cache`). A booking or a
cancellation drops every availability entry whose stay covers one of its nights: each night has an
index set of the entries that cover it, and `invalidated_at` per night refuses a late write of an answer
fetched before the change (a read that raced the booking cannot put the old inventory back).

Keys share the hash tag `{tenant}` so the scripts' multi-key steps stay in one slot of a Redis cluster:
    pms:{t}:c:avail:<hotel>:<from>:<to>:<room type|*>:<adults>:<children>   JSON entry
    pms:{t}:c:night:<hotel>:<day>                                            set of entry keys
    pms:{t}:c:inv:<hotel>:<day>                                              last invalidation time
    pms:{t}:c:room_types:<hotel>                                             JSON entry

Redis errors never fail a request: a read becomes a miss, a write is skipped; both are logged and counted
(`pms_errors_total{operation="cache",error_type}`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from pydantic import ConfigDict, TypeAdapter, ValidationError

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.pms.models import Availability, RoomType

T = TypeVar("T")
logger = get_logger()

_ROOM_TYPES = TypeAdapter(list[RoomType], config=ConfigDict(defer_build=True))

# KEYS[1] entry, KEYS[2..] night index sets, KEYS[n+2..] night invalidation stamps (n = #ARGV[4]).
_PUT_LUA = """
local n = tonumber(ARGV[4])
local fetched_at = tonumber(ARGV[3])
for i = 1, n do
  local stamp = tonumber(redis.call('GET', KEYS[1 + n + i]) or '0')
  if stamp >= fetched_at then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 1, n do
  redis.call('SADD', KEYS[1 + i], KEYS[1])
  redis.call('EXPIRE', KEYS[1 + i], ARGV[2])
end
return 1
"""

# KEYS: night index sets, then their invalidation stamps. ARGV: now, stamp ttl.
_INVALIDATE_LUA = """
local n = #KEYS / 2
local dropped = 0
for i = 1, n do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, key in ipairs(members) do
    dropped = dropped + redis.call('DEL', key)
  end
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[n + i], ARGV[1], 'EX', ARGV[2])
end
return dropped
"""


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    stored_at: float
    fresh: bool


@dataclass(frozen=True)
class AvailabilityQuery:
    date_from: date
    date_to: date
    room_type_id: int | None = None
    adults: int = 2
    children: int = 0

    def nights(self) -> list[date]:
        return nights_of(self.date_from, self.date_to)


def nights_of(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days)]


def _base(tenant_id: str) -> str:
    return f"pms:{{{tenant_id}}}:c:"


def availability_key(tenant_id: str, hotel_id: int, q: AvailabilityQuery) -> str:
    room_type = q.room_type_id if q.room_type_id is not None else "*"
    return f"{_base(tenant_id)}avail:{hotel_id}:{q.date_from}:{q.date_to}:{room_type}:{q.adults}:{q.children}"


def room_types_key(tenant_id: str, hotel_id: int) -> str:
    return f"{_base(tenant_id)}room_types:{hotel_id}"


class PmsCache:
    def __init__(
        self,
        redis_client: Any,
        tenant_id: str,
        hotel_id: int,
        *,
        availability_ttl: int = 60,
        room_types_ttl: int = 3600,
        stale_ttl: int = 6 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis_client
        self._tenant = tenant_id
        self._base = _base(tenant_id)
        self._hotel = hotel_id
        self._ttl = {"availability": availability_ttl, "room_types": room_types_ttl}
        self._stale_ttl = max(stale_ttl, availability_ttl, room_types_ttl)
        self._clock = clock
        self._put = redis_client.register_script(_PUT_LUA)
        self._invalidate = redis_client.register_script(_INVALIDATE_LUA)

    # -- keys --------------------------------------------------------------------------------------------
    def availability_key(self, q: AvailabilityQuery) -> str:
        return availability_key(self._tenant, self._hotel, q)

    def _night(self, day: date) -> str:
        return f"{self._base}night:{self._hotel}:{day}"

    def _stamp(self, day: date) -> str:
        return f"{self._base}inv:{self._hotel}:{day}"

    def _room_types_key(self) -> str:
        return room_types_key(self._tenant, self._hotel)

    # -- availability ------------------------------------------------------------------------------------
    def get_availability(self, q: AvailabilityQuery) -> Cached[Availability] | None:
        return self._get(self.availability_key(q), "availability", Availability.model_validate_json)

    def put_availability(self, q: AvailabilityQuery, value: Availability, fetched_at: float) -> bool:
        nights = q.nights()
        keys = [self.availability_key(q), *(self._night(n) for n in nights), *(self._stamp(n) for n in nights)]
        payload = self._entry(value.model_dump_json())
        return self._write(lambda: self._put(keys=keys, args=[payload, self._stale_ttl, repr(fetched_at), len(nights)]))

    def invalidate(self, date_from: date, date_to: date) -> int | None:
        """Drop every availability entry covering a night of [date_from, date_to); None if Redis failed."""
        nights = nights_of(date_from, date_to)
        if not nights:
            return 0
        keys = [*(self._night(n) for n in nights), *(self._stamp(n) for n in nights)]
        try:
            return int(self._invalidate(keys=keys, args=[repr(self._clock()), self._stale_ttl]))
        except Exception as exc:
            self._failed("invalidate", exc)
            return None

    # -- room types --------------------------------------------------------------------------------------
    def get_room_types(self) -> Cached[list[RoomType]] | None:
        return self._get(self._room_types_key(), "room_types", _ROOM_TYPES.validate_json)

    def put_room_types(self, value: list[RoomType]) -> bool:
        payload = self._entry(_ROOM_TYPES.dump_json(value).decode())
        return self._write(lambda: self._redis.set(self._room_types_key(), payload, ex=self._stale_ttl))

    # -- plumbing ----------------------------------------------------------------------------------------
    def _entry(self, value_json: str) -> str:
        return json.dumps({"at": self._clock(), "v": json.loads(value_json)}, separators=(",", ":"))

    def _get(self, key: str, kind: str, parse: Callable[[str], T]) -> Cached[T] | None:
        try:
            raw = self._redis.get(key)
        except Exception as exc:
            self._failed("read", exc)
            metrics.inc("pms_cache_misses_total")
            return None
        if raw is None:
            metrics.inc("pms_cache_misses_total")
            return None
        try:
            entry = json.loads(raw)
            value = parse(json.dumps(entry["v"]))
            stored_at = float(entry["at"])
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            # An entry written by an older model: a miss, and the next answer overwrites it.
            self._failed("decode", exc)
            metrics.inc("pms_cache_misses_total")
            return None
        fresh = self._clock() - stored_at < self._ttl[kind]
        metrics.inc("pms_cache_hits_total" if fresh else "pms_cache_misses_total")
        return Cached(value, stored_at, fresh)

    def _write(self, fn: Callable[[], Any]) -> bool:
        try:
            return bool(fn())
        except Exception as exc:
            self._failed("write", exc)
            return False

    @staticmethod
    def _failed(step: str, exc: BaseException) -> None:
        metrics.inc("pms_errors_total", operation="cache", error_type=f"cache_{step}")
        logger.warning("pms cache unavailable", extra={"step": step, "error": type(exc).__name__})

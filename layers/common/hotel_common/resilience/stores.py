"""Where breaker state lives: Redis (shared by every Lambda instance) or this container's memory.

Both stores apply the rules of `state.py`; the Redis one as Lua scripts, so each decision is one atomic
step on the server (no read-modify-write race between instances: two callers cannot both win the
half-open trial, and five failures recorded concurrently open the breaker exactly once).

Time comes from the callers (`now`), not from Redis' clock, so tests and the demo can move time; Lambda
hosts keep their clocks in sync by NTP, far tighter than a 30 s cool-down.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from hotel_common.resilience.state import Decision, Outcome, Record, State, acquire, record_result

DEFAULT_KEY_TTL_SECONDS = 7 * 24 * 3600  # a breaker nobody called for a week is forgotten


class StoreUnavailable(Exception):
    """The store could not answer (Redis down or slow); the breaker falls back to a local store."""


class BreakerStore(Protocol):
    def acquire(self, key: str, now: float, cooldown: float, trial_lease: float) -> Decision: ...

    def record(self, key: str, now: float, generation: int, failed: bool, threshold: int) -> Outcome: ...

    def snapshot(self, key: str) -> Record: ...

    def reset(self, key: str) -> None: ...


class MemoryBreakerStore:
    """Per-container state: the fallback when Redis is unreachable, and the store of unit tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, Record] = {}

    def acquire(self, key: str, now: float, cooldown: float, trial_lease: float) -> Decision:
        with self._lock:
            new, decision = acquire(self._records.get(key, Record()), now, cooldown, trial_lease)
            self._records[key] = new
            return decision

    def record(self, key: str, now: float, generation: int, failed: bool, threshold: int) -> Outcome:
        with self._lock:
            new, outcome = record_result(self._records.get(key, Record()), now, generation, failed, threshold)
            self._records[key] = new
            return outcome

    def snapshot(self, key: str) -> Record:
        with self._lock:
            return self._records.get(key, Record())

    def reset(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)


# Lua mirrors of state.acquire / state.record_result. Numbers that may be fractional travel as strings
# (a Lua number returned to Redis is truncated to an integer).
_LOAD = """
local h = redis.call('HMGET', KEYS[1], 's', 'f', 'o', 't', 'g')
local s = h[1] or 'closed'
local f = tonumber(h[2]) or 0
local o = tonumber(h[3]) or 0
local t = tonumber(h[4]) or 0
local g = tonumber(h[5]) or 0
"""

ACQUIRE_LUA = (
    _LOAD
    + """
local now, cooldown, lease, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if s == 'closed' then
  return {1, s, f, g, 0, '', '0'}
end
if s == 'open' then
  if now < o + cooldown then
    return {0, s, f, g, 0, '', tostring(o + cooldown - now)}
  end
  g = g + 1
  redis.call('HSET', KEYS[1], 's', 'half_open', 't', tostring(now + lease), 'g', g)
  redis.call('EXPIRE', KEYS[1], ttl)
  return {1, 'half_open', f, g, 1, 'open', '0'}
end
if now < t then
  return {0, s, f, g, 0, '', tostring(t - now)}
end
g = g + 1
redis.call('HSET', KEYS[1], 't', tostring(now + lease), 'g', g)
redis.call('EXPIRE', KEYS[1], ttl)
return {1, s, f, g, 1, '', '0'}
"""
)

RECORD_LUA = (
    _LOAD
    + """
local now, gen, failed, threshold, ttl =
  ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4]), tonumber(ARGV[5])
if gen ~= g or s == 'open' then
  return {0, s, f, ''}
end
if s == 'closed' then
  if not failed then
    if f > 0 then
      redis.call('HSET', KEYS[1], 'f', 0)
    end
    return {1, s, 0, ''}
  end
  f = f + 1
  if f >= threshold then
    redis.call('HSET', KEYS[1], 's', 'open', 'f', f, 'o', now, 'g', g + 1)
    redis.call('EXPIRE', KEYS[1], ttl)
    return {1, 'open', f, 'closed'}
  end
  redis.call('HSET', KEYS[1], 'f', f)
  redis.call('EXPIRE', KEYS[1], ttl)
  return {1, s, f, ''}
end
if not failed then
  redis.call('HSET', KEYS[1], 's', 'closed', 'f', 0, 'g', g + 1)
  redis.call('HDEL', KEYS[1], 'o', 't')
  redis.call('EXPIRE', KEYS[1], ttl)
  return {1, 'closed', 0, 'half_open'}
end
redis.call('HSET', KEYS[1], 's', 'open', 'f', f + 1, 'o', now, 't', '0', 'g', g + 1)
redis.call('EXPIRE', KEYS[1], ttl)
return {1, 'open', f + 1, 'half_open'}
"""
)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _state(value: Any) -> State:
    text = _text(value)
    if text not in ("closed", "open", "half_open"):
        raise StoreUnavailable(f"breaker record holds an unknown state {text!r}")
    return text  # type: ignore[return-value]


class RedisBreakerStore:
    """State shared by every instance: one hash per breaker, changed only by the Lua scripts."""

    def __init__(self, redis_client: Any, *, prefix: str = "breaker:", key_ttl: int = DEFAULT_KEY_TTL_SECONDS) -> None:
        self._redis = redis_client
        self._prefix = prefix
        self._ttl = key_ttl
        self._acquire = redis_client.register_script(ACQUIRE_LUA)
        self._record = redis_client.register_script(RECORD_LUA)

    def key(self, name: str) -> str:
        return self._prefix + name

    def acquire(self, key: str, now: float, cooldown: float, trial_lease: float) -> Decision:
        raw = self._run(self._acquire, key, [repr(now), repr(cooldown), repr(trial_lease), self._ttl])
        allowed, state, failures, generation, trial, came_from, retry_after = raw
        return Decision(
            allowed=bool(int(allowed)),
            state=_state(state),
            failures=int(failures),
            generation=int(generation),
            trial=bool(int(trial)),
            transitioned_from=_state(came_from) if _text(came_from) else None,
            retry_after=float(_text(retry_after)),
        )

    def record(self, key: str, now: float, generation: int, failed: bool, threshold: int) -> Outcome:
        raw = self._run(self._record, key, [repr(now), generation, "1" if failed else "0", threshold, self._ttl])
        applied, state, failures, came_from = raw
        return Outcome(
            applied=bool(int(applied)),
            state=_state(state),
            failures=int(failures),
            transitioned_from=_state(came_from) if _text(came_from) else None,
        )

    def snapshot(self, key: str) -> Record:
        try:
            raw = self._redis.hmget(self.key(key), "s", "f", "o", "t", "g")
        except Exception as exc:
            raise StoreUnavailable(type(exc).__name__) from exc
        s, f, o, t, g = raw
        return Record(
            state=_state(s) if s is not None else "closed",
            failures=int(f or 0),
            opened_at=float(_text(o)) if o is not None else 0.0,
            trial_until=float(_text(t)) if t is not None else 0.0,
            generation=int(g or 0),
        )

    def reset(self, key: str) -> None:
        try:
            self._redis.delete(self.key(key))
        except Exception as exc:
            raise StoreUnavailable(type(exc).__name__) from exc

    def _run(self, script: Any, key: str, args: list[Any]) -> list[Any]:
        try:
            return list(script(keys=[self.key(key)], args=args))
        except Exception as exc:  # redis.RedisError and socket errors alike: the breaker decides locally
            raise StoreUnavailable(type(exc).__name__) from exc

"""The circuit breaker's shared state in real Redis: the same scenarios as the memory store, plus what only
a shared store can show (many instances racing, Redis going away)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import redis

from hotel_common.metrics import metrics
from hotel_common.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    MemoryBreakerStore,
    RedisBreakerStore,
)
from tests.integration.pms_proxy.conftest import Clock, counter
from tests.unit.pms_proxy.test_breaker import SCENARIOS

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_redis_store_behaves_like_the_memory_store(
    redis_db: redis.Redis, scenario: Callable[[Callable[[], CircuitBreaker], Clock], None]
) -> None:
    clock = Clock()
    store = RedisBreakerStore(redis_db)
    scenario(lambda: CircuitBreaker("t:x", store, threshold=5, cooldown=30, trial_lease=60, clock=clock), clock)


def test_only_one_of_many_instances_gets_the_half_open_trial(redis_db: redis.Redis, redis_url: str) -> None:
    clock = Clock()
    breakers = [
        CircuitBreaker("t:race", RedisBreakerStore(redis.Redis.from_url(redis_url)), clock=clock) for _ in range(12)
    ]
    for _ in range(5):
        breakers[0].acquire().failure()
    clock.advance(30)
    granted: list[bool] = []
    barrier = threading.Barrier(len(breakers))

    def try_acquire(breaker: CircuitBreaker) -> None:
        barrier.wait()
        try:
            granted.append(breaker.acquire().trial)
        except CircuitOpenError:
            granted.append(False)

    threads = [threading.Thread(target=try_acquire, args=(b,)) for b in breakers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert granted.count(True) == 1 and len(granted) == len(breakers)


def test_concurrent_failures_open_the_breaker_once(redis_db: redis.Redis, redis_url: str) -> None:
    clock = Clock()
    transitions: list[str] = []

    class Recorder:
        def on_call(self, name: str, state: str, result: str) -> None: ...

        def on_state(self, name: str, state: str, failures: int) -> None: ...

        def on_transition(self, name: str, old: str, new: str, failures: int) -> None:
            transitions.append(f"{old}->{new}")

    breakers = [
        CircuitBreaker("t:storm", RedisBreakerStore(redis.Redis.from_url(redis_url)), clock=clock, listener=Recorder())
        for _ in range(20)
    ]
    permits = [b.acquire() for b in breakers]  # all admitted while closed
    barrier = threading.Barrier(len(permits))

    def fail(permit: object) -> None:
        barrier.wait()
        permit.failure()  # type: ignore[attr-defined]

    threads = [threading.Thread(target=fail, args=(p,)) for p in permits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert transitions == ["closed->open"]
    record = breakers[0].snapshot()
    assert record.state == "open" and record.failures == 5  # late failures of that generation are ignored


def test_unreachable_redis_falls_back_to_a_per_container_breaker() -> None:
    from tests.integration.conftest import free_port

    metrics.drain()
    dead = redis.Redis(host="127.0.0.1", port=free_port(), socket_timeout=0.2, socket_connect_timeout=0.2)
    clock = Clock()
    local = MemoryBreakerStore()
    breaker = CircuitBreaker("pms:offline", RedisBreakerStore(dead), clock=clock, fallback=local)
    for _ in range(5):
        breaker.acquire().failure()
    with pytest.raises(CircuitOpenError):
        breaker.acquire()
    assert local.snapshot("pms:offline").state == "open"
    assert counter("circuit_breaker_fallback_total", breaker="pms") >= 6

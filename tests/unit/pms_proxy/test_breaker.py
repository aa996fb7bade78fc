"""The breaker's behaviour on the in-memory store. SCENARIOS also run against Redis (integration), which
keeps the Lua scripts and the Python state machine in agreement."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hotel_common.metrics import label_key, metrics
from hotel_common.pms.breaker import pms_breaker
from hotel_common.pms.errors import PmsError
from hotel_common.resilience import CircuitBreaker, CircuitOpenError, MemoryBreakerStore, StoreUnavailable
from hotel_common.resilience.state import Decision, Outcome, Record


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Make = Callable[[], CircuitBreaker]


def opens_after_exactly_threshold_consecutive_failures(make: Make, clock: Clock) -> None:
    breaker = make()
    for _ in range(4):
        breaker.acquire().failure()
    assert breaker.snapshot().state == "closed" and breaker.snapshot().failures == 4
    breaker.acquire().failure()
    assert breaker.snapshot().state == "open"
    with pytest.raises(CircuitOpenError) as refused:
        make().acquire()  # another instance sees it too
    assert refused.value.state == "open" and 29 < refused.value.retry_after <= 30


def a_success_resets_the_streak(make: Make, clock: Clock) -> None:
    breaker = make()
    for _ in range(4):
        breaker.acquire().failure()
    breaker.acquire().success()
    for _ in range(4):
        breaker.acquire().failure()
    assert breaker.snapshot().state == "closed"


def half_opens_after_the_cooldown_with_one_trial_then_closes(make: Make, clock: Clock) -> None:
    breaker = make()
    for _ in range(5):
        breaker.acquire().failure()
    clock.advance(29.9)
    with pytest.raises(CircuitOpenError):
        breaker.acquire()
    clock.advance(0.1)
    trial = breaker.acquire()
    assert trial.trial and trial.state == "half_open"
    with pytest.raises(CircuitOpenError) as refused:
        make().acquire()
    assert refused.value.state == "half_open"
    trial.success()
    assert breaker.snapshot().state == "closed" and breaker.snapshot().failures == 0
    assert not breaker.acquire().trial


def a_failed_trial_reopens_for_another_cooldown(make: Make, clock: Clock) -> None:
    breaker = make()
    for _ in range(5):
        breaker.acquire().failure()
    clock.advance(30)
    breaker.acquire().failure()
    assert breaker.snapshot().state == "open"
    clock.advance(29)
    with pytest.raises(CircuitOpenError):
        breaker.acquire()
    clock.advance(1)
    assert breaker.acquire().trial


def a_lapsed_trial_lease_lets_another_caller_try(make: Make, clock: Clock) -> None:
    breaker = make()
    for _ in range(5):
        breaker.acquire().failure()
    clock.advance(30)
    abandoned = breaker.acquire()  # its holder dies
    clock.advance(60)
    second = make().acquire()
    assert second.trial
    abandoned.success()  # too late: an older generation, ignored
    assert breaker.snapshot().state == "half_open"
    second.success()
    assert breaker.snapshot().state == "closed"


def late_results_from_before_a_transition_are_ignored(make: Make, clock: Clock) -> None:
    breaker = make()
    slow = breaker.acquire()
    for _ in range(5):
        breaker.acquire().failure()
    clock.advance(30)
    trial = breaker.acquire()
    slow.success()  # admitted while closed: must not close the half-open breaker
    assert breaker.snapshot().state == "half_open"
    trial.failure()
    assert breaker.snapshot().state == "open"


SCENARIOS = [
    opens_after_exactly_threshold_consecutive_failures,
    a_success_resets_the_streak,
    half_opens_after_the_cooldown_with_one_trial_then_closes,
    a_failed_trial_reopens_for_another_cooldown,
    a_lapsed_trial_lease_lets_another_caller_try,
    late_results_from_before_a_transition_are_ignored,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_memory_store(scenario: Callable[[Make, Clock], None]) -> None:
    clock = Clock()
    store = MemoryBreakerStore()
    scenario(lambda: CircuitBreaker("t:x", store, threshold=5, cooldown=30, trial_lease=60, clock=clock), clock)


def test_call_counts_only_what_is_failure() -> None:
    clock = Clock()
    breaker = CircuitBreaker("t:y", MemoryBreakerStore(), clock=clock, is_failure=lambda e: isinstance(e, TimeoutError))
    missing: dict[str, int] = {}
    for _ in range(10):
        with pytest.raises(KeyError):
            breaker.call(lambda: missing["key"])
    assert breaker.snapshot().state == "closed"
    for _ in range(5):
        with pytest.raises(TimeoutError):
            breaker.call(lambda: (_ for _ in ()).throw(TimeoutError()))
    with pytest.raises(CircuitOpenError):
        breaker.call(lambda: 1)


class BrokenStore:
    def acquire(self, key: str, now: float, cooldown: float, trial_lease: float) -> Decision:
        raise StoreUnavailable("ConnectionError")

    def record(self, key: str, now: float, generation: int, failed: bool, threshold: int) -> Outcome:
        raise StoreUnavailable("ConnectionError")

    def snapshot(self, key: str) -> Record:
        raise StoreUnavailable("ConnectionError")

    def reset(self, key: str) -> None:
        raise StoreUnavailable("ConnectionError")


def test_a_broken_store_falls_back_to_the_local_one_and_counts_it() -> None:
    metrics.drain()
    local = MemoryBreakerStore()
    breaker = CircuitBreaker("graph:waba", BrokenStore(), clock=Clock(), fallback=local)
    for _ in range(5):
        breaker.acquire().failure()
    with pytest.raises(CircuitOpenError):
        breaker.acquire()
    assert breaker.snapshot().state == "open"
    adds, _ = metrics.pending()
    assert adds[("circuit_breaker_fallback_total", label_key({"breaker": "graph"}))] >= 6


def test_pms_breaker_records_its_series_and_counts_only_outage_errors() -> None:
    metrics.drain()
    clock = Clock()
    breaker = pms_breaker("hotel-x", None, store=MemoryBreakerStore(), clock=clock)
    for kind in ("not_found", "conflict", "invalid_request", "unauthorized"):
        with pytest.raises(PmsError):
            breaker.call(lambda k=kind: (_ for _ in ()).throw(PmsError(k, "answered")))  # type: ignore[misc]
    assert breaker.snapshot().failures == 0
    for _ in range(5):
        with pytest.raises(PmsError):
            breaker.call(lambda: (_ for _ in ()).throw(PmsError("timeout", "slow")))
    adds, sets = metrics.pending()
    tenant = label_key({"tenant_id": "hotel-x"})
    assert sets[("pms_circuit_breaker_state", tenant)] == 1
    assert sets[("pms_circuit_breaker_failure_streak", tenant)] == 5
    assert adds[("pms_circuit_breaker_calls_total", label_key({"state": "closed", "result": "success"}))] == 4
    assert adds[("pms_circuit_breaker_calls_total", label_key({"state": "closed", "result": "failure"}))] == 5

"""A circuit breaker per outside dependency (a tenant's PMS, the Graph API), shared through Redis.

closed → open after `threshold` consecutive failures → half-open once `cooldown` has passed, where exactly
one caller gets the trial call (the others fail fast) → closed when the trial succeeds, open again when it
fails. Slowness is not failure: the caller says which exceptions count (`is_failure`), and a slow answer
is a success. State lives in a `BreakerStore`; with `RedisBreakerStore` every Lambda instance sees the
same breaker. When that store cannot answer, the decision is taken by a per-container `MemoryBreakerStore`
(`fallback`) and that is logged and counted (`circuit_breaker_fallback_total{breaker}`).

    breaker = CircuitBreaker("pms:hotel-sol", RedisBreakerStore(redis), listener=PmsBreakerMetrics())
    value = breaker.call(lambda: client.availability(...))      # raises CircuitOpenError when open

    permit = breaker.acquire()          # lower level: e.g. give the trial call a single attempt
    try:
        value = work(attempts=1 if permit.trial else 3)
    except Exception as exc:
        permit.failure() if breaker.is_failure(exc) else permit.success()
        raise
    permit.success()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.resilience.state import Decision, Outcome, Record, State
from hotel_common.resilience.stores import BreakerStore, MemoryBreakerStore, StoreUnavailable

T = TypeVar("T")
logger = get_logger()

# One per container: the fallback keeps counting across invocations while Redis is away.
LOCAL_STORE = MemoryBreakerStore()
FALLBACK_LOG_INTERVAL_SECONDS = 30.0


class CircuitOpenError(Exception):
    """Refused without calling: the breaker is open, or half-open with its trial call in flight."""

    def __init__(self, name: str, state: State, retry_after: float) -> None:
        super().__init__(f"circuit {name} is {state}; retry in {retry_after:.1f}s")
        self.name = name
        self.state = state
        self.retry_after = retry_after


class BreakerListener(Protocol):
    """Observability hook: the PMS records `pms_circuit_breaker_*`; other breakers may record others."""

    def on_call(self, name: str, state: State, result: str) -> None:
        """result: success | failure | rejected | ignored (a late result from an older generation)."""

    def on_state(self, name: str, state: State, failures: int) -> None: ...

    def on_transition(self, name: str, old: State, new: State, failures: int) -> None: ...


class LoggingListener:
    """Logs transitions; the default listener of breakers that record no metrics of their own."""

    def on_call(self, name: str, state: State, result: str) -> None:
        return None

    def on_state(self, name: str, state: State, failures: int) -> None:
        return None

    def on_transition(self, name: str, old: State, new: State, failures: int) -> None:
        log = logger.warning if new == "open" else logger.info
        log("circuit breaker transition", extra={"breaker": name, "from": old, "to": new, "failure_streak": failures})


class Permit:
    """The right to make one call; report its result exactly once (later reports are ignored)."""

    def __init__(self, breaker: CircuitBreaker, decision: Decision, store: BreakerStore) -> None:
        self._breaker = breaker
        self._store = store
        self.decision = decision
        self._done = False

    @property
    def trial(self) -> bool:
        return self.decision.trial

    @property
    def state(self) -> State:
        return self.decision.state

    def success(self) -> None:
        self._finish(failed=False)

    def failure(self) -> None:
        self._finish(failed=True)

    def _finish(self, *, failed: bool) -> None:
        if self._done:
            return
        self._done = True
        self._breaker._record(self, failed=failed)


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        store: BreakerStore,
        *,
        threshold: int = 5,
        cooldown: float = 30.0,
        trial_lease: float = 60.0,
        clock: Callable[[], float] = time.time,
        listener: BreakerListener | None = None,
        is_failure: Callable[[BaseException], bool] = lambda _exc: True,
        fallback: BreakerStore | None = None,
    ) -> None:
        if threshold < 1 or cooldown <= 0 or trial_lease <= 0:
            raise ValueError("threshold >= 1, cooldown > 0 and trial_lease > 0")
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self.trial_lease = trial_lease
        self.is_failure = is_failure
        self._store = store
        self._fallback = fallback if fallback is not None else LOCAL_STORE
        self._clock = clock
        self._listener: BreakerListener = listener or LoggingListener()

    # -- the one-call API --------------------------------------------------------------------------------
    def call(self, fn: Callable[[], T]) -> T:
        permit = self.acquire()
        try:
            result = fn()
        except BaseException as exc:
            if self.is_failure(exc):
                permit.failure()
            else:
                permit.success()
            raise
        permit.success()
        return result

    # -- the permit API ----------------------------------------------------------------------------------
    def acquire(self) -> Permit:
        """A permit to call, or CircuitOpenError."""
        now = self._clock()
        store: BreakerStore = self._store
        try:
            decision = store.acquire(self.name, now, self.cooldown, self.trial_lease)
        except StoreUnavailable as exc:
            store = self._fallback
            self._fell_back(exc)
            decision = store.acquire(self.name, now, self.cooldown, self.trial_lease)
        if decision.transitioned_from is not None:
            self._listener.on_transition(self.name, decision.transitioned_from, decision.state, decision.failures)
        if not decision.allowed:
            self._listener.on_call(self.name, decision.state, "rejected")
            self._listener.on_state(self.name, decision.state, decision.failures)
            raise CircuitOpenError(self.name, decision.state, decision.retry_after)
        return Permit(self, decision, store)

    def snapshot(self) -> Record:
        try:
            return self._store.snapshot(self.name)
        except StoreUnavailable as exc:
            self._fell_back(exc)
            return self._fallback.snapshot(self.name)

    def reset(self) -> None:
        """Forget the state (operators and tests); both stores."""
        self._fallback.reset(self.name)
        self._store.reset(self.name)

    def _record(self, permit: Permit, *, failed: bool) -> None:
        store = permit._store
        now = self._clock()
        try:
            outcome = store.record(self.name, now, permit.decision.generation, failed, self.threshold)
        except StoreUnavailable as exc:
            # The result cannot be shared; count it locally so this container still protects itself.
            self._fell_back(exc)
            outcome = Outcome(False, permit.state, permit.decision.failures)
            if store is not self._fallback:
                local = self._fallback.acquire(self.name, now, self.cooldown, self.trial_lease)
                if local.allowed:
                    outcome = self._fallback.record(self.name, now, local.generation, failed, self.threshold)
        result = ("failure" if failed else "success") if outcome.applied else "ignored"
        self._listener.on_call(self.name, permit.state, result)
        if outcome.transitioned_from is not None:
            self._listener.on_transition(self.name, outcome.transitioned_from, outcome.state, outcome.failures)
        self._listener.on_state(self.name, outcome.state, outcome.failures)

    # -- fallback ----------------------------------------------------------------------------------------
    _fallback_log_lock = threading.Lock()
    _fallback_logged_at: dict[str, float] = {}  # noqa: RUF012 - per container, across breakers

    def _fell_back(self, exc: StoreUnavailable) -> None:
        kind = self.name.split(":", 1)[0]
        metrics.inc("circuit_breaker_fallback_total", breaker=kind)
        now = time.monotonic()
        with self._fallback_log_lock:
            last = self._fallback_logged_at.get(self.name)
            if last is not None and now - last < FALLBACK_LOG_INTERVAL_SECONDS:
                return
            self._fallback_logged_at[self.name] = now
        logger.warning(
            "circuit breaker store unreachable; this container decides alone",
            extra={"breaker": self.name, "error": str(exc)},
        )

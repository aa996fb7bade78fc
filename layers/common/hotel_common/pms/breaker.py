"""The PMS flavour of the shared circuit breaker: one breaker per tenant's PMS, named `pms:<tenant_id>`,
recording the original system's `pms_circuit_breaker_*` series."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hotel_common.metrics import metrics
from hotel_common.pms.errors import PmsError
from hotel_common.resilience import STATE_VALUES, CircuitBreaker, LoggingListener, RedisBreakerStore, State
from hotel_common.resilience.stores import BreakerStore

PREFIX = "pms:"
# What says the PMS is unwell. A PMS that answers "not found", "conflict", "invalid" or "unauthorized" is
# up: those are answers, and a breaker opened by them would hide the real cause behind `circuit_open`.
BREAKER_FAILURES = frozenset({"timeout", "upstream_error", "upstream_invalid"})


def is_pms_failure(exc: BaseException) -> bool:
    return isinstance(exc, PmsError) and exc.type in BREAKER_FAILURES


def tenant_of(name: str) -> str:
    return name.removeprefix(PREFIX)


class PmsBreakerMetrics(LoggingListener):
    """pms_circuit_breaker_state{tenant_id} (0 closed, 1 open, 2 half-open), ..._failure_streak{tenant_id},
    ..._calls_total{state,result}; transitions are logged by LoggingListener."""

    def on_call(self, name: str, state: State, result: str) -> None:
        metrics.inc("pms_circuit_breaker_calls_total", state=state, result=result)

    def on_state(self, name: str, state: State, failures: int) -> None:
        tenant_id = tenant_of(name)
        metrics.set("pms_circuit_breaker_state", STATE_VALUES[state], tenant_id=tenant_id)
        metrics.set("pms_circuit_breaker_failure_streak", failures, tenant_id=tenant_id)

    def on_transition(self, name: str, old: State, new: State, failures: int) -> None:
        super().on_transition(name, old, new, failures)
        self.on_state(name, new, failures)


def pms_breaker(
    tenant_id: str,
    redis_client: Any,
    *,
    threshold: int = 5,
    cooldown: float = 30.0,
    trial_lease: float = 60.0,
    clock: Callable[[], float] = time.time,
    store: BreakerStore | None = None,
    fallback: BreakerStore | None = None,
    listener: PmsBreakerMetrics | None = None,
) -> CircuitBreaker:
    return CircuitBreaker(
        PREFIX + tenant_id,
        store if store is not None else RedisBreakerStore(redis_client),
        threshold=threshold,
        cooldown=cooldown,
        trial_lease=trial_lease,
        clock=clock,
        listener=listener or PmsBreakerMetrics(),
        is_failure=is_pms_failure,
        fallback=fallback,
    )

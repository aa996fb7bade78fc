"""Resilience for outside calls: the circuit breaker (state shared in Redis) and, re-exported, the one
retry implementation (`hotel_common.retry`)."""

from hotel_common.resilience.breaker import (
    LOCAL_STORE,
    BreakerListener,
    CircuitBreaker,
    CircuitOpenError,
    LoggingListener,
    Permit,
)
from hotel_common.resilience.state import STATE_VALUES, Decision, Outcome, Record, State
from hotel_common.resilience.stores import BreakerStore, MemoryBreakerStore, RedisBreakerStore, StoreUnavailable
from hotel_common.retry import backoff_delay, call_with_retry

__all__ = [
    "LOCAL_STORE",
    "STATE_VALUES",
    "BreakerListener",
    "BreakerStore",
    "CircuitBreaker",
    "CircuitOpenError",
    "Decision",
    "LoggingListener",
    "MemoryBreakerStore",
    "Outcome",
    "Permit",
    "Record",
    "RedisBreakerStore",
    "State",
    "StoreUnavailable",
    "backoff_delay",
    "call_with_retry",
]

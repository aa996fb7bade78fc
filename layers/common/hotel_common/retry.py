"""Retries with exponential backoff and full jitter, bounded in attempts and in total time.

One implementation for every outside call (PMS, Graph API). Only the caller knows whether an operation
is idempotent, so it says which errors are retryable.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from hotel_common.metrics import metrics

T = TypeVar("T")


def backoff_delay(attempt: int, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Full jitter (AWS Architecture Blog): uniform in [0, min(cap, base * 2**attempt)]."""
    return rng() * min(cap, base * (2**attempt))


def call_with_retry(
    fn: Callable[[], T],
    *,
    operation: str,
    retryable: Callable[[BaseException], bool],
    attempts: int = 3,
    base_delay: float = 0.1,
    max_delay: float = 2.0,
    deadline_seconds: float = 10.0,
    delay_for: Callable[[BaseException], float | None] = lambda _exc: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fn` until it succeeds, a non-retryable error, `attempts`, or the time budget is spent.

    `delay_for` lets a caller honour a server's Retry-After; the delay is still capped by `max_delay`.
    """
    started = time.monotonic()
    for attempt in range(attempts):
        try:
            return fn()
        except BaseException as exc:
            last = attempt == attempts - 1
            if last or not retryable(exc):
                raise
            delay = delay_for(exc)
            delay = min(max_delay, delay) if delay is not None else backoff_delay(attempt, base_delay, max_delay)
            if time.monotonic() - started + delay > deadline_seconds:
                raise
            metrics.inc("retry_attempts_total", operation=operation, exception=type(exc).__name__)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover

"""Open-loop load at a constant arrival rate (requests are sent on schedule whatever the answers do, so
slow answers show up as latency instead of silently lowering the rate)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0
    elapsed_s: float = 0.0

    @property
    def achieved_rps(self) -> float:
        return self.sent / self.elapsed_s if self.elapsed_s else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "n": float(len(values)),
    }


async def constant_rate(
    request: Callable[[int], Awaitable[bool]], *, rate_per_s: float, duration_s: float
) -> LoadResult:
    """Calls `request(i)` at `rate_per_s` for `duration_s`; `request` returns True on success."""
    result = LoadResult()
    total = int(rate_per_s * duration_s)
    started = time.perf_counter()

    async def one(i: int) -> None:
        t0 = time.perf_counter()
        try:
            ok = await request(i)
        except Exception:
            ok = False
        result.latencies_ms.append((time.perf_counter() - t0) * 1000)
        if not ok:
            result.errors += 1

    tasks = []
    for i in range(total):
        delay = started + i / rate_per_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
        result.sent += 1
    await asyncio.gather(*tasks)
    result.elapsed_s = time.perf_counter() - started
    return result

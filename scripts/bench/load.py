"""Open-loop load at a constant arrival rate (requests are sent on schedule whatever the answers do, so
slow answers show up as latency instead of silently lowering the rate).

`send_at_rate` runs the load in a process of its own, with every request built (and signed) beforehand and
aiohttp as the client: on 2 cores a client sharing the interpreter of the system under test, or spending
milliseconds per request itself, would be measured as server latency.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # epoch seconds per request, in request order
    statuses: list[int] = field(default_factory=list)  # in request order; 0 for a transport error
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
    request: Callable[[int], Awaitable[int]], *, rate_per_s: float, total: int, ok: Callable[[int], bool]
) -> LoadResult:
    """Calls `request(i)` for i in range(total) at `rate_per_s`; `request` returns the HTTP status."""
    result = LoadResult(latencies_ms=[0.0] * total, sent_at=[0.0] * total, statuses=[0] * total)
    started = time.perf_counter()

    async def one(i: int) -> None:
        result.sent_at[i] = time.time()
        t0 = time.perf_counter()
        try:
            status = await request(i)
        except Exception:
            status = 0
        result.latencies_ms[i] = (time.perf_counter() - t0) * 1000
        result.statuses[i] = status
        if not ok(status):
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


@dataclass(frozen=True)
class PreparedRequest:
    body: bytes
    headers: dict[str, str]


def send_at_rate(
    url: str, requests: list[PreparedRequest], rate_per_s: float, warmup: list[PreparedRequest] | None = None
) -> LoadResult:
    """POSTs `requests` to `url` at `rate_per_s` from a separate process (after `warmup`, untimed)."""
    spec = {
        "url": url,
        "rate": rate_per_s,
        "warmup": [{"body": r.body.decode(), "headers": r.headers} for r in warmup or []],
        "requests": [{"body": r.body.decode(), "headers": r.headers} for r in requests],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "scripts.bench.load", handle.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=len(requests) / rate_per_s + 120,
            check=True,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return LoadResult(**data)


async def _run(spec: dict[str, Any]) -> LoadResult:
    import aiohttp

    items = [(item["body"].encode(), item["headers"]) for item in spec["requests"]]
    connector = aiohttp.TCPConnector(limit=256, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(body: bytes, headers: dict[str, str]) -> int:
            async with session.post(spec["url"], data=body, headers=headers) as response:
                await response.read()
                return response.status

        for item in spec["warmup"]:
            await post(item["body"].encode(), item["headers"])

        async def request(i: int) -> int:
            return await post(*items[i])

        return await constant_rate(request, rate_per_s=spec["rate"], total=len(items), ok=lambda s: s == 200)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(_run(spec))
    print(json.dumps({k: v for k, v in result.__dict__.items()}))


if __name__ == "__main__":
    main()

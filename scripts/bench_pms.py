"""PMS benchmark (`make bench-pms`, part of `make bench`; not a test): latency of availability answered
from the Redis cache, uncached against the fake QloApps with 30 ms of injected latency, and refused by an
open breaker, each as median and p95, next to a raw httpx call to the fake as the baseline.

It runs its own fake QloApps on a free port and uses real Redis (BENCH_REDIS_URL, database 15 by default);
the path measured is PmsService in process (cache, breaker, retries, metrics), without the Lambda hop.
Writes reports/bench_pms.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis

# Before our modules create their loggers: the breaker-open phase would log one warning per call.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from hotel_common.metrics import metrics
from hotel_common.pms.breaker import pms_breaker
from hotel_common.pms.cache import AvailabilityQuery, PmsCache
from hotel_common.pms.errors import PmsError
from hotel_common.pms.qloapps import QloAppsClient, ari_request_xml
from hotel_common.pms.service import PmsService, RetryPolicy
from hotel_common.resilience import CircuitOpenError
from scripts.circuit_breaker_demo import serve_fake
from scripts.fakes.qloapps import DEMO_KEYS

ROOT = Path(__file__).resolve().parents[1]
TENANT = "bench-pms"


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 3), "p95_ms": round(p95 * 1000, 3), "n": len(ordered)}


def measure(fn: Callable[[int], Any], n: int, warmup: int = 5) -> dict[str, float]:
    for i in range(warmup):
        fn(-1 - i)
    samples = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
        metrics.drain()  # the recorder is flushed per invocation in Lambda; keep it small here
    return percentiles(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description="PMS cache / uncached / breaker fail-fast latency")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench_pms.json"))
    args = parser.parse_args()

    url, server = serve_fake()
    r = redis.Redis.from_url(args.redis_url, socket_timeout=1)
    for key in r.scan_iter(f"pms:{{{TENANT}}}:*"):
        r.delete(key)
    pms = QloAppsClient(url, DEMO_KEYS["hotel-sol"], timeout=4, booking_timeout=45)
    breaker = pms_breaker(TENANT, r)
    breaker.reset()
    cache = PmsCache(r, TENANT, 1)
    service = PmsService(TENANT, 1, pms, breaker=breaker, cache=cache, retry=RetryPolicy(attempts=1))
    day = date.today() + timedelta(days=300)
    same = AvailabilityQuery(day, day + timedelta(days=2))

    def stay(i: int) -> AvailabilityQuery:  # a different stay every call (warm-ups pass i < 0): never cached
        i = i if i >= 0 else 1900 - i
        start = day + timedelta(days=i % 2000 + 10)
        return AvailabilityQuery(start, start + timedelta(days=2), adults=1 + i // 2000)

    raw = httpx.Client()
    body = ari_request_xml(1, same.date_from, same.date_to)
    auth = httpx.BasicAuth(DEMO_KEYS["hotel-sol"], "")

    def baseline(_i: int) -> None:
        raw.post(f"{url}/api/hotel_ari", params={"output_format": "JSON"}, content=body, auth=auth).raise_for_status()

    def cached(_i: int) -> None:
        assert service.availability(same).source in ("pms", "cache")

    def uncached(i: int) -> None:
        assert service.availability(stay(i)).source == "pms"

    def fail_fast(i: int) -> None:
        try:
            service.availability(stay(i + 8000 if i >= 0 else 7000 - i))  # never cached either
        except CircuitOpenError:
            return
        raise AssertionError("the breaker let a call through")

    results: dict[str, Any] = {}
    results["baseline_raw_httpx_no_latency"] = measure(baseline, args.n)
    results["cached_availability"] = measure(cached, args.n)
    httpx.post(f"{url}/_faults", json={"latency_ms": args.latency_ms}, timeout=5).raise_for_status()
    results["baseline_raw_httpx_with_latency"] = measure(baseline, max(20, args.n // 4))
    results["uncached_availability_with_latency"] = measure(uncached, max(20, args.n // 4))
    httpx.post(f"{url}/_faults", json={"down": True, "latency_ms": 0}, timeout=5).raise_for_status()
    for i in range(breaker.threshold):
        with contextlib.suppress(PmsError):
            service.availability(stay(5000 + i))
    assert breaker.snapshot().state == "open"
    results["breaker_open_fail_fast"] = measure(fail_fast, args.n, warmup=2)
    breaker.reset()
    server.should_exit = True
    pms.close()
    raw.close()

    base = results["baseline_raw_httpx_no_latency"]["median_ms"]
    slow = results["uncached_availability_with_latency"]["median_ms"]
    results["ratios"] = {
        "cached_vs_raw_fake_call": round(results["cached_availability"]["median_ms"] / base, 3),
        "uncached_vs_raw_call_with_latency": round(slow / results["baseline_raw_httpx_with_latency"]["median_ms"], 3),
        "cached_speedup_vs_uncached": round(slow / results["cached_availability"]["median_ms"], 1),
        "fail_fast_speedup_vs_uncached": round(slow / results["breaker_open_fail_fast"]["median_ms"], 1),
    }
    results["settings"] = {"n": args.n, "fake_latency_ms": args.latency_ms, "redis": args.redis_url}
    print(f"PMS benchmark (fake QloApps, real Redis; n={args.n}, injected latency {args.latency_ms} ms)")
    for name, value in results.items():
        if "median_ms" in value:
            print(f"  {name:<38} median {value['median_ms']:8.3f} ms   p95 {value['p95_ms']:8.3f} ms")
    for name, ratio in results["ratios"].items():
        print(f"  {name:<38} {ratio}x")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Drive a tenant's PMS circuit breaker through closed → open → half-open → closed against the fake QloApps
with faults, printing each transition (`make test-circuit-breakers`).

It starts its own fake QloApps on a free port and uses the Redis of REDIS_URL (database 15 by default), so
it runs beside `make local` without touching it. Time is real: the cool-down is short (--cooldown).

    python -m scripts.circuit_breaker_demo [--cooldown 2] [--threshold 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
from datetime import date, timedelta

import httpx
import redis
import uvicorn

from hotel_common.pms.breaker import PmsBreakerMetrics, pms_breaker
from hotel_common.pms.cache import AvailabilityQuery
from hotel_common.pms.errors import PmsError
from hotel_common.pms.qloapps import QloAppsClient
from hotel_common.pms.service import PmsService, RetryPolicy
from hotel_common.resilience import CircuitOpenError, State
from scripts.fakes.qloapps import DEMO_KEYS, create_app

TENANT = "breaker-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_fake() -> tuple[str, uvicorn.Server]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake QloApps did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server


class Printer(PmsBreakerMetrics):
    def __init__(self) -> None:
        self.transitions: list[str] = []

    def on_transition(self, name: str, old: State, new: State, failures: int) -> None:
        super().on_transition(name, old, new, failures)
        line = f"{old} -> {new}"
        self.transitions.append(line)
        print(f"    TRANSITION  {line:<22} (failure streak {failures})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cooldown", type=float, default=2.0)
    parser.add_argument("--threshold", type=int, default=5)
    parser.add_argument("--redis-url", default=os.environ.get("BREAKER_DEMO_REDIS_URL", "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    url, server = serve_fake()
    client = redis.Redis.from_url(args.redis_url, socket_timeout=1)
    printer = Printer()
    breaker = pms_breaker(TENANT, client, threshold=args.threshold, cooldown=args.cooldown, listener=printer)
    breaker.reset()
    pms = QloAppsClient(url, DEMO_KEYS["hotel-sol"], timeout=2, booking_timeout=5)
    service = PmsService(TENANT, 1, pms, breaker=breaker, retry=RetryPolicy(attempts=1))
    day = date.today() + timedelta(days=200)

    def call(label: str) -> None:
        nonlocal day
        day += timedelta(days=1)
        started = time.perf_counter()
        try:
            service.availability(AvailabilityQuery(day, day + timedelta(days=1)))
            outcome = "ok"
        except CircuitOpenError as exc:
            outcome = f"circuit_open (retry in {exc.retry_after:.1f}s)"
        except PmsError as exc:
            outcome = exc.type
        ms = (time.perf_counter() - started) * 1000
        print(f"  {label:<34} -> {outcome:<34} {ms:7.1f} ms   state={breaker.snapshot().state}")

    def faults(**body: object) -> None:
        httpx.post(f"{url}/_faults", json=body, timeout=5).raise_for_status()

    print(f"fake QloApps {url}, breaker state in {args.redis_url}")
    print(f"threshold {args.threshold} failures, cool-down {args.cooldown}s")
    print("1. healthy PMS")
    call("availability")
    print("2. PMS down (503): consecutive failures")
    faults(down=True)
    for i in range(args.threshold):
        call(f"availability #{i + 1}")
    print("3. open: calls fail fast without reaching the PMS (it is back up already)")
    httpx.delete(f"{url}/_faults", timeout=5)
    for i in range(3):
        call(f"availability while open #{i + 1}")
    print(f"4. waiting {args.cooldown}s of cool-down; the next call is the one half-open trial")
    time.sleep(args.cooldown)
    call("trial call")
    print("5. closed again")
    call("availability")
    server.should_exit = True
    pms.close()
    breaker.reset()
    expected = ["closed -> open", "open -> half_open", "half_open -> closed"]
    if printer.transitions != expected:
        print(f"FAIL: transitions {printer.transitions}, expected {expected}")
        return 1
    print("OK: closed -> open -> half_open -> closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

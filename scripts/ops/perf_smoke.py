"""Smoke performance gate: signed WhatsApp webhooks at a constant arrival rate, then p50/p95/p99, error rate
and achieved RPS.

    python -m scripts.ops.perf_smoke run  [--url http://127.0.0.1:3000] [--rps 45] [--duration 60]
    python -m scripts.ops.perf_smoke eval [--summary reports/performance/smoke-summary.json]

Why an asyncio generator and not locust: the gate needs an *open* model (requests start on schedule whether
or not earlier ones have answered, so a slow system cannot slow the load down and hide its own latency),
which is what a constant-arrival-rate loop is; latency is measured from each request's scheduled start,
so queueing in the generator counts against the system rather than disappearing (no coordinated
omission). It is ~100 lines on httpx, which the project already pins, and the tests can run it for two
seconds against a stub.

Rate limit: the webhook allows 120 POST/minute per client IP (Meta sends from a handful of IPs). The local
API gateway takes the client IP from X-Forwarded-For, as API Gateway's sourceIp does behind a proxy, so the
smoke spreads its requests over CLIENT_IPS synthetic addresses from 198.18.0.0/15 (RFC 2544's benchmarking
range). Those addresses only appear in a header; no traffic is ever sent to them. A deployed HTTP API sets
sourceIp from the TCP peer instead, so against a stage the per-IP limit applies to the runner: raise the
stage's RATE_LIMIT_POST for the run or count the 429s, which the summary reports separately.

The bodies are status-update webhooks (`delivered`) with unique wamids: they cross the whole pipeline
(webhook, SQS, normalizer) without making the orchestrator answer, so the fake Graph API is not flooded.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from scripts.fakes.meta_webhook import encode, new_wamid, signed_headers, status_webhook
from scripts.ops import guardrails

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_FILE = ROOT / "reports" / "performance" / "smoke-summary.json"
WEBHOOK_PATH = "/webhooks/whatsapp"
_SYNTHETIC_NET = ipaddress.ip_network("198.18.0.0/15")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class LoadConfig:
    url: str
    rps: float
    duration_s: float
    app_secret: str
    client_ips: int
    timeout_s: float = 10.0

    @property
    def total(self) -> int:
        return int(self.rps * self.duration_s)


def client_ip(index: int) -> str:
    return str(_SYNTHETIC_NET.network_address + 1 + index)


def build_request(index: int, config: LoadConfig) -> tuple[bytes, dict[str, str]]:
    body = encode(status_webhook(new_wamid(), "delivered", recipient_id=f"3461{index % 10_000_000:07d}"))
    headers = signed_headers(body, config.app_secret)
    headers["X-Forwarded-For"] = client_ip(index % config.client_ips)
    return body, headers


@dataclass
class Sample:
    latency_s: float
    status: int | None  # None: transport error or timeout
    error: str | None = None


async def _one(client: httpx.AsyncClient, config: LoadConfig, index: int, scheduled: float) -> Sample:
    body, headers = build_request(index, config)
    try:
        # A total bound per request (httpx's timeouts are per phase: pool, connect, write, read).
        async with asyncio.timeout(config.timeout_s):
            response = await client.post(config.url, content=body, headers=headers)
        return Sample(time.perf_counter() - scheduled, response.status_code)
    except TimeoutError:
        return Sample(time.perf_counter() - scheduled, None, "timeout")
    except httpx.HTTPError as exc:
        return Sample(time.perf_counter() - scheduled, None, type(exc).__name__)


async def generate(config: LoadConfig) -> tuple[list[Sample], float]:
    """Start request i at t0 + i/rps, whatever happened to the others. Each request ends within
    `timeout_s`, so the run ends at most `timeout_s` after the last start; anything still open then (it
    should not be) is cancelled and counted as an error."""
    in_flight = max(10, math.ceil(config.rps * config.timeout_s))
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=min(in_flight, 100))
    async with httpx.AsyncClient(limits=limits, timeout=config.timeout_s) as client:
        tasks: list[asyncio.Task[Sample]] = []
        started = time.perf_counter()
        for index in range(config.total):
            scheduled = started + index / config.rps
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one(client, config, index, scheduled)))
        _, pending = await asyncio.wait(tasks, timeout=config.timeout_s + 5)
        for task in pending:
            task.cancel()
        elapsed = time.perf_counter() - started
        samples = [
            Sample(config.timeout_s, None, "unanswered_at_deadline") if task in pending else task.result()
            for task in tasks
        ]
    return samples, elapsed


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (a value that was observed)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(config: LoadConfig, samples: list[Sample], elapsed_s: float) -> dict[str, Any]:
    latencies = sorted(s.latency_s * 1000 for s in samples)
    ok = [s for s in samples if s.status is not None and 200 <= s.status < 300]
    statuses = Counter(str(s.status) if s.status is not None else (s.error or "error") for s in samples)
    errors = len(samples) - len(ok)
    return {
        "target": config.url,
        "tool": "asyncio + httpx, constant arrival rate (open model)",
        "rps_target": config.rps,
        "duration_s": config.duration_s,
        "client_ips": config.client_ips,
        "requests": len(samples),
        "successes": len(ok),
        "errors": errors,
        "rate_limited": statuses.get("429", 0),
        "error_rate": round(errors / len(samples), 5) if samples else 1.0,
        "achieved_rps": round(len(samples) / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "elapsed_s": round(elapsed_s, 2),
        "status_counts": dict(sorted(statuses.items())),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 2),
            "p95": round(percentile(latencies, 95), 2),
            "p99": round(percentile(latencies, 99), 2),
            "max": round(latencies[-1], 2) if latencies else math.nan,
            "mean": round(statistics.fmean(latencies), 2) if latencies else math.nan,
        },
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def evaluate(summary: Mapping[str, Any], p95_limit_ms: float, max_error_rate: float) -> list[str]:
    reasons = []
    p95 = summary["latency_ms"]["p95"]
    if not isinstance(p95, int | float) or math.isnan(p95) or p95 > p95_limit_ms:
        reasons.append(f"p95 {p95} ms > {p95_limit_ms:g} ms")
    if summary["error_rate"] > max_error_rate:
        reasons.append(f"error rate {summary['error_rate']:.2%} > {max_error_rate:.2%}")
    if summary["requests"] == 0:
        reasons.append("no request was sent")
    return reasons


def load_config(env: Mapping[str, str], limits: Mapping[str, float], args: argparse.Namespace) -> LoadConfig:
    def number(value: str | float | None, name: str, default: float) -> float:
        try:
            result = float(value) if value is not None and value != "" else default
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not a number") from None
        if not math.isfinite(result) or result <= 0:
            raise ConfigError(f"{name}={value!r} must be positive")
        return result

    rps = number(args.rps or env.get("PERF_RPS"), "PERF_RPS", 45)
    duration = number(args.duration or env.get("PERF_DURATION"), "PERF_DURATION", 60)
    if rps > limits["MAX_PERF_SMOKE_RPS"]:
        raise ConfigError(f"PERF_RPS={rps:g} above guardrails MAX_PERF_SMOKE_RPS={limits['MAX_PERF_SMOKE_RPS']:g}")
    if duration > limits["MAX_PERF_SMOKE_DURATION_SECONDS"]:
        raise ConfigError(f"PERF_DURATION={duration:g} above guardrails MAX_PERF_SMOKE_DURATION_SECONDS")
    base = (args.url or env.get("PERF_TARGET") or "http://127.0.0.1:3000").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"PERF_TARGET={base!r} is not an http(s) URL")
    url = base if base.endswith(WEBHOOK_PATH) else base + WEBHOOK_PATH
    # Two requests a minute per synthetic IP at most: a quarter of the 120/minute limit, so no 429 locally.
    default_ips = min(4096, max(1, math.ceil(rps * 60 / 30)))
    ips = int(number(env.get("CLIENT_IPS"), "CLIENT_IPS", default_ips))
    timeout = number(env.get("PERF_TIMEOUT"), "PERF_TIMEOUT", 10)
    if timeout > 60:
        raise ConfigError("PERF_TIMEOUT above 60 s")
    if rps * duration < 1:
        raise ConfigError("PERF_RPS x PERF_DURATION sends no request")
    return LoadConfig(
        url=url,
        rps=rps,
        duration_s=duration,
        app_secret=env.get("WHATSAPP_APP_SECRET") or "local-app-secret",
        client_ips=ips,
        timeout_s=timeout,
    )


def print_summary(summary: Mapping[str, Any]) -> None:
    lat = summary["latency_ms"]
    print(
        f"perf smoke: {summary['requests']} requests to {summary['target']} at {summary['rps_target']:g} RPS target, "
        f"{summary['achieved_rps']:g} achieved\n"
        f"  latency ms  p50={lat['p50']}  p95={lat['p95']}  p99={lat['p99']}  max={lat['max']}\n"
        f"  errors {summary['errors']} ({summary['error_rate']:.2%}), 429s {summary['rate_limited']}, "
        f"statuses {summary['status_counts']}"
    )


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("run", "eval"))
    parser.add_argument("--url", default=None, help="base URL (PERF_TARGET); the webhook path is appended")
    parser.add_argument("--rps", default=None, help="PERF_RPS (45)")
    parser.add_argument("--duration", default=None, help="PERF_DURATION seconds (60)")
    parser.add_argument("--summary", type=Path, default=SUMMARY_FILE)
    args = parser.parse_args(argv)
    try:
        limits = guardrails.load()
        if args.command == "eval":
            if not args.summary.is_file():
                raise ConfigError(f"{args.summary} not found: run `make perf-smoke` first")
            summary = json.loads(args.summary.read_text())
            p95_limit = float(env.get("P95_LIMIT_MS") or limits["PERF_P95_LIMIT_MS"])
            max_errors = float(env.get("MAX_ERROR_RATE") or limits["PERF_MAX_ERROR_RATE"])
            print_summary(summary)
            reasons = evaluate(summary, p95_limit, max_errors)
            verdict = "FAIL" if reasons else "PASS"
            print(f"smoke gate {verdict} (p95 <= {p95_limit:g} ms, errors <= {max_errors:.2%})")
            for reason in reasons:
                print(f"  FAIL {reason}")
            return 1 if reasons else 0
        config = load_config(env, limits, args)
    except (ConfigError, guardrails.GuardrailError, ValueError) as exc:
        print(f"perf-smoke: {exc}", file=sys.stderr)
        return 2
    print(
        f"perf smoke: {config.total} signed status webhooks at {config.rps:g} RPS for {config.duration_s:g} s "
        f"-> {config.url} ({config.client_ips} synthetic client IPs)",
        flush=True,
    )
    samples, elapsed = asyncio.run(generate(config))
    summary = summarize(config, samples, elapsed)
    args.summary.parent.mkdir(parents=True, exist_ok=True)
    args.summary.write_text(json.dumps(summary, indent=2) + "\n")
    print_summary(summary)
    print(f"  summary -> {args.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

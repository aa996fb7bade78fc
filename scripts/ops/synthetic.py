"""Synthetic health check of a stage (or the local stack) from the outside, as a probe would see it.

    HEALTH_CHECK_URL=https://… TIMEOUT=10 MAX_RETRIES=3 SLACK_WEBHOOK=https://hooks.slack.com/… \
        python -m scripts.ops.synthetic [--no-alert] [--report reports/health/synthetic-health.json]

Endpoints by importance: /health/live is critical (the API answers at all), /health/ready important (its
dependencies are up), /metrics optional (only where it is exposed). Each is retried up to MAX_RETRIES times
with at least MIN_REQUEST_INTERVAL_SECONDS between any two requests; TIMEOUT and MAX_RETRIES are capped by
scripts/guardrails.conf. A Slack alert is sent at most once per ALERT_COOLDOWN_SECONDS, whatever the number
of runs, through a lock file that records the last alert.

Exit codes: 0 healthy (optional failures only warn), 1 degraded (an important endpoint failed), 2 unhealthy
(a critical endpoint failed), 3 bad configuration.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import httpx

from scripts.ops import guardrails

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "http://127.0.0.1:3000"
DEFAULT_LOCK = ROOT / ".local" / "synthetic-health-alert.lock"
DEFAULT_REPORT = ROOT / "reports" / "health" / "synthetic-health.json"

Importance = Literal["critical", "important", "optional"]
ENDPOINTS: tuple[tuple[str, Importance], ...] = (
    ("/health/live", "critical"),
    ("/health/ready", "important"),
    ("/metrics", "optional"),
)


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class CheckConfig:
    base_url: str
    timeout: float
    max_retries: int
    min_interval: float
    cooldown_seconds: float
    slack_webhook: str | None
    lock_file: Path
    notes: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str], limits: Mapping[str, float]) -> CheckConfig:
        notes: list[str] = []
        url = (env.get("HEALTH_CHECK_URL") or DEFAULT_URL).rstrip("/")
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"HEALTH_CHECK_URL={url!r} is not an http(s) URL")

        def number(name: str, default: float, cap_key: str, kind: type[int] | type[float]) -> float:
            raw = env.get(name) or str(default)
            try:
                value = kind(float(raw)) if kind is int else float(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a number") from None
            if value <= 0:
                raise ConfigError(f"{name}={raw!r} must be positive")
            if value > limits[cap_key]:
                notes.append(f"{name}={raw} capped at {limits[cap_key]:g} (guardrails {cap_key})")
                value = kind(limits[cap_key])
            return value

        slack = env.get("SLACK_WEBHOOK") or None
        if slack and urlparse(slack).scheme not in ("http", "https"):
            raise ConfigError("SLACK_WEBHOOK is not an http(s) URL")
        return cls(
            base_url=url,
            timeout=number(
                "TIMEOUT", limits["DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS"], "MAX_HEALTH_CHECK_TIMEOUT_SECONDS", float
            ),
            max_retries=int(
                number("MAX_RETRIES", limits["DEFAULT_HEALTH_CHECK_RETRIES"], "MAX_HEALTH_CHECK_RETRIES", int)
            ),
            min_interval=limits["MIN_REQUEST_INTERVAL_SECONDS"],
            cooldown_seconds=limits["ALERT_COOLDOWN_SECONDS"],
            slack_webhook=slack,
            lock_file=Path(env.get("ALERT_LOCK_FILE") or DEFAULT_LOCK),
            notes=tuple(notes),
        )


class Pacer:
    """At least `interval` seconds between two requests, across every endpoint of one run."""

    def __init__(
        self, interval: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.interval, self._clock, self._sleep = interval, clock, sleep
        self._last: float | None = None
        self.sent_at: list[float] = []

    def wait(self) -> None:
        if self._last is not None:
            pause = self._last + self.interval - self._clock()
            if pause > 0:
                self._sleep(pause)
        self._last = self._clock()
        self.sent_at.append(self._last)


@dataclass
class EndpointResult:
    path: str
    importance: Importance
    ok: bool
    attempts: int
    status_code: int | None = None
    error: str | None = None
    latency_ms: float | None = None


@dataclass
class CheckResult:
    status: Literal["healthy", "degraded", "unhealthy"]
    base_url: str
    endpoints: list[EndpointResult]
    alert: str = "not_needed"
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return {"healthy": 0, "degraded": 1, "unhealthy": 2}[self.status]


def probe(client: httpx.Client, config: CheckConfig, pacer: Pacer, path: str, importance: Importance) -> EndpointResult:
    result = EndpointResult(path, importance, ok=False, attempts=0)
    for attempt in range(1, config.max_retries + 1):
        pacer.wait()
        result.attempts = attempt
        started = time.perf_counter()
        try:
            response = client.get(config.base_url + path, timeout=config.timeout)
        except httpx.HTTPError as exc:
            result.status_code, result.error = None, f"{type(exc).__name__}: {exc}"[:200]
            continue
        result.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        result.status_code = response.status_code
        if 200 <= response.status_code < 300:
            result.ok, result.error = True, None
            return result
        result.error = f"HTTP {response.status_code}"
    return result


def run_checks(config: CheckConfig, pacer: Pacer | None = None, client: httpx.Client | None = None) -> CheckResult:
    pacer = pacer or Pacer(config.min_interval)
    owned = client is None
    client = client or httpx.Client(follow_redirects=False)
    try:
        results = [probe(client, config, pacer, path, importance) for path, importance in ENDPOINTS]
    finally:
        if owned:
            client.close()
    failed = {r.importance for r in results if not r.ok}
    status: Literal["healthy", "degraded", "unhealthy"] = (
        "unhealthy" if "critical" in failed else "degraded" if "important" in failed else "healthy"
    )
    return CheckResult(status, config.base_url, results, notes=list(config.notes))


# -- alerting -----------------------------------------------------------------------------------------


def claim_alert_slot(lock_file: Path, cooldown_seconds: float, now: float | None = None) -> bool:
    """True (and the slot is recorded) when no alert went out within the cooldown. The file lock makes
    concurrent runs (cron overlapping a manual run) agree on one alert."""
    now = time.time() if now is None else now
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        try:
            last = float(json.loads(handle.read() or "{}").get("last_alert_at", 0))
        except (ValueError, AttributeError):
            last = 0.0  # a corrupt lock file must not silence alerts forever
        if now - last < cooldown_seconds:
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"last_alert_at": now, "at": datetime.fromtimestamp(now, UTC).isoformat()}))
        return True


def alert_text(result: CheckResult) -> str:
    failing = [
        f"{r.path} ({r.importance}): {r.error} after {r.attempts} attempt(s)" for r in result.endpoints if not r.ok
    ]
    return f":rotating_light: agente-hotel {result.status.upper()} at {result.base_url}\n" + "\n".join(failing)


def send_alert(config: CheckConfig, result: CheckResult, now: float | None = None) -> str:
    if result.status == "healthy":
        return "not_needed"
    if not config.slack_webhook:
        return "no_webhook"
    if not claim_alert_slot(config.lock_file, config.cooldown_seconds, now):
        return "suppressed_cooldown"
    try:
        response = httpx.post(config.slack_webhook, json={"text": alert_text(result)}, timeout=config.timeout)
    except httpx.HTTPError as exc:
        return f"failed: {type(exc).__name__}"
    return "sent" if response.status_code < 300 else f"failed: HTTP {response.status_code}"


def main(argv: list[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-alert", action="store_true", help="never send to SLACK_WEBHOOK (make health)")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    args = parser.parse_args(argv)
    try:
        config = CheckConfig.from_env(env, guardrails.load())
    except (ConfigError, guardrails.GuardrailError) as exc:
        print(f"synthetic-health-check: {exc}", file=sys.stderr)
        return 3
    result = run_checks(config)
    result.alert = "disabled" if args.no_alert else send_alert(config, result)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    report = {**asdict(result), "checked_at": datetime.now(UTC).isoformat(timespec="seconds")}
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{result.status.upper()} {config.base_url} (alert: {result.alert})")
    for r in result.endpoints:
        mark = "ok  " if r.ok else ("WARN" if r.importance == "optional" else "FAIL")
        detail = f"{r.status_code}" if r.ok else r.error
        print(f"  {mark} {r.path:<14} {r.importance:<9} {detail} ({r.attempts} attempt(s))")
    for note in result.notes:
        print(f"  note: {note}")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())

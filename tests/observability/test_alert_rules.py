"""Every alert fires on a series built to fire it and stays quiet on one built not to (real promtool).

Series carry the labels the exporter adds (job, stage); scenarios in one test group are told apart by
`stage`, which every rule aggregates by.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from scripts.observability import render, rules
from tests.observability.promtool import RulesTest, counter, series

WEBHOOK = "/webhooks/whatsapp"


@pytest.fixture
def rendered(out_dir: Path) -> Path:
    render.render_all(out_dir, {})
    return out_dir


def _http(t: RulesTest) -> None:
    def req(stage: str, method: str, endpoint: str, code: str, per_minute: float) -> dict[str, str]:
        labels = {"stage": stage, "method": method, "endpoint": endpoint, "status_code": code}
        return series("http_requests_total", counter([(30, per_minute)]), labels)

    g = t.group(
        "1m",
        [
            req("s", "POST", WEBHOOK, "200", 60),
            req("s", "POST", WEBHOOK, "500", 12),  # 0.2/s: above 0.1/s
            req("s", "GET", "/health/ready", "503", 3),  # 0.05/s: below
            req("s", "POST", WEBHOOK, "429", 30),  # 0.5/s: above 0.2/s
            req("s", "POST", "/admin/tenants", "429", 30),  # 429s elsewhere are not the webhook's
            req("quiet", "POST", WEBHOOK, "429", 6),  # 0.1/s: below
        ],
    )
    t.expect_alerts(g, "HighHttp5xxRate", "4m", [])  # still pending (for: 5m)
    t.expect_alerts(g, "HighHttp5xxRate", "15m", [{"stage": "s", "endpoint": WEBHOOK}])
    t.expect_alerts(g, "HighWebhook429Rate", "2m", [])
    t.expect_alerts(g, "HighWebhook429Rate", "10m", [{"stage": "s", "endpoint": WEBHOOK}])


def _histogram(metric: str, labels: dict[str, str], per_minute_by_le: Mapping[str, float]) -> list[dict[str, str]]:
    return [
        series(f"{metric}_bucket", counter([(40, rate)]), {**labels, "le": le}) for le, rate in per_minute_by_le.items()
    ]


def _pms(t: RulesTest) -> None:
    slow = {"0.5": 0, "1": 0, "2.5": 10, "+Inf": 10}
    fast = {"0.5": 10, "1": 10, "2.5": 10, "+Inf": 10}
    g = t.group(
        "1m",
        _histogram("pms_api_latency_seconds", {"stage": "s", "endpoint": "/api/hotels", "method": "GET"}, slow)
        + _histogram("pms_api_latency_seconds", {"stage": "s", "endpoint": "/api/bookings", "method": "GET"}, fast),
    )
    t.expect_alerts(g, "HighPmsLatencyP95", "8m", [])
    t.expect_alerts(g, "HighPmsLatencyP95", "20m", [{"stage": "s", "endpoint": "/api/hotels"}])

    g = t.group(
        "1m",
        [
            series("pms_circuit_breaker_state", "0 0 0 1 1 1 1 1 1 1 1", {"stage": "open"}),
            series("pms_circuit_breaker_state", "0 1 0 1 0 1 0 1 0 1 0", {"stage": "flapping"}),
            series("pms_circuit_breaker_state", "0x10", {"stage": "closed"}),
        ],
    )
    t.expect_alerts(g, "CircuitBreakerOpen", "4m", [])  # open since 3m, for: 2m
    t.expect_alerts(g, "CircuitBreakerOpen", "8m", [{"stage": "open"}])

    def breaker(stage: str, state: str, streak: str, failures: float, successes: float) -> list[dict[str, str]]:
        calls = "pms_circuit_breaker_calls_total"
        return [
            series("pms_circuit_breaker_state", state, {"stage": stage}),
            series("pms_circuit_breaker_failure_streak", streak, {"stage": stage}),
            series(calls, counter([(10, failures)]), {"stage": stage, "state": "closed", "result": "failure"}),
            series(calls, counter([(10, successes)]), {"stage": stage, "state": "closed", "result": "success"}),
        ]

    g = t.group(
        "1m",
        breaker("warn", "0x10", "3x10", 40, 20)  # streak 3/5, 67% failing
        + breaker("crit", "0x10", "4x10", 50, 10)  # streak 4/5, 83% failing
        + breaker("already-open", "1x10", "4x10", 50, 10)  # open: CircuitBreakerOpen's business
        + breaker("few-failures", "0x10", "3x10", 10, 50),  # streak 3/5 but 17% failing
    )
    t.expect_alerts(g, "PmsCircuitBreakerImminentOpenWarning", "2m", [])
    t.expect_alerts(g, "PmsCircuitBreakerImminentOpenWarning", "8m", [{"stage": "warn"}, {"stage": "crit"}])
    t.expect_alerts(g, "PmsCircuitBreakerImminentOpenCritical", "1m", [])
    t.expect_alerts(g, "PmsCircuitBreakerImminentOpenCritical", "8m", [{"stage": "crit"}])
    t.expect_value(g, 'pms_cb_failure_streak_fraction{stage="warn"}', "5m", 0.6)
    t.expect_value(g, 'pms_cb_risk_imminent{stage="warn"}', "8m", 1)

    def cache(stage: str, hits: float, misses: float | None) -> list[dict[str, str]]:
        out = [series("pms_cache_hits_total", counter([(40, hits)]), {"stage": stage})]
        if misses is not None:
            out.append(series("pms_cache_misses_total", counter([(40, misses)]), {"stage": stage}))
        return out

    g = t.group(
        "1m",
        cache("warn", 36, 24)  # 60% hits at 1 op/s
        + cache("crit", 18, 42)  # 30%
        + cache("idle", 3, 6)  # 33% but 0.15 op/s: under the activity floor
        + cache("healthy", 54, 6)  # 90%
        + cache("no-misses", 60, None),  # misses never counted: ratio 1, not absent
    )
    t.expect_alerts(g, "PmsCacheHitRatioLowWarning", "10m", [])
    t.expect_alerts(g, "PmsCacheHitRatioLowWarning", "20m", [{"stage": "warn"}, {"stage": "crit"}])
    t.expect_alerts(g, "PmsCacheHitRatioLowCritical", "5m", [])
    t.expect_alerts(g, "PmsCacheHitRatioLowCritical", "20m", [{"stage": "crit"}])
    t.expect_value(g, 'pms_cache_hit_ratio{stage="no-misses"}', "20m", 1)


def _readiness(t: RulesTest) -> None:
    def probe(stage: str, ready: str, last_check: str, deps: dict[str, str]) -> list[dict[str, str]]:
        out = [
            series("readiness_up", ready, {"stage": stage}),
            series("readiness_last_check_timestamp", last_check, {"stage": stage}),
        ]
        out += [series("dependency_up", v, {"stage": stage, "name": n}) for n, v in deps.items()]
        return out

    down = "1 1 0 0 0 0 0 0 0 0 0"
    g = t.group(
        "1m",
        probe("down", down, "0+60x10", {"pms": down, "redis": "1x10"})  # a check every minute
        + probe("stale", "0x10", "0x10", {"pms": "0x10"})  # checks stopped at t=0: last value kept
        + probe("up", "1x10", "0+60x10", {"pms": "1x10", "redis": "1x10"}),
    )
    t.expect_alerts(g, "DependencyDown", "1m", [])
    t.expect_alerts(g, "DependencyDown", "8m", [{"stage": "down", "name": "pms"}])


def _orchestrator(t: RulesTest) -> None:
    def messages(intent: str, per_minute: dict[str, float]) -> list[dict[str, str]]:
        return [
            series("orchestrator_messages_total", counter([(30, r)]), {"stage": "s", "intent": intent, "status": s})
            for s, r in per_minute.items()
        ]

    g = t.group(
        "1m",
        messages("booking", {"ok": 54, "error": 6})  # 10% errors at 1 msg/s
        + messages("availability", {"ok": 42, "error": 18})  # 30% at 1 msg/s
        + messages("faq", {"ok": 3, "error": 3})  # 50% at 0.1 msg/s: under the traffic floors
        + messages("greeting", {"ok": 60, "degraded": 30})  # degraded is not an error; no error series
        + _histogram(
            "orchestrator_latency_seconds",
            {"stage": "s", "intent": "availability"},
            {"1": 0, "2.5": 0, "5": 10, "+Inf": 10},
        )
        + _histogram(
            "orchestrator_latency_seconds",
            {"stage": "s", "intent": "greeting"},
            {"1": 10, "2.5": 10, "5": 10, "+Inf": 10},
        ),
    )
    booking, availability = {"stage": "s", "intent": "booking"}, {"stage": "s", "intent": "availability"}
    t.expect_alerts(g, "OrchestratorHighErrorRateWarning", "5m", [])
    t.expect_alerts(g, "OrchestratorHighErrorRateWarning", "20m", [availability, booking])
    t.expect_alerts(g, "OrchestratorHighErrorRateCritical", "3m", [])
    t.expect_alerts(g, "OrchestratorHighErrorRateCritical", "20m", [availability])
    t.expect_alerts(g, "OrchestratorHighLatencyP95", "5m", [])
    t.expect_alerts(g, "OrchestratorHighLatencyP95", "20m", [availability])
    t.expect_value(g, 'orchestrator_error_rate:intent{stage="s",intent="greeting"}', "20m", 0)


def test_every_alert_fires_and_stays_quiet(rendered: Path) -> None:
    t = RulesTest(rendered)
    _http(t)
    _pms(t)
    _readiness(t)
    _orchestrator(t)
    g = t.group("1m", [series("up", "1x5", {"stage": "s"})])
    t.expect_alerts(g, "AlwaysFiring", "2m", [], absent_rule=True)  # disabled by default
    t.run("alerts")
    # The SLO alerts depend on the SLO template: test_slo_rules.py covers them per SLO_TARGET.
    others = [a for a in t.alert_rules if not a.startswith("OrchestratorSLO")]
    assert len(others) == 12
    assert t.uncovered(others) == []


def test_always_firing_toggle(out_dir: Path) -> None:
    render.render_all(out_dir, {rules.TEST_ALERT_ENV: "1"})
    t = RulesTest(out_dir)
    g = t.group("1m", [series("up", "1x5", {"stage": "s"})])
    t.expect_alerts(g, "AlwaysFiring", "1m", [{}])
    t.run("always-firing")

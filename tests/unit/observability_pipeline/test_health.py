"""Health: readiness from concurrent checks (up, error, timeout), its gauges and status codes, the
text exposition of /metrics and its token in production."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from functions.health.service import check_readiness, exposition
from hotel_common import config
from hotel_common.metrics import label_key, metrics
from tests.events import FakeContext, http_event

from .fakes import counter, gauge, histogram


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=4)
    yield pool
    pool.shutdown(wait=True)


def ok() -> None:
    return None


def broken() -> None:
    raise ConnectionRefusedError("secret://url-not-to-be-shown")


def test_all_up_is_ready_with_latencies(executor: ThreadPoolExecutor) -> None:
    readiness = check_readiness({"redis": ok, "sqs": ok}, executor, total_timeout=5, now=lambda: 1234.5)
    assert readiness.ready and readiness.checked_at == 1234.5
    assert all(d.up and d.latency_ms is not None for d in readiness.dependencies.values())
    assert readiness.body()["status"] == "ready"


def test_a_failing_and_a_hanging_dependency_are_down_with_their_reason(executor: ThreadPoolExecutor) -> None:
    release = threading.Event()

    def hangs() -> None:
        release.wait(10)

    try:
        readiness = check_readiness(
            {"redis": ok, "pms": broken, "dynamodb": hangs},
            executor,
            total_timeout=0.2,
        )
    finally:
        release.set()
    assert not readiness.ready
    body = readiness.body()
    assert body["status"] == "not_ready"
    deps: Any = body["dependencies"]
    assert deps["redis"]["up"] is True
    assert deps["pms"] == {"up": False, "latency_ms": None, "error": "ConnectionRefusedError"}
    assert deps["dynamodb"]["error"] == "timeout"
    assert "secret://" not in json.dumps(body)


def test_exposition_has_headers_escaping_and_histogram_order() -> None:
    family = "orchestrator_latency_seconds"
    text = exposition(
        [
            counter("http_requests_total", 3.0, endpoint='/a"b\\c', method="GET"),
            histogram(family, "bucket", 1.0, le="0.5", intent="greeting"),
            histogram(family, "bucket", 2.0, le="+Inf", intent="greeting"),
            histogram(family, "sum", 0.75, intent="greeting"),
            histogram(family, "count", 2.0, intent="greeting"),
            gauge("readiness_up", 1.0),
        ]
    )
    assert text.splitlines() == [
        "# HELP http_requests_total HTTP requests",
        "# TYPE http_requests_total counter",
        'http_requests_total{endpoint="/a\\"b\\\\c",method="GET"} 3',
        "# HELP orchestrator_latency_seconds Guest message handling latency",
        "# TYPE orchestrator_latency_seconds histogram",
        'orchestrator_latency_seconds_bucket{intent="greeting",le="0.5"} 1',
        'orchestrator_latency_seconds_bucket{intent="greeting",le="+Inf"} 2',
        'orchestrator_latency_seconds_sum{intent="greeting"} 0.75',
        'orchestrator_latency_seconds_count{intent="greeting"} 2',
        "# HELP readiness_up 1 when every dependency is up",
        "# TYPE readiness_up gauge",
        "readiness_up 1",
    ]


@pytest.fixture
def health(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from functions.health import handler

    config.load.cache_clear()
    handler.reset()
    metrics.drain()
    monkeypatch.setattr(handler, "flush", lambda: True)  # keep the deltas for the assertions
    yield handler
    handler.reset()
    config.load.cache_clear()
    metrics.drain()


def call(handler: Any, path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return dict(handler.handler(http_event("GET", path, headers=headers), FakeContext()))


def test_live_answers_200(health: Any) -> None:
    response = call(health, "/health/live")
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"status": "alive"}


def test_ready_sets_the_readiness_gauges_and_answers_503_when_a_dependency_is_down(
    health: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("functions.health.adapters.readiness_checks", lambda settings: {"redis": ok, "sqs": broken})
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")  # what Lambda sets in version 7's environments
    response = call(health, "/health/ready")
    assert response["statusCode"] == 503
    assert json.loads(response["body"])["dependencies"]["sqs"]["up"] is False
    _, sets = metrics.pending()
    assert sets[("dependency_up", label_key({"name": "redis"}))] == 1
    assert sets[("dependency_up", label_key({"name": "sqs"}))] == 0
    assert sets[("readiness_up", "[]")] == 0
    assert sets[("readiness_last_check_timestamp", "[]")] > 0
    adds, _ = metrics.pending()
    labels = {"method": "GET", "endpoint": "/health/ready", "status_code": "503", "function_version": "7"}
    assert adds[("http_requests_total", label_key(labels))] == 1  # through the shared HTTP middleware


def test_ready_answers_200_when_everything_is_up(health: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("functions.health.adapters.readiness_checks", lambda settings: {"redis": ok, "sqs": ok})
    assert call(health, "/health/ready")["statusCode"] == 200
    assert metrics.pending()[1][("readiness_up", "[]")] == 1


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic cHJvZC1hZG1pbi10b2tlbg=="])
def test_metrics_needs_the_admin_token_in_production(
    health: Any, monkeypatch: pytest.MonkeyPatch, authorization: str | None
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "prod-secret-key-value")
    monkeypatch.setenv("ADMIN_API_TOKEN", "prod-admin-token")
    for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        monkeypatch.setenv(name, "prod-value-" + name.lower())
    response = call(health, "/metrics", {"Authorization": authorization} if authorization else None)
    assert response["statusCode"] == 401 and response["headers"]["WWW-Authenticate"] == "Bearer"

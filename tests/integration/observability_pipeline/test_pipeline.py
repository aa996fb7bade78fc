"""Redis-aggregated metrics → the exporter → a real Prometheus, read back with PromQL; /metrics and the
readiness gauges over the same path. Real Redis, the moto server and a real Prometheus; no mocks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hotel_common.metrics import Recorder, metrics
from tests.events import FakeContext, http_event
from tests.integration.conftest import fresh_module, serve_in_thread

from .conftest import LocalPrometheus

Export = Callable[[], dict[str, Any]]


@pytest.fixture
def exporter_module(redis_db: Any, prometheus: LocalPrometheus, stage: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PROMETHEUS_REMOTE_WRITE_URL", prometheus.write_url)
    monkeypatch.setenv("STAGE", stage)
    for name in ("AMP_REMOTE_WRITE_URL", "SCHEDULE_EVERY_SECONDS", "METRICS_JOB"):
        monkeypatch.delenv(name, raising=False)
    metrics.drain()  # deltas left by other tests in this process must not leak into this Redis
    module = fresh_module("functions.metrics_exporter.handler")
    module.reset()
    yield module
    module.reset()


@pytest.fixture
def export(exporter_module: Any) -> Export:
    return lambda: exporter_module.handler({}, FakeContext())


def test_counters_arrive_with_labels_a_zero_sample_and_ms_timestamps(
    redis_db: Any, prometheus: LocalPrometheus, export: Export, stage: str
) -> None:
    container = Recorder()
    container.inc("orchestrator_messages_total", 3, intent="availability", status="ok")
    container.flush(redis_db)
    (push,) = export()["pushes"]
    assert push["result"] == "ok" and push["new_series"] >= 1
    ts = push["timestamp_ms"]
    selector = f'orchestrator_messages_total{{stage="{stage}",intent="availability",status="ok"}}'
    (series,) = prometheus.query(selector)
    assert series["metric"] == {
        "__name__": "orchestrator_messages_total",
        "intent": "availability",
        "job": "agente-hotel",
        "stage": stage,
        "status": "ok",
    }
    assert prometheus.raw_samples(selector) == [(ts - 1, 0.0), (ts, 3.0)]
    assert prometheus.value(f"increase({selector}[5m])") >= 3  # the first events are not lost

    container.inc("orchestrator_messages_total", 2, intent="availability", status="ok")
    container.flush(redis_db)
    (second,) = export()["pushes"]
    assert second["timestamp_ms"] > ts
    samples = prometheus.raw_samples(selector)
    assert samples[-1] == (second["timestamp_ms"], 5.0) and len(samples) == 3


def test_two_containers_flushing_the_same_counter_reach_prometheus_as_the_exact_sum(
    redis_db: Any, prometheus: LocalPrometheus, export: Export, stage: str
) -> None:
    containers = [Recorder(), Recorder()]

    def invocations(recorder: Recorder) -> None:
        for _ in range(100):
            recorder.inc("tenant_resolution_total", result="hit")
            recorder.flush(redis_db)

    threads = [threading.Thread(target=invocations, args=(c,)) for c in containers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert export()["pushes"][0]["result"] == "ok"
    assert prometheus.value(f'tenant_resolution_total{{stage="{stage}",result="hit"}}') == 200


def test_histograms_keep_every_bucket_so_quantiles_interpolate_in_the_right_bucket(
    redis_db: Any, prometheus: LocalPrometheus, export: Export, stage: str
) -> None:
    container = Recorder()
    for _ in range(10):
        container.observe(
            "request_duration_seconds", 0.3, method="POST", endpoint="/webhooks/whatsapp", function_version="$LATEST"
        )
    container.flush(redis_db)
    export()
    selector = f'request_duration_seconds_bucket{{stage="{stage}"}}'
    assert len(prometheus.query(selector)) == 12  # 11 bounds + Inf, the empty ones at 0
    p50 = prometheus.value(f"histogram_quantile(0.5, sum by (le) ({selector}))")
    assert p50 == pytest.approx(0.375)  # halfway through (0.25, 0.5]
    assert prometheus.value(f'request_duration_seconds_count{{stage="{stage}"}}') == 10
    assert prometheus.value(f'request_duration_seconds_sum{{stage="{stage}"}}') == pytest.approx(3.0)


def test_concurrent_pushes_never_send_out_of_order(
    redis_db: Any, prometheus: LocalPrometheus, exporter_module: Any, stage: str
) -> None:
    container = Recorder()
    container.inc("pms_cache_hits_total", 1)
    container.flush(redis_db)
    exporter = exporter_module._exporter()
    results: list[str] = []

    def push() -> None:
        for _ in range(5):
            results.append(exporter.push_once().result)

    threads = [threading.Thread(target=push) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) <= {"ok", "locked"} and "ok" in results
    samples = prometheus.raw_samples(f'pms_cache_hits_total{{stage="{stage}"}}', "10m")
    assert [ts for ts, _ in samples] == sorted({ts for ts, _ in samples})
    assert results.count("ok") + 1 == len(samples)  # each accepted push one sample, plus the zero


def test_an_unreachable_receiver_is_counted_and_does_not_fail_the_invocation(
    redis_db: Any, exporter_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.conftest import free_port

    monkeypatch.setenv("PROMETHEUS_REMOTE_WRITE_URL", f"http://127.0.0.1:{free_port()}/api/v1/write")
    monkeypatch.setenv("REMOTE_WRITE_MAX_ATTEMPTS", "2")
    module = fresh_module("functions.metrics_exporter.handler")
    module.reset()
    container = Recorder()
    container.inc("pms_cache_misses_total")
    container.flush(redis_db)
    (push,) = module.handler({}, FakeContext())["pushes"]
    assert push["result"] == "failed" and push["detail"] == "connection"
    assert float(redis_db.hget("metrics:metrics_export_total", '[["result","failed"]]')) == 1
    assert (
        float(
            redis_db.hget("metrics:retry_attempts_total", '[["exception","connection"],["operation","remote_write"]]')
        )
        == 1
    )
    assert redis_db.scard(f"metrics_export:{module._settings().STAGE}:exported") == 0


def test_the_rendered_rules_are_loaded(prometheus: LocalPrometheus) -> None:
    import httpx

    groups = httpx.get(f"{prometheus.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    names = {group["name"] for group in groups}
    assert "agente-hotel.http.recording" in names and len(names) >= 3


# -- health: /metrics and the readiness gauges --------------------------------------------------------


@pytest.fixture
def fake_qloapps() -> Iterator[str]:
    from scripts.fakes.qloapps import create_app
    from tests.integration.conftest import free_port

    port = free_port()
    server = serve_in_thread(create_app(), port)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True


@pytest.fixture
def health(deployed: Any, redis_db: Any, fake_qloapps: str, stage: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TENANTS_TABLE", deployed.table_names["tenants"])
    monkeypatch.setenv("IDEMPOTENCY_TABLE", deployed.table_names["idempotency"])
    monkeypatch.setenv("INBOUND_QUEUE_URL", deployed.queue_urls["inbound"])
    monkeypatch.setenv("QLOAPPS_BASE_URL", fake_qloapps)
    monkeypatch.setenv("STAGE", stage)
    from hotel_common import tenancy

    tenancy.reset()
    module = fresh_module("functions.health.handler")
    module.reset()
    yield module
    module.reset()
    tenancy.reset()


def get(module: Any, path: str) -> dict[str, Any]:
    return dict(module.handler(http_event("GET", path), FakeContext()))


def test_ready_checks_every_dependency_and_the_gauges_reach_prometheus(
    health: Any, redis_db: Any, prometheus: LocalPrometheus, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    response = get(health, "/health/ready")
    body = json.loads(response["body"])
    assert response["statusCode"] == 200, body
    assert {name for name, dep in body["dependencies"].items() if dep["up"]} == {"dynamodb", "redis", "sqs", "pms"}

    monkeypatch.setenv("QLOAPPS_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    fresh_module("functions.health.handler").reset()
    down = get(health, "/health/ready")
    assert down["statusCode"] == 503
    pms = json.loads(down["body"])["dependencies"]["pms"]
    assert pms["up"] is False and pms["error"] == "NewConnectionError"

    monkeypatch.setenv("PROMETHEUS_REMOTE_WRITE_URL", prometheus.write_url)
    exporter = fresh_module("functions.metrics_exporter.handler")
    exporter.reset()
    assert exporter.handler({}, FakeContext())["pushes"][0]["result"] == "ok"
    assert prometheus.value(f'readiness_up{{stage="{stage}"}}') == 0
    assert prometheus.value(f'dependency_up{{stage="{stage}",name="pms"}}') == 0
    assert prometheus.value(f'dependency_up{{stage="{stage}",name="dynamodb"}}') == 1
    assert 0 <= prometheus.value(f'time() - readiness_last_check_timestamp{{stage="{stage}"}}') < 600


def test_metrics_text_shows_the_same_series_prometheus_received(
    health: Any, redis_db: Any, prometheus: LocalPrometheus, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = Recorder()
    container.inc("whatsapp_send_total", 4, type="text", result="ok")
    container.observe("pms_api_latency_seconds", 0.07, endpoint="hotel_ari", method="GET")
    container.flush(redis_db)
    response = get(health, "/metrics")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = response["body"].splitlines()
    assert "# TYPE whatsapp_send_total counter" in lines
    assert 'whatsapp_send_total{result="ok",type="text"} 4' in lines
    assert 'pms_api_latency_seconds_bucket{endpoint="hotel_ari",le="0.1",method="GET"} 1' in lines
    assert 'pms_api_latency_seconds_bucket{endpoint="hotel_ari",le="0.05",method="GET"} 0' in lines

    monkeypatch.setenv("PROMETHEUS_REMOTE_WRITE_URL", prometheus.write_url)
    exporter = fresh_module("functions.metrics_exporter.handler")
    exporter.reset()
    exporter.handler({}, FakeContext())
    for line in lines:
        if line.startswith(("whatsapp_send_total", "pms_api_latency_seconds")):
            selector, value = line.rsplit(" ", 1)
            name, _, labels = selector.partition("{")
            query = f'{name}{{stage="{stage}",{labels}' if labels else f'{name}{{stage="{stage}"}}'
            assert prometheus.value(query) == float(value), line

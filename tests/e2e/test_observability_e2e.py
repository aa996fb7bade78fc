"""Observability on the whole local stack: guest traffic → Redis-aggregated metrics → the scheduled
exporter → the stack's Prometheus (rules loaded) → every dashboard panel query returns data. Plus the
health routes through the local API Gateway."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from scripts.fakes.meta_webhook import deliver, status_webhook, text_webhook
from scripts.observability.dashboards import panel_queries
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
RULE_SETTLE_SECONDS = 120.0  # two evaluation intervals (15 s) plus a push, with room for a slow machine


def query(stack: RunningStack, expr: str) -> dict[str, Any]:
    return dict(httpx.get(f"{stack.prometheus}/api/v1/query", params={"query": expr}, timeout=10).json())


def export(stack: RunningStack) -> dict[str, Any]:
    response = httpx.post(f"{stack.invoke}/2015-03-31/functions/metrics_exporter/invocations", json={}, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def drive_traffic(stack: RunningStack) -> None:
    """A greeting, an availability question (through pms_proxy to QloApps), a delivery status, a forged
    webhook, a rate-limited client, a PMS outage seen by /health/ready, and the health routes: every
    function records something, failure panels included."""
    wa_id = "34" + str(uuid.uuid4().int)[:9]
    check_in = date.today() + timedelta(days=40)
    check_out = check_in + timedelta(days=2)
    month = MONTHS_ES[check_in.month - 1]
    question = f"¿hay disponibilidad del {check_in.day} al {check_out.day} de {month} para 2 personas?"
    with httpx.Client(timeout=10) as http:
        # The same question twice: the second one is served from the PMS cache.
        for n, text in enumerate(("hola", question, question), start=1):
            payload = text_webhook(text, guest_wa_id=wa_id, guest_name="Lucía Pérez")
            assert deliver(http, stack.webhook, payload, app_secret=stack.app_secret).status_code == 200
            assert len(stack.wait_for_replies(wa_id, n, timeout=40)) >= n
        status = status_webhook("wamid.e2e-status-" + wa_id, "delivered", recipient_id=wa_id)
        assert deliver(http, stack.webhook, status, app_secret=stack.app_secret).status_code == 200
        forged = deliver(http, stack.webhook, text_webhook("x", guest_wa_id=wa_id), app_secret="not-the-secret")
        assert forged.status_code == 401
        # A client of its own (X-Forwarded-For) over the limit: unsigned bodies, so nothing is enqueued.
        client = {"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"}
        codes = [http.post(stack.webhook, content=b"{}", headers=client).status_code for _ in range(121)]
        assert codes[-1] == 429 and set(codes[:-1]) == {401}
        # A PMS outage: readiness answers 503 while it lasts, 200 after.
        assert httpx.post(f"{stack.qloapps}/_faults", json={"down": True}, timeout=5).status_code == 200
        try:
            outage = http.get(f"{stack.api}/health/ready")
        finally:
            httpx.delete(f"{stack.qloapps}/_faults", timeout=5)
        assert outage.status_code == 503 and outage.json()["dependencies"]["pms"]["up"] is False
        assert http.get(f"{stack.api}/health/ready").status_code == 200
        assert http.get(f"{stack.api}/health/live").status_code == 200


@pytest.fixture(scope="module")
def traffic_exported(local_stack: RunningStack) -> RunningStack:
    """Traffic, then two pushes a few seconds apart (rate() needs two samples in its window); the stack's
    schedule keeps pushing every 15 s on top of these."""
    ready = httpx.get(f"{local_stack.prometheus}/-/ready", timeout=5)
    assert ready.status_code == 200, "the local stack did not start Prometheus"
    drive_traffic(local_stack)
    first = export(local_stack)["pushes"]
    time.sleep(5)
    second = export(local_stack)["pushes"]
    assert {p["result"] for p in first + second} <= {"ok", "locked"}, (first, second)
    return local_stack


def test_health_routes_through_the_api_gateway(traffic_exported: RunningStack) -> None:
    stack = traffic_exported
    assert httpx.get(f"{stack.api}/health/live", timeout=5).json() == {"status": "alive"}
    ready = httpx.get(f"{stack.api}/health/ready", timeout=10)
    body = ready.json()
    assert ready.status_code == 200, body
    assert {name for name, dep in body["dependencies"].items() if dep["up"]} == {"dynamodb", "redis", "sqs", "pms"}
    text = httpx.get(f"{stack.api}/metrics", timeout=10)
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE http_requests_total counter" in text.text
    labels = 'endpoint="/webhooks/whatsapp",function_version="$LATEST",method="POST",status_code="401"'
    series = "http_requests_total{" + labels + "}"
    assert series in text.text


def test_exported_series_carry_job_and_stage_and_match_the_metrics_route(traffic_exported: RunningStack) -> None:
    stack = traffic_exported
    result = query(stack, 'http_requests_total{endpoint="/webhooks/whatsapp",method="POST",status_code="401"}')
    (series,) = result["data"]["result"]
    assert series["metric"]["job"] == "agente-hotel" and series["metric"]["stage"] == "local"
    assert float(series["value"][1]) >= 1


def test_every_dashboard_panel_query_parses_in_prometheus(traffic_exported: RunningStack) -> None:
    bad = [
        (q.dashboard, q.panel, q.expr, body.get("error"))
        for q in panel_queries()
        if (body := query(traffic_exported, q.expr))["status"] != "success"
    ]
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)


def test_every_dashboard_panel_returns_data_after_the_traffic(traffic_exported: RunningStack) -> None:
    """Recording rules fill in at the next evaluation (every 15 s), so empty panels are polled again
    until RULE_SETTLE_SECONDS have passed; those still empty are listed."""
    pending = [q for q in panel_queries() if q.expects_data]
    assert len(pending) > 40
    deadline = time.monotonic() + RULE_SETTLE_SECONDS
    while pending and time.monotonic() < deadline:
        pending = [q for q in pending if not query(traffic_exported, q.expr)["data"]["result"]]
        if pending:
            time.sleep(3)
    assert not pending, "panels without data:\n" + "\n".join(f"{q.dashboard} / {q.panel}: {q.expr}" for q in pending)

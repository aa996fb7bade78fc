"""Redis round trips of each function's hot path, counted on the wire against a real Redis.

Each round trip is latency on the path of a guest message (ElastiCache is a network hop from a Lambda).
These pin the number each path makes, and what each carries: in a new container (every connection is new,
and SELECTs the test database unless it is 0), in a warm one, and in a warm one after a quiet hour (no
health-check PING)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest

from hotel_common import redis_client, tenancy
from hotel_common.signature import sign
from scripts.fakes.meta_webhook import encode, text_webhook
from scripts.tenants.seed import seed_demo
from tests.events import FakeContext, http_event, sqs_event, sqs_record
from tests.integration.conftest import boto, fresh_module, webhook_environment
from tests.integration.round_trips import METRICS_FLUSH, connections_idle, count_round_trips, handshake

pytestmark = pytest.mark.integration
SECRET = "it-app-secret"
ROUTE = "/webhooks/whatsapp"


def new_container(module_name: str) -> Any:
    """The function as a new Lambda container sees it: fresh module, no Redis connection, no tenant map."""
    redis_client.get_redis.cache_clear()
    tenancy.reset()
    return fresh_module(module_name)


@pytest.fixture
def webhook(deployed: Any, redis_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    webhook_environment(monkeypatch, deployed, SECRET)
    module = new_container("functions.webhook.handler")
    assert post(module, "cero")["statusCode"] == 200  # a previous container loaded the limiter's scripts
    return new_container("functions.webhook.handler")


def post(module: Any, text: str) -> dict[str, Any]:
    body = encode(text_webhook(text, guest_wa_id="34600111222", phone_number_id="555"))
    headers = {"content-type": "application/json", "X-Hub-Signature-256": sign(body, SECRET)}
    event = http_event("POST", ROUTE, body.decode(), headers=headers, source_ip="10.9.9.9")
    return dict(module.handler(event, FakeContext()))


def test_webhook_post_is_the_limiter_script_and_the_metrics_flush(webhook: Any, redis_db: Any) -> None:
    with count_round_trips() as cold:
        assert post(webhook, "primero")["statusCode"] == 200
    with count_round_trips() as warm:
        assert post(webhook, "segundo")["statusCode"] == 200
    with connections_idle(), count_round_trips() as idle:
        assert post(webhook, "tercero")["statusCode"] == 200
    # Two connections (the limiter's and ours), no CLIENT SETINFO nor health-check PING on either.
    assert cold.labels() == [*handshake(redis_db), "EVALSHA", *handshake(redis_db), METRICS_FLUSH]
    assert warm.labels() == idle.labels() == ["EVALSHA", METRICS_FLUSH]


@pytest.fixture
def tenants(deployed: Any, aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = dict(deployed.table_names)
    monkeypatch.setenv("TENANTS_TABLE", tables["tenants"])
    seed_demo(boto("dynamodb", aws_env), boto("secretsmanager", aws_env), os.environ["STAGE"], tables)


@pytest.fixture
def orchestrator(deployed: Any, redis_db: Any, fake_graph: Any, tenants: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    from functions.orchestrator.service import Services
    from tests.unit.orchestrator.fakes import FakeNotifier, FakePms

    monkeypatch.setenv("IDEMPOTENCY_TABLE", deployed.table_names["idempotency"])
    monkeypatch.setenv("CONVERSATIONS_TABLE", deployed.table_names["conversations"])
    module = new_container("functions.orchestrator.handler")
    real = module._services()
    services = Services(
        store=real.store,
        whatsapp=real.whatsapp,
        pms=FakePms(),  # pms_proxy is another function, counted on its own
        notifier=FakeNotifier(),
        tenants=real.tenants,
        pause_seconds=real.pause_seconds,
        template=real.template,
    )
    monkeypatch.setattr(module, "_services", lambda: services)
    return module


def message(module: Any, text: str, wamid: str) -> Any:
    from functions.normalizer.service import normalize

    (inbound,) = normalize(text_webhook(text, guest_wa_id="34699000111", wamid=wamid, guest_name="Lucía")).messages
    record = sqs_record(inbound.model_copy(update={"tenant_id": "hotel-sol"}).model_dump_json(), group_id="g")
    return module.handler(sqs_event(record), FakeContext())


def test_orchestrator_reads_tenant_version_and_conversation_in_one_round_trip(
    orchestrator: Any, fake_graph: Any, redis_db: Any
) -> None:
    _, graph = fake_graph
    ok: dict[str, list[Any]] = {"batchItemFailures": []}
    with count_round_trips() as cold:
        assert message(orchestrator, "hola", "wamid.RT-1") == ok
    with count_round_trips() as warm:
        assert message(orchestrator, "quiero reservar del 12 al 15 de marzo para 2", "wamid.RT-2") == ok
    with connections_idle(), count_round_trips() as idle:
        assert message(orchestrator, "mejor del 12 al 14 de abril para 2", "wamid.RT-3") == ok
    # The version check carries the conversation; then the state with its outbox, the outbox marked sent,
    # and the metrics.
    expected = ["pipeline(GET,GET)", "SET", "SET", METRICS_FLUSH]
    assert warm.labels() == idle.labels() == expected
    assert cold.labels() == [*handshake(redis_db), *expected]
    # The conversation read ahead is the one the dialog continued: a greeting, then the rooms of each stay.
    assert [m["type"] for m in graph.sent] == ["text", "interactive", "interactive"]
    assert "Lucía" in graph.sent[0]["payload"]["text"]["body"]
    assert [r["message_id"] for r in graph.reads] == ["wamid.RT-1", "wamid.RT-2", "wamid.RT-3"]


@pytest.fixture
def health(redis_db: Any, tenants: None) -> Any:
    module = new_container("functions.health.handler")
    module.reset()
    return module


def test_health_ready_is_its_ping_the_tenant_version_and_the_flush(health: Any, redis_db: Any) -> None:
    def ready() -> None:
        health.handler(http_event("GET", "/health/ready"), FakeContext())

    with count_round_trips() as cold:
        ready()
    with count_round_trips() as warm:
        ready()
    with connections_idle(), count_round_trips() as idle:
        ready()
    # The checks run on threads (their order varies): the readiness PING on a client with the check's own
    # timeout, the version check of the PMS check, then the flush.
    expected = Counter(["PING", "GET", METRICS_FLUSH])
    assert Counter(warm.labels()) == Counter(idle.labels()) == expected
    assert Counter(cold.labels()) == expected + Counter(handshake(redis_db) * 2)  # two clients, two connections

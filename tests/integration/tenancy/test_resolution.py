"""Tenant resolution in the normalizer, end to end on the emulator: admin changes through the real admin
handler, webhook bodies through the real normalizer handler, events read back from the messages queue."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import redis

from hotel_common.metrics import label_key
from hotel_common.redis_client import get_redis
from hotel_common.tenancy import TenantCache, get_tenant
from hotel_common.tenancy.store import TenantStore
from hotel_common.tenancy.version import RedisVersion
from tests.events import FakeContext, sqs_event, sqs_record
from tests.integration.tenancy.conftest import reset_wiring
from tests.integration.tenancy.helpers import call

pytestmark = pytest.mark.integration

SOL_PNID, HARBOR_PNID, UNKNOWN_PNID = "100000000000001", "100000000000002", "100000000000099"


@pytest.fixture
def stack(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The messages queue on moto, the normalizer wired to it, and two hotels."""
    sqs = boto3.client("sqs", endpoint_url=env["endpoint"], region_name="us-east-1")
    url = sqs.create_queue(QueueName=f"messages-{uuid.uuid4().hex[:8]}.fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    monkeypatch.setenv("MESSAGES_QUEUE_URL", url)
    reset_normalizer()
    for tenant_id, name in (("hotel-sol", "Hotel Sol de Mayo"), ("harbor-view", "Harbor View Inn")):
        assert call("POST", "/admin/tenants", {"tenant_id": tenant_id, "name": name}).status == 201
    assert call("POST", "/admin/tenants/hotel-sol/identifiers", {"identifier": SOL_PNID}).status == 201
    yield {**env, "sqs": sqs, "queue_url": url}
    sqs.delete_queue(QueueUrl=url)


def reset_normalizer() -> None:
    from functions.normalizer import handler as normalizer

    reset_wiring()
    normalizer._publisher.cache_clear()


def webhook_body(phone_number_id: str, guest: str = "34699000111") -> str:
    wamid = f"wamid.{uuid.uuid4().hex}"
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "", "phone_number_id": phone_number_id},
                                "contacts": [{"wa_id": guest, "profile": {"name": "Ana"}}],
                                "messages": [
                                    {
                                        "from": guest,
                                        "id": wamid,
                                        "timestamp": "1764000000",
                                        "type": "text",
                                        "text": {"body": "hola"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    )


def normalize(stack: dict[str, Any], *bodies: str) -> list[dict[str, Any]]:
    """One normalizer invocation; returns the events it published."""
    from functions.normalizer.handler import handler

    records = [sqs_record(body, group_id=f"g{i}") for i, body in enumerate(bodies)]
    result = handler(sqs_event(*records), FakeContext())  # type: ignore[arg-type]
    assert result == {"batchItemFailures": []}
    sqs = stack["sqs"]
    published: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=stack["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        if not messages:
            return published
        for message in messages:
            published.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=stack["queue_url"], ReceiptHandle=message["ReceiptHandle"])


def counter(client: redis.Redis, metric: str, **labels: str) -> float:
    value = client.hget(f"metrics:{metric}", label_key(labels))
    return float(value) if value is not None else 0.0


def test_business_number_resolves_and_unknown_goes_to_default(stack: dict[str, Any]) -> None:
    events = normalize(stack, webhook_body(SOL_PNID), webhook_body(UNKNOWN_PNID))
    assert sorted((e["phone_number_id"], e["tenant_id"]) for e in events) == [
        (SOL_PNID, "hotel-sol"),
        (UNKNOWN_PNID, "hotel-sol"),  # DEFAULT_TENANT_ID
    ]
    r = stack["redis"]
    assert counter(r, "tenant_resolution_total", result="hit") == 1
    assert counter(r, "tenant_resolution_total", result="default") == 1
    assert counter(r, "message_normalized_total", canal="whatsapp", tenant_id="hotel-sol") == 2


def test_strict_mode_drops_unknown_and_counts_the_reason(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANCY_STRICT", "true")
    reset_normalizer()
    events = normalize(stack, webhook_body(SOL_PNID), webhook_body(UNKNOWN_PNID))
    assert [(e["phone_number_id"], e["tenant_id"]) for e in events] == [(SOL_PNID, "hotel-sol")]
    r = stack["redis"]
    assert counter(r, "tenant_resolution_total", result="hit") == 1
    assert counter(r, "tenant_resolution_total", result="miss_strict") == 1
    assert counter(r, "message_dropped_total", function="normalizer", reason="tenant_miss_strict") == 1


def test_guest_identifier_resolves_when_the_business_number_is_unknown(stack: dict[str, Any]) -> None:
    assert call("POST", "/admin/tenants/harbor-view/identifiers", {"identifier": "+34 699 000 222"}).status == 201
    (event,) = normalize(stack, webhook_body(UNKNOWN_PNID, guest="34699000222"))
    assert event["tenant_id"] == "harbor-view"


def test_dynamic_off_sends_everything_to_the_default(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert call("POST", "/admin/tenants/harbor-view/identifiers", {"identifier": HARBOR_PNID}).status == 201
    monkeypatch.setenv("TENANCY_DYNAMIC_ENABLED", "false")
    monkeypatch.setenv("TENANCY_STRICT", "true")  # no effect without dynamic tenancy
    reset_normalizer()
    events = normalize(stack, webhook_body(HARBOR_PNID), webhook_body(UNKNOWN_PNID))
    assert {e["tenant_id"] for e in events} == {"hotel-sol"}
    assert counter(stack["redis"], "tenant_resolution_total", result="default") == 2


def test_an_admin_change_reaches_a_warm_container_at_its_next_invocation(stack: dict[str, Any]) -> None:
    # Warm container: map loaded, refresh interval far away (300 s default).
    (before,) = normalize(stack, webhook_body(HARBOR_PNID))
    assert before["tenant_id"] == "hotel-sol"  # unknown yet: default
    # Another container, loaded before the change as well.
    other = TenantCache(TenantStore(stack["table"]), RedisVersion(get_redis(), stack["table"]), 300)
    other.ensure_fresh()
    assert other.owner(HARBOR_PNID) is None

    assert call("POST", "/admin/tenants/harbor-view/identifiers", {"identifier": HARBOR_PNID}).status == 201

    (after,) = normalize(stack, webhook_body(HARBOR_PNID))
    assert after["tenant_id"] == "harbor-view"
    other.ensure_fresh()
    owner = other.owner(HARBOR_PNID)
    assert owner is not None and owner.tenant_id == "harbor-view"


def test_refresh_endpoint_bumps_the_version_for_changes_made_behind_the_api(stack: dict[str, Any]) -> None:
    normalize(stack, webhook_body(SOL_PNID))  # warm
    # A change written straight to the table (restore, console edit): no version bump yet.
    TenantStore(stack["table"]).add_identifier("harbor-view", HARBOR_PNID, "phone_number_id")
    assert normalize(stack, webhook_body(HARBOR_PNID))[0]["tenant_id"] == "hotel-sol"
    refreshed = call("POST", "/admin/tenants/refresh")
    assert refreshed.status == 200
    assert refreshed.json() | {"version": "-"} == {
        "status": "refreshed",
        "version": "-",
        "tenants": 2,
        "active": 2,
        "identifiers": 2,
    }
    assert normalize(stack, webhook_body(HARBOR_PNID))[0]["tenant_id"] == "harbor-view"


@pytest.mark.parametrize("strict, expected", [(False, ["hotel-sol"]), (True, [])])
def test_an_inactive_tenant_does_not_resolve(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch, strict: bool, expected: list[str]
) -> None:
    monkeypatch.setenv("DEFAULT_TENANT_ID", "hotel-sol")
    monkeypatch.setenv("TENANCY_STRICT", "true" if strict else "false")
    reset_normalizer()
    assert call("POST", "/admin/tenants/harbor-view/identifiers", {"identifier": HARBOR_PNID}).status == 201
    assert [e["tenant_id"] for e in normalize(stack, webhook_body(HARBOR_PNID))] == ["harbor-view"]
    assert call("PATCH", "/admin/tenants/harbor-view", {"status": "inactive"}).status == 200
    assert [e["tenant_id"] for e in normalize(stack, webhook_body(HARBOR_PNID))] == expected
    assert call("PATCH", "/admin/tenants/harbor-view", {"status": "active"}).status == 200
    assert [e["tenant_id"] for e in normalize(stack, webhook_body(HARBOR_PNID))] == ["harbor-view"]


def test_directory_serves_the_tenant_and_follows_changes(stack: dict[str, Any]) -> None:
    tenant = get_tenant("harbor-view")
    assert tenant is not None and tenant.name == "Harbor View Inn"
    assert get_tenant("ghost-inn") is None
    assert call("PATCH", "/admin/tenants/harbor-view", {"name": "Harbor View Inn & Suites"}).status == 200
    renamed = get_tenant("harbor-view")
    assert renamed is not None and renamed.name == "Harbor View Inn & Suites"


def test_without_the_tenant_store_the_record_is_retried_not_misrouted(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.normalizer.handler import handler

    monkeypatch.setenv("TENANTS_TABLE", "agente-hotel-test-no-such-table")
    reset_normalizer()
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    record = sqs_record(webhook_body(SOL_PNID), message_id="rec-1")
    with pytest.raises(BatchProcessingError):  # every record failed: the whole batch goes back to the queue
        handler(sqs_event(record), FakeContext())  # type: ignore[arg-type]
    assert stack["sqs"].receive_message(QueueUrl=stack["queue_url"], WaitTimeSeconds=0).get("Messages") is None
    assert counter(stack["redis"], "tenant_refresh_errors_total", reason="store_unavailable") == 1


def test_without_redis_resolution_still_works_from_the_store(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hotel_common.metrics import metrics

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    reset_normalizer()
    from functions.normalizer.tenancy import resolver

    events = resolver().assign([_event(SOL_PNID), _event(UNKNOWN_PNID)])
    assert [e.tenant_id for e in events] == ["hotel-sol", "hotel-sol"]
    adds, _ = metrics.pending()
    assert adds[("tenant_refresh_errors_total", label_key({"reason": "version_unavailable"}))] == 1


def test_admin_changes_are_saved_when_redis_is_down_but_refresh_says_503(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    reset_wiring()
    # The rate limiter fails open, the version bump fails: the change itself is in DynamoDB.
    assert call("POST", "/admin/tenants/harbor-view/identifiers", {"identifier": HARBOR_PNID}).status == 201
    assert TenantStore(stack["table"]).lookup(HARBOR_PNID) == "harbor-view"
    refreshed = call("POST", "/admin/tenants/refresh")
    assert refreshed.status == 503 and "propagation" in refreshed.json()["detail"]


def _event(phone_number_id: str) -> Any:
    from functions.normalizer.service import normalize_body
    from hotel_common.models import parse_event

    (message,) = normalize_body(webhook_body(phone_number_id)).messages
    return parse_event(message.model_dump(mode="json"))

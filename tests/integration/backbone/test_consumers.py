"""Normalizer and orchestrator handlers with real SQS/DynamoDB (moto server), Redis and the fake Graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.fakes.meta_webhook import encode, text_webhook
from tests.events import FakeContext, sqs_event, sqs_record
from tests.integration.conftest import boto, fresh_module

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whatsapp"


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    ):
        out += batch
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


@pytest.fixture
def normalizer(deployed: Any, redis_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MESSAGES_QUEUE_URL", deployed.queue_urls["messages"])
    monkeypatch.setenv("PAYLOAD_BUCKET", deployed.bucket_names["payloads"])
    monkeypatch.setenv("TENANCY_DYNAMIC_ENABLED", "false")
    return fresh_module("functions.normalizer.handler")


def metric(redis_db: Any, name: str) -> dict[str, float]:
    return {k.decode(): float(v) for k, v in redis_db.hgetall(f"metrics:{name}").items()}


def test_normalizer_publishes_one_event_per_message_grouped_per_guest(
    normalizer: Any, deployed: Any, aws_env: str, redis_db: Any
) -> None:
    body = (FIXTURES / "multi_entry.json").read_text()
    result = normalizer.handler(sqs_event(sqs_record(body)), FakeContext())
    assert result == {"batchItemFailures": []}
    events = drain(boto("sqs", aws_env), deployed.queue_urls["messages"])
    groups = sorted(m["Attributes"]["MessageGroupId"] for m in events)
    assert groups == [
        "106540352242922:16505551234",
        "106540352242922:16505551234",
        "106540352242922:5491155550000",
        "206540352242922:447700900000",
    ]
    kinds = sorted(json.loads(m["Body"])["kind"] for m in events)
    assert kinds == ["message", "message", "message", "status"]
    assert sum(metric(redis_db, "message_normalized_total").values()) == 4


def test_controlled_errors_are_dropped_and_counted_not_retried(
    normalizer: Any, deployed: Any, aws_env: str, redis_db: Any
) -> None:
    records = [sqs_record((FIXTURES / n).read_text(), group_id=n) for n in ("no_entry.json", "no_messages.json")]
    records.append(sqs_record("garbage{", group_id="g"))
    result = normalizer.handler(sqs_event(*records), FakeContext())
    assert result == {"batchItemFailures": []}
    assert drain(boto("sqs", aws_env), deployed.queue_urls["messages"]) == []
    errors = {json.loads(k)[1][1]: v for k, v in metric(redis_db, "message_normalization_errors_total").items()}
    assert errors == {"missing_entry": 1, "missing_messages": 1, "unexpected": 1}


def test_transport_failure_fails_the_record_and_the_rest_of_its_group(
    normalizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESSAGES_QUEUE_URL", "http://127.0.0.1:9/000000000000/missing.fifo")
    module = fresh_module("functions.normalizer.handler")
    first = sqs_record(encode(text_webhook("a")).decode(), group_id="same")
    second = sqs_record(encode(text_webhook("b")).decode(), group_id="same")
    from functions.normalizer.adapters import PublishError

    # Every record failed: the invocation fails, so the whole batch comes back after the visibility timeout.
    with pytest.raises(PublishError) as caught:
        module.handler(sqs_event(first, second), FakeContext())
    assert "QueueDoesNotExist" in str(caught.value) or "NonExistentQueue" in str(caught.value)


class CountingSqs:
    """The real SQS client, counting SendMessageBatch calls and refusing the entries whose body holds
    `refuse` the way SQS reports a refused entry (in `Failed`, the call itself succeeding)."""

    def __init__(self, sqs: Any, refuse: str | None = None) -> None:
        self._sqs, self._refuse, self.calls = sqs, refuse, 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        refused = [e for e in Entries if self._refuse and self._refuse in e["MessageBody"]]
        accepted = [e for e in Entries if e not in refused]
        response = self._sqs.send_message_batch(QueueUrl=QueueUrl, Entries=accepted) if accepted else {}
        failed = [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError", "Message": "x"} for e in refused]
        return {"Successful": response.get("Successful", []), "Failed": failed}


def _texts(aws_env: str, deployed: Any) -> list[str]:
    return [json.loads(m["Body"])["text"] for m in drain(boto("sqs", aws_env), deployed.queue_urls["messages"])]


def test_a_batch_of_records_is_published_ten_events_per_call(
    normalizer: Any, deployed: Any, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.normalizer.adapters import EventPublisher

    sqs = CountingSqs(boto("sqs", aws_env))
    monkeypatch.setattr(normalizer, "_publisher", lambda: EventPublisher(sqs, deployed.queue_urls["messages"]))
    records = [
        sqs_record(encode(text_webhook(f"m{i}", guest_wa_id=f"3460000{i:04d}")).decode(), group_id=f"g{i}")
        for i in range(10)
    ]
    assert normalizer.handler(sqs_event(*records), FakeContext()) == {"batchItemFailures": []}
    assert sqs.calls == 1
    assert sorted(_texts(aws_env, deployed)) == sorted(f"m{i}" for i in range(10))


def test_a_refused_event_fails_its_record_and_the_rest_of_its_group_only(
    normalizer: Any, deployed: Any, aws_env: str, redis_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.normalizer.adapters import EventPublisher

    sqs = CountingSqs(boto("sqs", aws_env), refuse="refuse-me")
    monkeypatch.setattr(normalizer, "_publisher", lambda: EventPublisher(sqs, deployed.queue_urls["messages"]))

    def record(text: str, guest: str, group: str) -> dict[str, Any]:
        return sqs_record(encode(text_webhook(text, guest_wa_id=guest)).decode(), group_id=group)

    records = [
        record("ok-a1", "34600000001", "a"),
        record("refuse-me", "34600000001", "a"),
        record("ok-b1", "34600000002", "b"),
        record("after-a", "34600000001", "a"),
        record("ok-b2", "34600000002", "b"),
    ]
    result = normalizer.handler(sqs_event(*records), FakeContext())
    retried = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    assert retried == {records[1]["messageId"], records[3]["messageId"]}
    # The record after the refused one in its group did go out; its retry collapses on its deduplication id.
    assert sorted(_texts(aws_env, deployed)) == ["after-a", "ok-a1", "ok-b1", "ok-b2"]
    assert sum(metric(redis_db, "message_normalized_total").values()) == 3


def test_claim_checked_body_is_read_back_from_s3(normalizer: Any, deployed: Any, aws_env: str) -> None:
    body = encode(text_webhook("grande"))
    bucket = deployed.bucket_names["payloads"]
    boto("s3", aws_env).put_object(Bucket=bucket, Key="inbound/x.json", Body=body)
    claim = json.dumps({"bucket": bucket, "key": "inbound/x.json", "bytes": len(body)})
    record = sqs_record(claim, attributes={"payload_location": "s3"})
    assert normalizer.handler(sqs_event(record), FakeContext()) == {"batchItemFailures": []}
    (event,) = drain(boto("sqs", aws_env), deployed.queue_urls["messages"])
    assert json.loads(event["Body"])["text"] == "grande"


@pytest.fixture
def orchestrator(deployed: Any, redis_db: Any, fake_graph: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("IDEMPOTENCY_TABLE", deployed.table_names["idempotency"])
    for var, table in (("TENANTS_TABLE", "tenants"), ("CONVERSATIONS_TABLE", "conversations")):
        if table in deployed.table_names:
            monkeypatch.setenv(var, deployed.table_names[table])
    return fresh_module("functions.orchestrator.handler")


def message_event(text: str, wamid: str, guest: str = "34699000111") -> str:
    from functions.normalizer.service import normalize

    (message,) = normalize(text_webhook(text, guest_wa_id=guest, wamid=wamid, guest_name="Lucía Pérez")).messages
    return message.model_copy(update={"tenant_id": "hotel-sol"}).model_dump_json()


def test_orchestrator_replies_once_per_wamid(orchestrator: Any, fake_graph: Any) -> None:
    _, graph = fake_graph
    body = message_event("hola", "wamid.IT-1")
    for _ in range(3):
        result = orchestrator.handler(sqs_event(sqs_record(body)), FakeContext())
        assert result == {"batchItemFailures": []}
    replies = [m for m in graph.sent if m["to"] == "34699000111"]
    assert len(replies) == 1
    assert "Lucía" in replies[0]["payload"]["text"]["body"]


def test_status_updates_are_counted_not_answered(orchestrator: Any, fake_graph: Any, redis_db: Any) -> None:
    from functions.normalizer.service import normalize

    statuses = normalize(json.loads((FIXTURES / "statuses.json").read_text())).statuses
    records = [sqs_record(s.model_dump_json(), group_id="s") for s in statuses]
    assert orchestrator.handler(sqs_event(*records), FakeContext()) == {"batchItemFailures": []}
    assert fake_graph[1].sent == []
    assert sum(metric(redis_db, "whatsapp_status_total").values()) == 3


def test_graph_outage_fails_the_record_for_retry_and_the_retry_replies(orchestrator: Any, fake_graph: Any) -> None:
    url, graph = fake_graph
    import httpx

    body = message_event("hello there", "wamid.IT-2", guest="447700900123")
    record = sqs_record(body, group_id="g-outage")
    other = sqs_record(message_event("hola", "wamid.IT-3", guest="34699000999"), group_id="g-other")
    # The read receipt takes the first fault (the fake fails sends only), then the three tries of the send.
    httpx.post(f"{url}/_faults", json={"error_code": 131016, "times": 4})
    failed = orchestrator.handler(sqs_event(record, other), FakeContext())
    assert failed == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    assert len([m for m in graph.sent if m["to"] == "34699000999"]) == 1
    httpx.delete(f"{url}/_faults")
    assert orchestrator.handler(sqs_event(record), FakeContext()) == {"batchItemFailures": []}
    assert len([m for m in graph.sent if m["to"] == "447700900123"]) == 1

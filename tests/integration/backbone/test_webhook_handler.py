"""The webhook handler against a real SQS/S3 (moto server) and a real Redis."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hotel_common.signature import sign
from scripts.fakes.meta_webhook import encode, text_webhook
from tests.events import FakeContext, http_event
from tests.integration.conftest import boto, fresh_module, webhook_environment

SECRET = "it-app-secret"
ROUTE = "/webhooks/whatsapp"


@pytest.fixture
def webhook(deployed: Any, redis_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    webhook_environment(monkeypatch, deployed, SECRET)
    return fresh_module("functions.webhook.handler")


def post(module: Any, body: bytes, signature: str | None = None, ip: str = "10.0.0.1") -> dict[str, Any]:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    event = http_event("POST", ROUTE, body.decode("utf-8", "replace"), headers=headers, source_ip=ip)
    return module.handler(event, FakeContext())


def receive_all(sqs: Any, url: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return out
        out += batch
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_get_challenge(webhook: Any) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "it-verify", "hub.challenge": "987654"}
    ok = webhook.handler(http_event("GET", ROUTE, query=query), FakeContext())
    assert (ok["statusCode"], ok["body"]) == (200, "987654")
    assert ok["headers"]["Content-Type"].startswith("text/plain")
    bad = webhook.handler(http_event("GET", ROUTE, query={**query, "hub.verify_token": "x"}), FakeContext())
    assert bad["statusCode"] == 403


def test_signed_body_lands_on_the_fifo_queue_unchanged(webhook: Any, deployed: Any, aws_env: str) -> None:
    body = encode(text_webhook("hola", guest_wa_id="34600111222", phone_number_id="555"))
    response = post(webhook, body, sign(body, SECRET))
    assert response["statusCode"] == 200
    (message,) = receive_all(boto("sqs", aws_env), deployed.queue_urls["inbound"])
    assert message["Body"].encode() == body
    assert message["Attributes"]["MessageGroupId"] == "555:34600111222"


def test_quick_redelivery_collapses_on_the_body_hash(webhook: Any, deployed: Any, aws_env: str) -> None:
    body = encode(text_webhook("hola otra vez"))
    for _ in range(3):
        assert post(webhook, body, sign(body, SECRET))["statusCode"] == 200
    assert len(receive_all(boto("sqs", aws_env), deployed.queue_urls["inbound"])) == 1


def test_forged_missing_or_malformed_are_refused_and_nothing_is_enqueued(
    webhook: Any, deployed: Any, aws_env: str, redis_db: Any
) -> None:
    body = encode(text_webhook("hola"))
    assert post(webhook, body, sign(body, "forged"))["statusCode"] == 401
    assert post(webhook, body, None)["statusCode"] == 401
    assert post(webhook, b"{not json", sign(b"{not json", SECRET))["statusCode"] == 400
    assert receive_all(boto("sqs", aws_env), deployed.queue_urls["inbound"]) == []
    rejected = redis_db.hgetall("metrics:webhook_rejected_total")
    reasons = {json.loads(k)[0][1]: float(v) for k, v in rejected.items()}
    assert reasons == {"bad_signature": 1.0, "missing_signature": 1.0, "not_json": 1.0}
    statuses = {dict(json.loads(k))["status_code"] for k in redis_db.hgetall("metrics:http_requests_total")}
    assert statuses == {"401", "400"}


def test_over_3mb_is_413(webhook: Any) -> None:
    body = b'{"pad":"' + b"x" * (3 * 1024 * 1024) + b'"}'
    assert post(webhook, body, sign(body, SECRET))["statusCode"] == 413


def test_body_larger_than_sqs_goes_to_s3_by_claim_check(webhook: Any, deployed: Any, aws_env: str) -> None:
    payload = text_webhook("x" * (600 * 1024))
    body = encode(payload)
    assert post(webhook, body, sign(body, SECRET))["statusCode"] == 200
    (message,) = receive_all(boto("sqs", aws_env), deployed.queue_urls["inbound"])
    assert message["MessageAttributes"]["payload_location"]["StringValue"] == "s3"
    claim = json.loads(message["Body"])
    stored = boto("s3", aws_env).get_object(Bucket=claim["bucket"], Key=claim["key"])["Body"].read()
    assert stored == body


def test_121st_post_within_a_minute_gets_429_with_retry_after(webhook: Any) -> None:
    body = encode(text_webhook("rate"))
    signature = sign(body, SECRET)
    statuses = [post(webhook, body, signature, ip="10.9.9.9")["statusCode"] for _ in range(121)]
    assert statuses[:120] == [200] * 120
    last = post(webhook, body, signature, ip="10.9.9.9")
    assert last["statusCode"] == 429
    assert 1 <= int(last["headers"]["Retry-After"]) <= 61
    assert statuses[120] == 429
    # another client is not affected
    assert post(webhook, body, signature, ip="10.9.9.10")["statusCode"] == 200


def test_61st_get_gets_429(webhook: Any) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "it-verify", "hub.challenge": "1"}
    codes = [
        webhook.handler(http_event("GET", ROUTE, query=query, source_ip="10.1.1.1"), FakeContext())["statusCode"]
        for _ in range(61)
    ]
    assert codes.count(200) == 60 and codes[-1] == 429


def test_debug_skips_rate_limits(webhook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "true")
    module = fresh_module("functions.webhook.handler")
    query = {"hub.mode": "subscribe", "hub.verify_token": "it-verify", "hub.challenge": "1"}
    codes = {
        module.handler(http_event("GET", ROUTE, query=query, source_ip="10.2.2.2"), FakeContext())["statusCode"]
        for _ in range(65)
    }
    assert codes == {200}


def test_dead_redis_fails_open_and_is_counted(
    deployed: Any, aws_env: str, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("INBOUND_QUEUE_URL", deployed.queue_urls["inbound"])
    monkeypatch.setenv("PAYLOAD_BUCKET", deployed.bucket_names["payloads"])
    monkeypatch.setenv("WHATSAPP_APP_SECRET", SECRET)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    module = fresh_module("functions.webhook.handler")
    from hotel_common.metrics import metrics

    metrics.drain()
    monkeypatch.setattr(module, "flush", lambda: None)  # keep the deltas to look at them
    body = encode(text_webhook("redis is down"))
    assert post(module, body, sign(body, SECRET))["statusCode"] == 200
    assert len(receive_all(boto("sqs", aws_env), deployed.queue_urls["inbound"])) == 1
    adds, _ = metrics.drain()
    assert adds[("rate_limit_fail_open_total", "[]")] == 1

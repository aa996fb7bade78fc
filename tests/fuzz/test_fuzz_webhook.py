"""The webhook handler over generated requests: never a 5xx, and every refusal is a counted reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotel_common.signature import sign
from tests.fuzz.invariants import check_webhook_answer, webhook_call
from tests.fuzz.strategies import mutated_body
from tests.integration.conftest import fresh_module

SECRET = "fuzz-secret"
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None)


@pytest.fixture
def webhook(deployed: Any, redis_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("INBOUND_QUEUE_URL", deployed.queue_urls["inbound"])
    monkeypatch.setenv("PAYLOAD_BUCKET", deployed.bucket_names["payloads"])
    monkeypatch.setenv("WHATSAPP_APP_SECRET", SECRET)
    monkeypatch.setenv("DEBUG", "true")  # the rate limit is tested elsewhere; here every request is judged
    module = fresh_module("functions.webhook.handler")
    monkeypatch.setattr(module, "flush", lambda: None)
    return module


@FUZZ
@given(
    body=st.binary(max_size=400),
    signature=st.one_of(st.none(), st.text(max_size=80), st.just("sha256=")),
    sign_it=st.booleans(),
)
def test_random_requests_never_5xx_and_refusals_are_counted(
    webhook: Any, body: bytes, signature: str | None, sign_it: bool
) -> None:
    headers = {"content-type": "application/json"}
    if sign_it:
        headers["x-hub-signature-256"] = sign(body, SECRET)
    elif signature is not None:
        headers["x-hub-signature-256"] = signature
    status, rejected = webhook_call(webhook, body, headers)
    assert status in (200, 400, 401)
    check_webhook_answer(status, rejected)


@FUZZ
@given(mutated_body())
def test_signed_mutated_payloads_are_accepted_or_refused_cleanly(webhook: Any, payload: Any) -> None:
    body = json.dumps(payload).encode()
    status, rejected = webhook_call(webhook, body, {"x-hub-signature-256": sign(body, SECRET)})
    assert status in (200, 400)
    check_webhook_answer(status, rejected)

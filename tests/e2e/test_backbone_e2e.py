"""A newcomer's first minutes with `make local`, as the backbone issue lists them."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hotel_common.signature import sign
from scripts.fakes.meta_webhook import encode, text_webhook
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def guest() -> str:
    return "34" + str(uuid.uuid4().int)[:9]


def test_get_challenge_is_echoed(local_stack: RunningStack) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": local_stack.verify_token, "hub.challenge": "1158201444"}
    response = httpx.get(local_stack.webhook, params=params, timeout=5)
    assert (response.status_code, response.text) == (200, "1158201444")
    wrong = httpx.get(local_stack.webhook, params={**params, "hub.verify_token": "nope"}, timeout=5)
    assert wrong.status_code == 403


def test_signed_text_is_answered_at_the_fake_graph_within_5_seconds(local_stack: RunningStack) -> None:
    to = guest()
    body = encode(text_webhook("Hola, buenas noches", guest_wa_id=to, guest_name="Marta Ruiz"))
    response = httpx.post(
        local_stack.webhook,
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, local_stack.app_secret)},
        timeout=5,
    )
    assert response.status_code == 200
    replies = local_stack.wait_for_replies(to, 1, timeout=5)
    assert len(replies) == 1
    assert replies[0]["type"] == "text"
    assert "Marta" in replies[0]["payload"]["text"]["body"]


def test_forged_signature_is_401_and_nothing_is_sent(local_stack: RunningStack) -> None:
    to = guest()
    body = encode(text_webhook("hola", guest_wa_id=to))
    response = httpx.post(
        local_stack.webhook,
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, "not-the-secret")},
        timeout=5,
    )
    assert response.status_code == 401
    # A correctly signed message sent after it is answered, so by then the forged one would have been too.
    control = encode(text_webhook("hola", guest_wa_id=to, wamid="wamid.control-" + to))
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(control, local_stack.app_secret)}
    assert httpx.post(local_stack.webhook, content=control, headers=headers, timeout=5).status_code == 200
    replies = local_stack.wait_for_replies(to, 1)
    assert len(replies) == 1


def test_121st_post_within_a_minute_from_one_client_is_429(local_stack: RunningStack) -> None:
    client_ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    headers = {"Content-Type": "application/json", "X-Forwarded-For": client_ip}
    codes = []
    with httpx.Client(timeout=5) as client:
        for i in range(121):
            body = encode(text_webhook(f"rate {i}", guest_wa_id="34600000999", wamid=f"wamid.rate-{client_ip}-{i}"))
            response = client.post(
                local_stack.webhook,
                content=body,
                headers={**headers, "X-Hub-Signature-256": sign(body, local_stack.app_secret)},
            )
            codes.append(response.status_code)
    assert codes[:120] == [200] * 120
    assert codes[120] == 429
    assert int(response.headers["retry-after"]) >= 1

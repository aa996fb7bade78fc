"""A newcomer's first minutes with `make local`, as the backbone issue lists them."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from hotel_common.signature import sign
from scripts.fakes.meta_webhook import encode, status_webhook, text_webhook
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
    """120 signed POSTs from one client in a burst (well inside a minute, even on a loaded machine), then one
    more. Delivery statuses keep the burst cheap downstream: nothing to answer."""
    client_ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"

    async def burst() -> tuple[list[int], httpx.Response]:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=20)) as client:

            async def post(i: int) -> httpx.Response:
                body = encode(status_webhook(f"wamid.rate-{client_ip}-{i}", "delivered", recipient_id="34600000999"))
                headers = {
                    "Content-Type": "application/json",
                    "X-Forwarded-For": client_ip,
                    "X-Hub-Signature-256": sign(body, local_stack.app_secret),
                }
                return await client.post(local_stack.webhook, content=body, headers=headers)

            first = await asyncio.gather(*(post(i) for i in range(120)))
            return [r.status_code for r in first], await post(120)

    codes, last = asyncio.run(burst())
    assert codes == [200] * 120
    assert last.status_code == 429
    assert int(last.headers["retry-after"]) >= 1

"""Tenancy on the running local stack: a hotel created through the admin API answers its own guests."""

from __future__ import annotations

import uuid

import httpx
import pytest
import redis

from hotel_common.metrics import label_key
from hotel_common.signature import sign
from scripts.fakes.meta_webhook import encode, text_webhook
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def admin_headers(stack: RunningStack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.env.get('ADMIN_API_TOKEN', 'local-admin-token')}"}


def test_the_demo_hotels_are_seeded(local_stack: RunningStack) -> None:
    listed = httpx.get(f"{local_stack.api}/admin/tenants", headers=admin_headers(local_stack), timeout=10)
    assert listed.status_code == 200
    tenants = {t["tenant_id"]: t for t in listed.json()["tenants"]}
    assert tenants["hotel-sol"]["name"] == "Hotel Sol de Mayo"
    assert {"100000000000001", "34600000001"} <= {i["identifier"] for i in tenants["hotel-sol"]["identifiers"]}
    assert tenants["harbor-view"]["name"] == "Harbor View Inn"


def test_the_admin_api_refuses_without_the_token(local_stack: RunningStack) -> None:
    assert httpx.get(f"{local_stack.api}/admin/tenants", timeout=10).status_code == 401
    assert httpx.get(f"{local_stack.api}/admin/dashboard", timeout=10).status_code == 401


def create_hotel(stack: RunningStack) -> tuple[str, str, str]:
    """A tenant and its WhatsApp number, through the admin API of the local API Gateway."""
    suffix = uuid.uuid4().hex[:6]
    tenant_id, name = f"e2e-{suffix}", f"Posada Prueba {suffix.upper()}"
    phone_number_id = "1000" + str(uuid.uuid4().int)[:11]
    headers = admin_headers(stack)
    admin = f"{stack.api}/admin/tenants"
    created = httpx.post(admin, json={"tenant_id": tenant_id, "name": name, "language": "es"}, headers=headers)
    assert created.status_code == 201, created.text
    claimed = httpx.post(
        f"{admin}/{tenant_id}/identifiers",
        json={"identifier": phone_number_id, "kind": "phone_number_id"},
        headers=headers,
        timeout=10,
    )
    assert claimed.status_code == 201, claimed.text
    return tenant_id, name, phone_number_id


def send_text(stack: RunningStack, phone_number_id: str, text: str) -> str:
    to = "34" + str(uuid.uuid4().int)[:9]
    body = encode(text_webhook(text, guest_wa_id=to, phone_number_id=phone_number_id))
    response = httpx.post(
        stack.webhook,
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, stack.app_secret)},
        timeout=5,
    )
    assert response.status_code == 200
    return to


def test_a_message_to_a_new_hotels_number_is_assigned_to_it(local_stack: RunningStack) -> None:
    tenant_id, _name, phone_number_id = create_hotel(local_stack)
    to = send_text(local_stack, phone_number_id, "Hola, buenas tardes")
    assert len(local_stack.wait_for_replies(to, 1, timeout=10)) == 1
    # The normalizer flushed its metrics before the orchestrator could reply.
    field = label_key({"canal": "whatsapp", "tenant_id": tenant_id})
    normalized = redis.Redis.from_url(local_stack.redis_url).hget("metrics:message_normalized_total", field)
    assert float(normalized or 0) == 1


def test_a_new_hotel_answers_its_guests_by_its_name(local_stack: RunningStack) -> None:
    _tenant_id, name, phone_number_id = create_hotel(local_stack)
    to = send_text(local_stack, phone_number_id, "Hola, buenas tardes")
    replies = local_stack.wait_for_replies(to, 1, timeout=10)
    assert len(replies) == 1
    assert name in replies[0]["payload"]["text"]["body"]

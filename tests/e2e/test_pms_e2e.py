"""pms_proxy on the running local stack, called like the orchestrator calls it: boto3's Lambda client
against the local Invoke API. The demo tenant hotel-sol is fake QloApps hotel 1, its key in Secrets
Manager on the emulator."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.e2e.conftest import RunningStack
from tests.e2e.test_tenancy_e2e import admin_headers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def invoke(local_stack: RunningStack) -> Any:
    client = boto3.client(  # type: ignore[call-overload]
        "lambda",
        endpoint_url=local_stack.invoke,
        region_name="us-east-1",
        config=Config(read_timeout=80, retries={"max_attempts": 1}),
    )
    point_hotel_sol_at_the_stacks_fake(local_stack)

    def call(operation: str, **params: Any) -> dict[str, Any]:
        payload = {"operation": operation, "tenant_id": "hotel-sol", "params": params}
        response = client.invoke(FunctionName="pms_proxy", Payload=json.dumps(payload).encode())
        assert "FunctionError" not in response, response["Payload"].read()
        return dict(json.loads(response["Payload"].read()))

    return call


def point_hotel_sol_at_the_stacks_fake(stack: RunningStack) -> None:
    """The demo seed points tenants at QLOAPPS_BASE_URL of the stack's own process (port 8081 unless set);
    this stack runs its fake on a free port, so the operator's way (the admin API) re-points hotel-sol."""
    url = f"{stack.api}/admin/tenants/hotel-sol"
    tenant = httpx.get(url, headers=admin_headers(stack), timeout=10).json()
    pms = tenant["pms"]
    if pms["base_url"] != stack.qloapps:
        patched = httpx.patch(url, json={"pms": {**pms, "base_url": stack.qloapps}}, headers=admin_headers(stack))
        assert patched.status_code == 200, patched.text


def inventory(stack: RunningStack, room_type_id: int, night: date) -> int:
    state = httpx.get(
        f"{stack.qloapps}/_state",
        params={"date_from": night.isoformat(), "date_to": (night + timedelta(days=1)).isoformat()},
        timeout=5,
    ).json()
    return int(state["inventory"][str(room_type_id)][night.isoformat()])


def test_availability_for_hotel_sol_is_the_fakes(local_stack: RunningStack, invoke: Any) -> None:
    start = date.today() + timedelta(days=200)
    answer = invoke("availability", date_from=start.isoformat(), date_to=(start + timedelta(days=2)).isoformat())
    assert answer["ok"] is True, answer
    state = httpx.get(f"{local_stack.qloapps}/_state", timeout=5).json()
    seeded = state["hotels"]["1"]["room_types"]
    got = {str(rt["id"]): rt for rt in answer["data"]["room_types"]}
    assert set(got) == set(seeded)
    for rt_id, rt in seeded.items():
        assert got[rt_id]["name"] == rt["name"]
        assert float(got[rt_id]["base_price"]) == float(rt["price"])
    assert answer["data"]["currency"] == "EUR"


def test_a_booking_then_a_cancel_change_the_fakes_inventory(local_stack: RunningStack, invoke: Any) -> None:
    start = date.today() + timedelta(days=210)
    end = start + timedelta(days=2)
    before = inventory(local_stack, 2, start)
    created = invoke(
        "create_booking",
        idempotency_key=f"wamid.e2e-{start.isoformat()}",
        room_type_id=2,
        check_in=start.isoformat(),
        check_out=end.isoformat(),
        guests=2,
        guest={"name": "Lucía Fernández", "phone": "+34 600 111 222"},
    )
    assert created["ok"] is True, created
    assert inventory(local_stack, 2, start) == before - 1
    cancelled = invoke("cancel_booking", booking_id=created["data"]["id"])
    assert cancelled["ok"] is True and cancelled["data"]["cancelled"] is True
    assert inventory(local_stack, 2, start) == before

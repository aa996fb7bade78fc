"""An identifier belongs to one tenant only, even when many admins claim it at the same moment."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest

from tests.integration.tenancy.helpers import call

pytestmark = pytest.mark.integration
THREADS = 12


def race(fn: Any, args: list[Any]) -> list[Any]:
    """Run fn(arg) in one thread per arg, all released at once; results in arg order."""
    barrier = threading.Barrier(len(args))
    results: list[Any] = [None] * len(args)

    def run(i: int, arg: Any) -> None:
        # Mangum drives the ASGI app on the thread's event loop; Lambda's main thread has one, these need one.
        asyncio.set_event_loop(asyncio.new_event_loop())
        barrier.wait()
        results[i] = fn(arg)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_claims_of_one_identifier_leave_exactly_one_owner(env: dict[str, Any]) -> None:
    tenants = [f"hotel-{n:02d}" for n in range(THREADS)]
    for tenant_id in tenants:
        assert call("POST", "/admin/tenants", {"tenant_id": tenant_id, "name": tenant_id}).status == 201

    statuses = race(
        lambda t: call("POST", f"/admin/tenants/{t}/identifiers", {"identifier": "+34 600 123 456"}).status,
        tenants,
    )

    assert Counter(statuses) == {201: 1, 409: THREADS - 1}
    winner = tenants[statuses.index(201)]
    owners = [
        t["tenant_id"]
        for t in call("GET", "/admin/tenants", query={"limit": "100"}).json()["tenants"]
        if t["identifiers"]
    ]
    assert owners == [winner]
    claim = env["dynamodb"].get_item(
        TableName=env["table"], Key={"pk": {"S": "IDENT#34600123456"}, "sk": {"S": "CLAIM"}}
    )
    assert claim["Item"]["tenant_id"]["S"] == winner


def test_concurrent_creates_of_one_tenant_create_it_once(env: dict[str, Any]) -> None:
    names = [f"Hotel {n}" for n in range(THREADS)]
    statuses = race(lambda name: call("POST", "/admin/tenants", {"tenant_id": "hotel-sol", "name": name}).status, names)
    assert Counter(statuses) == {201: 1, 409: THREADS - 1}
    assert call("GET", "/admin/tenants/hotel-sol").json()["name"] == names[statuses.index(201)]

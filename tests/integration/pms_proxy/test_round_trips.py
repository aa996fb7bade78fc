"""pms_proxy's Redis round trips per invocation, counted on the wire (tests/integration/round_trips.py), and
what reading the cached answer ahead must not change: the answer, and which hotel it is for."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from functions.pms_proxy import handler as pms_handler
from hotel_common import redis_client, tenancy
from hotel_common.tenancy.models import PmsRef, TenantPatch
from hotel_common.tenancy.store import TenantStore
from hotel_common.tenancy.version import RedisVersion
from scripts.tenants.seed import pms_secret_name
from tests.events import FakeContext
from tests.integration.conftest import boto
from tests.integration.pms_proxy.conftest import SOL, Env, future_stay
from tests.integration.round_trips import METRICS_FLUSH, connections_idle, count_round_trips, handshake

pytestmark = pytest.mark.integration


def availability_event(start: Any, end: Any) -> dict[str, Any]:
    return {
        "operation": "availability",
        "tenant_id": SOL,
        "params": {"date_from": start.isoformat(), "date_to": end.isoformat()},
    }


@pytest.fixture
def invoke(env: Env) -> Iterator[Any]:
    """The Lambda entry point (handler + metrics flush) of a new container, wired as in production."""
    redis_client.get_redis.cache_clear()
    tenancy.reset()
    pms_handler.proxy.cache_clear()

    def run(event: dict[str, Any]) -> dict[str, Any]:
        return pms_handler.handler(event, FakeContext())  # type: ignore[arg-type]

    yield run
    pms_handler.proxy.cache_clear()


def test_availability_round_trips_cached_and_not(env: Env, invoke: Any) -> None:
    start, end = future_stay(days_ahead=70)
    with count_round_trips() as cold:
        first = invoke(availability_event(start, end))
    with count_round_trips() as cached:
        again = invoke(availability_event(start, end))
    with connections_idle(), count_round_trips() as idle:
        assert invoke(availability_event(start, end))["source"] == "cache"
    start, end = future_stay(days_ahead=80)
    with count_round_trips() as uncached:
        assert invoke(availability_event(start, end))["source"] == "pms"

    assert (first["source"], again["source"]) == ("pms", "cache")
    assert again["data"] == first["data"]
    # A new container knows no hotel yet: the version check (which loads the map) and the cache read apart.
    breaker_and_put = ["EVALSHA", "EVALSHA", "EVALSHA"]  # breaker acquire, breaker record, cache put
    assert cold.labels() == [*handshake(env.redis), "GET", "GET", *breaker_and_put, METRICS_FLUSH]
    # A warm one reads the cached answer with the version check.
    assert cached.labels() == idle.labels() == ["pipeline(GET,GET)", METRICS_FLUSH]
    assert uncached.labels() == ["pipeline(GET,GET)", *breaker_and_put, METRICS_FLUSH]


def test_room_types_cached_ride_on_the_version_check(env: Env, invoke: Any) -> None:
    event = {"operation": "room_types", "tenant_id": SOL, "params": {}}
    first = invoke(event)
    with count_round_trips() as cached:
        again = invoke(event)
    assert (first["source"], again["source"], again["data"]) == ("pms", "cache", first["data"])
    assert cached.labels() == ["pipeline(GET,GET)", METRICS_FLUSH]


def test_a_hotel_moved_since_the_read_ahead_is_answered_for_the_new_hotel(env: Env, invoke: Any) -> None:
    start, end = future_stay(days_ahead=90)
    assert invoke(availability_event(start, end))["data"]["hotel_id"] == 1
    assert invoke(availability_event(start, end))["source"] == "cache"
    # An operator points the tenant at another hotel: the container's map still says hotel 1, so hotel 1's
    # cached answer is what it reads ahead; the version check reloads the map, and the answer is hotel 2's.
    tables = {"tenants": os.environ["TENANTS_TABLE"]}
    moved = PmsRef(base_url=env.fake.url, hotel_id=2, secret_name=pms_secret_name(env.stage, "harbor-view"))
    TenantStore(tables["tenants"], boto("dynamodb", env.aws)).update_tenant(SOL, TenantPatch(pms=moved))
    RedisVersion(env.redis, tables["tenants"]).bump()
    with count_round_trips() as trips:
        answer = invoke(availability_event(start, end))
    assert answer["ok"] is True and answer["source"] == "pms" and answer["data"]["hotel_id"] == 2
    assert trips.labels()[:2] == ["pipeline(GET,GET)", "GET"]  # hotel 1's entry unused; hotel 2's read

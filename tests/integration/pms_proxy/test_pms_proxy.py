"""pms_proxy end to end below the Lambda runtime: real Redis, tenants and PMS keys on the moto server, the
fake QloApps over HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from functions.pms_proxy.proxy import PmsProxy
from tests.integration.pms_proxy.conftest import SOL, Env, counter, future_stay, gauge

pytestmark = pytest.mark.integration


def call(proxy: PmsProxy, operation: str, **params: Any) -> dict[str, Any]:
    return proxy.handle({"operation": operation, "tenant_id": SOL, "params": params})


def availability(proxy: PmsProxy, start: Any, end: Any, **extra: Any) -> dict[str, Any]:
    return call(proxy, "availability", date_from=start.isoformat(), date_to=end.isoformat(), **extra)


def guest(n: int = 1) -> dict[str, str]:
    return {"firstname": "Ana", "lastname": f"Guest{n}", "email": f"ana{n}@example.com", "phone": "+34600000001"}


def create(proxy: PmsProxy, key: str, room_type_id: int, start: Any, end: Any, n: int = 1) -> dict[str, Any]:
    return call(
        proxy,
        "create_booking",
        idempotency_key=key,
        room_type_id=room_type_id,
        check_in=start.isoformat(),
        check_out=end.isoformat(),
        guest=guest(n),
        adults=1,
    )


def room_type(answer: dict[str, Any], room_type_id: int) -> dict[str, Any]:
    return next(rt for rt in answer["data"]["room_types"] if rt["id"] == room_type_id)


# -- data ----------------------------------------------------------------------------------------------


def test_availability_and_prices_match_the_fakes_inventory(env: Env) -> None:
    start, end = future_stay(nights=2)
    answer = availability(env.new_proxy(), start, end)
    assert answer["ok"] is True and answer["source"] == "pms"
    data = answer["data"]
    assert data["currency"] == "EUR" and data["nights"] == 2
    seeded = env.fake.state.room_types
    hotel_types = {rt.id: rt for rt in seeded.values() if rt.hotel_id == 1}
    assert {rt["id"] for rt in data["room_types"]} == set(hotel_types)
    for rt in data["room_types"]:
        fake_rt = hotel_types[rt["id"]]
        assert rt["name"] == fake_rt.name
        assert rt["available"] == min(env.inventory(rt["id"], start), env.inventory(rt["id"], start + timedelta(1)))
        assert Decimal(rt["base_price"]) == fake_rt.price
        assert Decimal(rt["base_price_with_tax"]) == fake_rt.price * Decimal("1.10")
        assert Decimal(rt["total_price"]) == fake_rt.price * 2


def test_room_types_are_the_hotels(env: Env) -> None:
    answer = call(env.new_proxy(), "room_types")
    assert answer["ok"] is True
    assert [(rt["id"], rt["name"]) for rt in answer["data"]] == [
        (1, "Individual"),
        (2, "Doble"),
        (3, "Suite"),
        (4, "Familiar"),
    ]


def test_a_booking_reduces_inventory_and_a_cancel_restores_it(env: Env) -> None:
    proxy = env.new_proxy()
    start, end = future_stay(days_ahead=40)
    before = env.inventory(2, start)
    created = create(proxy, "wamid.booking-1", 2, start, end)
    assert created["ok"] is True, created
    booking_id = created["data"]["id"]
    assert env.inventory(2, start) == before - 1
    assert env.inventory(2, end - timedelta(days=1)) == before - 1
    fetched = call(proxy, "get_booking", booking_id=booking_id)
    assert fetched["data"]["status"] == "awaiting_payment" and fetched["data"]["cancelled"] is False
    cancelled = call(proxy, "cancel_booking", booking_id=booking_id, guest_email="ana1@example.com")
    assert cancelled["ok"] is True and cancelled["data"]["cancelled"] is True
    assert env.inventory(2, start) == before


def test_a_cancel_by_another_guest_is_not_found(env: Env) -> None:
    proxy = env.new_proxy()
    start, end = future_stay(days_ahead=41)
    booking_id = create(proxy, "wamid.cancel-guard", 2, start, end)["data"]["id"]
    answer = call(proxy, "cancel_booking", booking_id=booking_id, guest_email="someone@else.com")
    assert answer == {"ok": False, "error": {"type": "not_found", "message": answer["error"]["message"]}}
    assert env.bookings()[0]["state"] == 1  # still awaiting payment


# -- cache ---------------------------------------------------------------------------------------------


def test_second_identical_query_is_a_cache_hit_and_a_booking_invalidates_it(env: Env) -> None:
    proxy = env.new_proxy()
    start, end = future_stay(days_ahead=50)
    first = availability(proxy, start, end)
    second = availability(proxy, start, end)
    assert (first["source"], second["source"]) == ("pms", "cache")
    assert second["data"] == first["data"]
    assert counter("pms_cache_hits_total") == 1
    assert counter("pms_cache_misses_total") == 1
    # Another container sees the same entry.
    assert availability(env.new_proxy(), start, end)["source"] == "cache"

    assert create(proxy, "wamid.invalidate", 3, start, end)["ok"] is True
    after = availability(proxy, start, end)
    assert after["source"] == "pms"
    assert room_type(after, 3)["available"] == room_type(first, 3)["available"] - 1
    # A stay that shares no night with the booking keeps its entry.
    later = end + timedelta(days=5)
    availability(proxy, later, later + timedelta(days=1))
    assert create(proxy, "wamid.other-nights", 3, start, end - timedelta(days=1), n=2)["ok"] is True
    assert availability(proxy, later, later + timedelta(days=1))["source"] == "cache"


def test_cache_expires_after_its_ttl(env: Env) -> None:
    proxy = env.new_proxy()
    start, end = future_stay(days_ahead=52)
    availability(proxy, start, end)
    env.clock.advance(env.settings.PMS_CACHE_AVAILABILITY_TTL_SECONDS + 1)
    assert availability(proxy, start, end)["source"] == "pms"


def test_the_pms_failing_serves_the_stale_answer_marked_so(env: Env) -> None:
    proxy = env.new_proxy()
    start, end = future_stay(days_ahead=55)
    fresh = availability(proxy, start, end)
    env.clock.advance(env.settings.PMS_CACHE_AVAILABILITY_TTL_SECONDS + 1)
    env.faults(down=True)
    stale = availability(proxy, start, end)
    assert stale["ok"] is True and stale["source"] == "stale_cache"
    assert stale["data"] == fresh["data"] and "cached_at" in stale
    assert counter("pms_operations_total", operation="availability", status="stale_cache") == 1
    assert counter("pms_errors_total", operation="availability", error_type="upstream_error") == 1
    # Nothing cached for this query: the failure itself.
    other = availability(proxy, end, end + timedelta(days=1))
    assert other["ok"] is False and other["error"]["type"] == "upstream_error"


# -- breaker -------------------------------------------------------------------------------------------


def test_breaker_opens_after_exactly_five_failures_fails_fast_half_opens_and_closes(env: Env) -> None:
    proxy = env.new_proxy()
    start, _ = future_stay(days_ahead=60)
    env.faults(down=True)

    def query(i: int) -> dict[str, Any]:  # a new stay each time: no cache in the way
        day = start + timedelta(days=i)
        return availability(proxy, day, day + timedelta(days=1))

    for i in range(4):
        assert query(i)["error"]["type"] == "upstream_error"
        assert gauge("pms_circuit_breaker_state", tenant_id=SOL) == 0
    assert gauge("pms_circuit_breaker_failure_streak", tenant_id=SOL) == 4
    assert query(4)["error"]["type"] == "upstream_error"  # the fifth failure opens it
    assert gauge("pms_circuit_breaker_state", tenant_id=SOL) == 1
    assert counter("pms_circuit_breaker_calls_total", state="closed", result="failure") == 5

    env.clear_faults()  # the PMS is back, but the breaker does not call it until the cool-down ends
    for i in range(5, 8):
        assert query(i)["error"]["type"] == "circuit_open"
    assert counter("pms_circuit_breaker_calls_total", state="open", result="rejected") == 3
    assert counter("pms_errors_total", operation="availability", error_type="circuit_open") == 3

    env.clock.advance(env.settings.PMS_BREAKER_COOLDOWN_SECONDS)
    answer = query(8)  # the half-open trial
    assert answer["ok"] is True
    assert counter("pms_circuit_breaker_calls_total", state="half_open", result="success") == 1
    assert gauge("pms_circuit_breaker_state", tenant_id=SOL) == 0
    assert query(9)["ok"] is True


def test_a_failed_trial_reopens_the_breaker(env: Env) -> None:
    proxy = env.new_proxy()
    start, _ = future_stay(days_ahead=70)
    env.faults(down=True)
    for i in range(5):
        day = start + timedelta(days=i)
        availability(proxy, day, day + timedelta(days=1))
    env.clock.advance(env.settings.PMS_BREAKER_COOLDOWN_SECONDS)
    trial = availability(proxy, start + timedelta(days=10), start + timedelta(days=11))
    assert trial["error"]["type"] == "upstream_error"
    assert counter("pms_circuit_breaker_calls_total", state="half_open", result="failure") == 1
    assert availability(proxy, start + timedelta(days=12), start + timedelta(days=13))["error"]["type"] == (
        "circuit_open"
    )


def test_two_containers_see_the_same_breaker(env: Env) -> None:
    first, second = env.new_proxy(), env.new_proxy()
    start, _ = future_stay(days_ahead=80)
    env.faults(down=True)
    for i in range(5):
        day = start + timedelta(days=i)
        availability(first, day, day + timedelta(days=1))
    env.clear_faults()
    answer = availability(second, start + timedelta(days=20), start + timedelta(days=21))
    assert answer["error"]["type"] == "circuit_open"
    env.clock.advance(env.settings.PMS_BREAKER_COOLDOWN_SECONDS)
    assert availability(second, start + timedelta(days=22), start + timedelta(days=23))["ok"] is True
    assert availability(first, start + timedelta(days=24), start + timedelta(days=25))["source"] == "pms"


def test_slow_answers_are_not_failures(env: Env) -> None:
    proxy = env.new_proxy()
    start, _ = future_stay(days_ahead=90)
    env.faults(latency_ms=300)
    for i in range(6):
        day = start + timedelta(days=i)
        assert availability(proxy, day, day + timedelta(days=1))["ok"] is True
    assert gauge("pms_circuit_breaker_failure_streak", tenant_id=SOL) == 0


# -- booking safety ------------------------------------------------------------------------------------


def test_concurrent_creates_for_the_last_room_book_once_and_conflict_once(env: Env) -> None:
    start, end = future_stay(days_ahead=100)
    setup = env.new_proxy()
    assert create(setup, "wamid.first-suite", 3, start, end, n=1)["ok"] is True  # 2 suites -> 1 left
    assert env.inventory(3, start) == 1
    proxies = [env.new_proxy(), env.new_proxy()]
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def book(i: int) -> None:
        barrier.wait()
        results.append(create(proxies[i], f"wamid.last-suite-{i}", 3, start, end, n=10 + i))

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r["ok"] for r in results) == [False, True]
    refused = next(r for r in results if not r["ok"])
    assert refused["error"]["type"] == "conflict"
    assert env.inventory(3, start) == 0
    assert len(env.bookings()) == 2


def test_a_retried_create_with_the_same_key_books_once(env: Env) -> None:
    start, end = future_stay(days_ahead=110)
    first = create(env.new_proxy(), "wamid.retried", 2, start, end)
    again = create(env.new_proxy(), "wamid.retried", 2, start, end)
    assert first["ok"] and again["ok"]
    assert again["data"]["id"] == first["data"]["id"]
    assert (first["data"]["replayed"], again["data"]["replayed"]) == (False, True)
    assert len(env.bookings()) == 1


def test_concurrent_creates_with_the_same_key_book_once(env: Env) -> None:
    start, end = future_stay(days_ahead=115)
    proxies = [env.new_proxy() for _ in range(3)]
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(3)

    def book(proxy: PmsProxy) -> None:
        barrier.wait()
        results.append(create(proxy, "wamid.same-message", 2, start, end))

    threads = [threading.Thread(target=book, args=(p,)) for p in proxies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(r["ok"] for r in results), results
    assert len({r["data"]["id"] for r in results}) == 1
    assert len(env.bookings()) == 1


def test_a_create_answered_500_after_booking_is_found_not_repeated(env: Env) -> None:
    start, end = future_stay(days_ahead=120)
    env.faults(booking_500_after_create=True)
    answer = create(env.new_proxy(), "wamid.500-after-create", 2, start, end)
    assert answer["ok"] is True, answer
    assert counter("pms_operations_total", operation="find_booking", status="recovered") == 1
    env.clear_faults()
    again = create(env.new_proxy(), "wamid.500-after-create", 2, start, end)
    assert again["data"]["id"] == answer["data"]["id"] and again["data"]["replayed"] is True
    assert len(env.bookings()) == 1


def test_a_definitive_refusal_frees_the_key(env: Env) -> None:
    start, end = future_stay(days_ahead=125)
    proxy = env.new_proxy()
    for n in range(2):
        assert create(proxy, f"wamid.fill-{n}", 3, start, end, n=n)["ok"] is True
    refused = create(proxy, "wamid.no-room", 3, start, end, n=5)
    assert refused["error"]["type"] == "conflict"
    cancel = call(proxy, "cancel_booking", booking_id=env.bookings()[0]["id"])
    assert cancel["ok"] is True
    assert create(proxy, "wamid.no-room", 3, start, end, n=5)["ok"] is True  # not a replayed refusal


# -- upstream errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", [True, "shape"])
def test_garbage_from_the_pms_is_upstream_invalid(env: Env, garbage: Any) -> None:
    env.faults(garbage=garbage)
    start, end = future_stay(days_ahead=130)
    answer = availability(env.new_proxy(), start, end)
    assert answer["ok"] is False and answer["error"]["type"] == "upstream_invalid"
    assert counter("pms_errors_total", operation="availability", error_type="upstream_invalid") == 1


def test_a_refused_key_is_an_upstream_error_counted_as_unauthorized(env: Env) -> None:
    from scripts.fakes.qloapps import INACTIVE_KEY
    from scripts.tenants.seed import pms_secret_name
    from tests.integration.conftest import boto

    secrets = boto("secretsmanager", env.aws)
    secrets.put_secret_value(SecretId=pms_secret_name(env.stage, SOL), SecretString=INACTIVE_KEY)
    start, end = future_stay(days_ahead=135)
    answer = availability(env.new_proxy(), start, end)
    assert answer["ok"] is False and answer["error"]["type"] == "upstream_error"
    assert counter("pms_errors_total", operation="availability", error_type="unauthorized") == 1
    assert gauge("pms_circuit_breaker_failure_streak", tenant_id=SOL) == 0  # the PMS answered


def test_unknown_tenant_and_bad_params(env: Env) -> None:
    proxy = env.new_proxy()
    unknown = proxy.handle({"operation": "room_types", "tenant_id": "nowhere-inn", "params": {}})
    assert unknown["error"]["type"] == "not_found"
    bad = proxy.handle({"operation": "availability", "tenant_id": SOL, "params": {"date_from": "2026-01-03"}})
    assert bad["error"]["type"] == "invalid_request"


# -- late checkout ---------------------------------------------------------------------------------------


def test_late_checkout_depends_on_the_room_being_free_on_the_checkout_night(env: Env) -> None:
    proxy = env.new_proxy()
    start, end = future_stay(days_ahead=140)
    booked = create(proxy, "wamid.late-1", 1, start, end)
    room_id = booked["data"]["stays"][0]["rooms"][0]["id"]
    free = call(proxy, "late_checkout", booking_id=booked["data"]["id"])
    assert free["ok"] is True
    assert free["data"]["available"] is True and free["data"]["until"] == "14:00" and free["data"]["fee"] == "20"
    taken = call(
        proxy,
        "create_booking",
        idempotency_key="wamid.late-2",
        room_type_id=1,
        check_in=end.isoformat(),
        check_out=(end + timedelta(days=1)).isoformat(),
        guest=guest(2),
        adults=1,
        room_ids=[room_id],
    )
    assert taken["ok"] is True
    busy = call(proxy, "late_checkout", booking_id=booked["data"]["id"])
    assert busy["data"]["available"] is False


# -- the Lambda entry point ------------------------------------------------------------------------------


def test_the_handler_answers_and_flushes_its_metrics(env: Env) -> None:
    from tests.events import FakeContext
    from tests.integration.conftest import fresh_module

    module = fresh_module("functions.pms_proxy.handler")
    module.proxy.cache_clear()
    start, end = future_stay(days_ahead=150)
    event = {"operation": "availability", "tenant_id": SOL, "params": {"check_in": str(start), "check_out": str(end)}}
    answer = module.handler(event, FakeContext())
    assert answer["ok"] is True and answer["source"] == "pms"
    flushed = env.redis.hgetall("metrics:pms_operations_total")
    assert any(b"availability" in field for field in flushed)
    assert env.redis.exists("metrics:pms_api_latency_seconds")
    module.proxy.cache_clear()

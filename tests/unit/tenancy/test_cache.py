from __future__ import annotations

import pytest

from hotel_common.tenancy.cache import VERSION_RETRY_SECONDS, TenancyUnavailable, TenantCache
from tests.unit.tenancy.fakes import Clock, FakeSource, FakeVersion, counted, gauge


def make(refresh: float = 60.0) -> tuple[TenantCache, FakeSource, FakeVersion, Clock]:
    source, version, clock = FakeSource(), FakeVersion(), Clock()
    source.add("hotel-sol", "100000000000001")
    return TenantCache(source, version, refresh, clock=clock), source, version, clock


def test_first_use_loads_the_map_and_publishes_gauges() -> None:
    cache, source, _version, _clock = make()
    cache.ensure_fresh()
    assert source.loads == 1
    assert cache.owner("100000000000001") is not None
    assert gauge("tenants_active_total") == 1
    assert gauge("tenant_identifiers_cached_total") == 1


def test_same_version_within_interval_does_not_reload() -> None:
    cache, source, version, clock = make()
    version.bump()
    cache.ensure_fresh()
    clock.now += 30
    cache.ensure_fresh()
    assert source.loads == 1
    assert version.reads == 2  # the version is still checked every time


def test_version_bump_reloads_at_the_next_check() -> None:
    cache, source, version, _clock = make()
    cache.ensure_fresh()
    source.add("harbor-view", "100000000000002")
    assert cache.owner("100000000000002") is None
    version.bump()
    cache.ensure_fresh()
    assert source.loads == 2
    owner = cache.owner("100000000000002")
    assert owner is not None and owner.tenant_id == "harbor-view"


def test_interval_reloads_without_any_version_key() -> None:
    cache, source, _version, clock = make(refresh=60)
    cache.ensure_fresh()
    clock.now += 59.9
    cache.ensure_fresh()
    assert source.loads == 1
    clock.now += 0.2
    cache.ensure_fresh()
    assert source.loads == 2


def test_store_failure_keeps_serving_the_stale_map_and_retries_next_time() -> None:
    cache, source, version, _clock = make()
    cache.ensure_fresh()
    source.fail = True
    version.bump()
    cache.ensure_fresh()
    assert cache.owner("100000000000001") is not None
    assert counted("tenant_refresh_errors_total", reason="store_unavailable") == 1
    source.fail = False
    cache.ensure_fresh()  # no new bump: the failed reload marked the map stale
    assert source.loads == 2


def test_store_failure_without_any_map_is_an_error_not_a_guess() -> None:
    cache, source, _version, _clock = make()
    source.fail = True
    with pytest.raises(TenancyUnavailable):
        cache.ensure_fresh()


def test_redis_failure_pauses_version_checks_and_is_counted() -> None:
    cache, source, version, clock = make(refresh=300)
    cache.ensure_fresh()
    version.fail = True
    cache.ensure_fresh()
    reads = version.reads
    cache.ensure_fresh()
    assert version.reads == reads  # paused: a dead Redis does not cost a timeout per record
    assert counted("tenant_refresh_errors_total", reason="version_unavailable") == 1
    version.fail = False
    version.bump()
    clock.now += VERSION_RETRY_SECONDS
    cache.ensure_fresh()
    assert source.loads == 2


def test_refresh_reloads_now() -> None:
    cache, source, _version, _clock = make()
    cache.ensure_fresh()
    source.add("harbor-view")
    snapshot = cache.refresh()
    assert set(snapshot.tenants) == {"hotel-sol", "harbor-view"}
    assert source.loads == 2


def test_peek_answers_from_the_map_held_without_loading_or_checking() -> None:
    cache, source, version, _clock = make()
    assert cache.peek("hotel-sol") is None  # nothing held yet, and nothing loaded to answer
    assert (source.loads, version.reads) == (0, 0)
    cache.ensure_fresh()
    tenant = cache.peek("hotel-sol")
    assert tenant is not None and tenant.tenant_id == "hotel-sol"
    assert cache.peek("nobody") is None
    assert (source.loads, version.reads) == (1, 1)

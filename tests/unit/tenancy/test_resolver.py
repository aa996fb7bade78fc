from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.normalizer.tenancy import TenantAssigner
from hotel_common.models import InboundMessage, StatusUpdate
from hotel_common.tenancy.cache import TenantCache
from hotel_common.tenancy.resolver import TenantResolver
from tests.unit.tenancy.fakes import Clock, FakeSource, FakeVersion, counted

SOL_PNID, HARBOR_PNID = "100000000000001", "100000000000002"


def resolver(*, strict: bool = False, dynamic: bool = True) -> tuple[TenantResolver, FakeSource]:
    source = FakeSource()
    source.add("hotel-sol", SOL_PNID, "34600000001")
    source.add("harbor-view", HARBOR_PNID)
    source.add("old-inn", "100000000000009", "34999888777", status="inactive")
    source.add("vip-guests", "34611222333")
    cache = TenantCache(source, FakeVersion(), 300, clock=Clock())
    return TenantResolver(cache, "hotel-sol", dynamic=dynamic, strict=strict), source


def message(pnid: str, guest: str = "34600111222", display: str = "", tenant_id: str | None = None) -> InboundMessage:
    return InboundMessage(
        wamid="wamid.1",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        phone_number_id=pnid,
        display_phone_number=display,
        guest_wa_id=guest,
        type="text",
        text="hola",
        tenant_id=tenant_id,
    )


def test_provided_tenant_wins() -> None:
    r, _ = resolver()
    assert r.resolve_event(message(HARBOR_PNID, tenant_id="hotel-sol")).tenant_id == "hotel-sol"
    assert counted("tenant_resolution_total", result="provided") == 1


def test_business_number_before_guest_identifier() -> None:
    r, _ = resolver()
    resolution = r.resolve_event(message(HARBOR_PNID, guest="34611222333"))
    assert (resolution.tenant_id, resolution.result, resolution.matched) == ("harbor-view", "hit", "business")


def test_display_number_in_any_spelling_resolves() -> None:
    r, _ = resolver()
    resolution = r.resolve_event(message("999", display="+34 600 000 001"))
    assert (resolution.tenant_id, resolution.matched) == ("hotel-sol", "business")


def test_guest_identifier_when_the_business_number_is_unknown() -> None:
    r, _ = resolver()
    resolution = r.resolve_event(message("555", guest="34611222333"))
    assert (resolution.tenant_id, resolution.matched) == ("vip-guests", "guest")
    assert counted("tenant_resolution_total", result="hit") == 1


def test_unknown_goes_to_the_default_tenant() -> None:
    r, _ = resolver()
    assert r.resolve_event(message("555")).tenant_id == "hotel-sol"
    assert counted("tenant_resolution_total", result="default") == 1


def test_strict_mode_rejects_unknown() -> None:
    r, _ = resolver(strict=True)
    resolution = r.resolve_event(message("555"))
    assert (resolution.tenant_id, resolution.result) == (None, "miss_strict")
    assert counted("tenant_resolution_total", result="miss_strict") == 1


@pytest.mark.parametrize("strict, expected", [(False, "hotel-sol"), (True, None)])
def test_inactive_tenant_does_not_resolve(strict: bool, expected: str | None) -> None:
    r, _ = resolver(strict=strict)
    assert r.resolve_event(message("100000000000009", guest="34999888777")).tenant_id == expected


def test_dynamic_off_sends_everything_to_the_default_without_reading_the_store() -> None:
    r, source = resolver(dynamic=False)
    r.ensure_fresh()
    assert r.resolve_event(message(HARBOR_PNID)).tenant_id == "hotel-sol"
    assert source.loads == 0
    assert counted("tenant_resolution_total", result="default") == 1


def test_status_updates_resolve_by_business_number_then_recipient() -> None:
    r, _ = resolver(strict=True)
    status = StatusUpdate(
        wamid="wamid.2",
        status="read",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        phone_number_id="555",
        recipient_id="34611222333",
    )
    assert r.resolve_event(status).tenant_id == "vip-guests"


def test_assigner_drops_strict_misses_and_counts_them() -> None:
    r, _ = resolver(strict=True)
    events = TenantAssigner(r).assign([message(SOL_PNID), message("555"), message(HARBOR_PNID)])
    assert [e.tenant_id for e in events] == ["hotel-sol", "harbor-view"]
    assert counted("message_dropped_total", function="normalizer", reason="tenant_miss_strict") == 1

"""PmsProxy and PmsService with an in-memory PMS client: request validation, error mapping, what is
retried and what is not. No network, no Redis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from functions.pms_proxy.connections import PmsConnection
from functions.pms_proxy.models import CreateBookingParams
from functions.pms_proxy.proxy import PmsProxy, policy_terms
from hotel_common.metrics import label_key, metrics
from hotel_common.pms.breaker import pms_breaker
from hotel_common.pms.cache import AvailabilityQuery
from hotel_common.pms.errors import PmsError
from hotel_common.pms.models import Availability, Booking, BookingRequest, Room, RoomType, RoomTypeRate
from hotel_common.pms.service import PmsService, RetryPolicy
from hotel_common.resilience import MemoryBreakerStore
from tests.unit.pms_proxy.test_breaker import Clock

CONN = PmsConnection("hotel-sol", "http://pms", 1, "K" * 32, "12:00", "Hasta las 14:00 por 20 EUR")


class FakePms:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail_with: list[PmsError] = []

    def _step(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_with:
            raise self.fail_with.pop(0)

    def availability(self, hotel_id: int, date_from: date, date_to: date, **kw: Any) -> Availability:
        self._step("availability")
        rate = RoomTypeRate(
            id=2,
            name="Doble",
            base_price=Decimal(120),
            base_price_with_tax=Decimal(132),
            total_price=Decimal(240),
            total_price_with_tax=Decimal(264),
            available_rooms=(Room(id=4, room_num="201", max_adults=2),),
        )
        return Availability(
            hotel_id=hotel_id, date_from=date_from, date_to=date_to, currency="EUR", adults=2, children=0,
            room_types=(rate,),
        )  # fmt: skip

    def room_types(self, hotel_id: int) -> list[RoomType]:
        self._step("room_types")
        return [RoomType(id=2, hotel_id=hotel_id, name="Doble")]

    def get_booking(self, booking_id: int) -> Booking:
        self._step("get_booking")
        return Booking(id=booking_id, hotel_id=1, guest_email="ana@example.com")

    def find_booking(self, *args: Any, **kw: Any) -> Booking | None:
        self._step("find_booking")
        return None

    def create_booking(self, req: BookingRequest) -> Booking:
        self._step("create_booking")
        return Booking(id=9, hotel_id=1)

    def cancel_booking(self, booking_id: int) -> Booking:
        self._step("cancel_booking")
        return Booking(id=booking_id, hotel_id=1, order_state=4)


class Resolver:
    def resolve(self, tenant_id: str) -> PmsConnection:
        if tenant_id != "hotel-sol":
            raise PmsError("not_found", "unknown tenant")
        return CONN


@pytest.fixture
def pms() -> FakePms:
    metrics.drain()
    return FakePms()


def service(pms: FakePms, clock: Clock | None = None) -> PmsService:
    clock = clock or Clock()
    breaker = pms_breaker("hotel-sol", None, store=MemoryBreakerStore(), clock=clock)
    return PmsService("hotel-sol", 1, pms, breaker=breaker, retry=RetryPolicy(sleep=lambda _s: None), clock=clock)


def proxy(pms: FakePms) -> PmsProxy:
    return PmsProxy(Resolver(), lambda _conn: service(pms))


def handle(pms: FakePms, operation: str, tenant_id: str = "hotel-sol", **params: Any) -> dict[str, Any]:
    return proxy(pms).handle({"operation": operation, "tenant_id": tenant_id, "params": params})


def test_availability_answer_shape(pms: FakePms) -> None:
    answer = handle(pms, "availability", date_from="2030-01-01", date_to="2030-01-03")
    assert answer["ok"] is True and answer["source"] == "pms"
    rt = answer["data"]["room_types"][0]
    assert (rt["id"], rt["available"], rt["fits_party"], rt["total_price_with_tax"]) == (2, 1, True, "264")
    assert answer["data"]["nights"] == 2


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"operation": "teleport", "tenant_id": "hotel-sol", "params": {}}, "operation"),
        ({"operation": "availability", "tenant_id": "Hotel Sol", "params": {}}, "tenant_id"),
        ({"operation": "availability", "tenant_id": "hotel-sol", "params": {"date_from": "2030-01-03"}}, "date_to"),
        (
            {"operation": "availability", "tenant_id": "hotel-sol",
             "params": {"date_from": "2030-01-03", "date_to": "2030-01-03"}},
            "nights",
        ),
        ({"operation": "get_booking", "tenant_id": "hotel-sol", "params": {"booking_id": 0}}, "booking_id"),
        ({"operation": "room_types", "tenant_id": "hotel-sol", "params": {"surprise": 1}}, "surprise"),
        ("not an object", "request"),
    ],
)  # fmt: skip
def test_bad_requests_are_invalid_request_without_a_pms_call(pms: FakePms, event: Any, reason: str) -> None:
    answer = proxy(pms).handle(event)
    assert answer["ok"] is False and answer["error"]["type"] == "invalid_request"
    assert reason in answer["error"]["message"]
    assert pms.calls == []


def test_unauthorized_is_an_upstream_error_with_its_own_label(pms: FakePms) -> None:
    pms.fail_with = [PmsError("unauthorized", "No permission for this authentication key", status=401)]
    answer = handle(pms, "room_types")
    assert answer["error"]["type"] == "upstream_error"
    adds, _ = metrics.pending()
    assert adds[("pms_errors_total", label_key({"operation": "room_types", "error_type": "unauthorized"}))] == 1
    assert pms.calls == ["room_types"]  # not retried


def test_reads_retry_retryable_errors_within_bounds(pms: FakePms) -> None:
    pms.fail_with = [PmsError("timeout", "slow", retryable=True), PmsError("upstream_error", "502", retryable=True)]
    answer = handle(pms, "room_types")
    assert answer["ok"] is True and pms.calls == ["room_types"] * 3
    adds, _ = metrics.pending()
    assert adds[("retry_attempts_total", label_key({"operation": "room_types", "exception": "PmsError"}))] == 2
    assert adds[("pms_operations_total", label_key({"operation": "room_types", "status": "success"}))] == 1


def test_attempts_are_bounded(pms: FakePms) -> None:
    pms.fail_with = [PmsError("timeout", "slow", retryable=True) for _ in range(5)]
    assert handle(pms, "room_types")["error"]["type"] == "timeout"
    assert len(pms.calls) == 3


def test_the_half_open_trial_gets_a_single_attempt(pms: FakePms) -> None:
    clock = Clock()
    svc = service(pms, clock)
    pms.fail_with = [PmsError("timeout", "slow", retryable=True) for _ in range(30)]
    for _ in range(5):
        with pytest.raises(PmsError):
            svc.room_types()
    clock.advance(30)
    pms.calls.clear()
    with pytest.raises(PmsError):
        svc.room_types()
    assert pms.calls == ["room_types"]


def test_circuit_open_is_its_own_error_type(pms: FakePms) -> None:
    clock = Clock()
    svc = service(pms, clock)
    pms.fail_with = [PmsError("upstream_error", "503") for _ in range(5)]
    for _ in range(5):
        with pytest.raises(PmsError):
            svc.room_types()
    answer = PmsProxy(Resolver(), lambda _c: svc).handle({"operation": "room_types", "tenant_id": "hotel-sol"})
    assert answer["error"]["type"] == "circuit_open"


def test_creates_need_booking_safety_and_never_retry(pms: FakePms) -> None:
    svc = service(pms)  # no Redis: no lock, no idempotency records
    req = BookingRequest.model_validate(
        {"hotel_id": 1, "room_type_id": 2, "check_in": "2030-01-01", "check_out": "2030-01-02",
         "guest": {"firstname": "A", "lastname": "B", "email": "a@b.co"}, "currency": "EUR"}
    )  # fmt: skip
    with pytest.raises(PmsError) as refused:
        svc.create_booking(req, "wamid.12345678")
    assert refused.value.type == "upstream_error" and pms.calls == []


def test_unknown_tenant_is_not_found(pms: FakePms) -> None:
    assert handle(pms, "room_types", tenant_id="nowhere-inn")["error"]["type"] == "not_found"


def test_each_operation_declares_the_availability_it_reads_first_around_its_whole_run(pms: FakePms) -> None:
    declared: list[tuple[str, str, AvailabilityQuery | None]] = []
    inside: list[bool] = []

    @contextmanager
    def read_ahead(tenant_id: str, operation: str, query: AvailabilityQuery | None) -> Iterator[None]:
        declared.append((tenant_id, operation, query))
        inside.append(True)
        yield
        inside.append(False)

    class WatchedResolver(Resolver):
        def resolve(self, tenant_id: str) -> PmsConnection:
            assert inside[-1], "the tenant (its version check) is resolved inside the block"
            return super().resolve(tenant_id)

    proxy = PmsProxy(WatchedResolver(), lambda _conn: service(pms), read_ahead)
    stay = {"check_in": "2030-01-01", "check_out": "2030-01-03", "room_type_id": 2}
    create = {"idempotency_key": "wamid.ABCDEFGH", "guest": {"name": "Ana López", "phone": "+34600000001"}, **stay}
    for operation, params in [
        ("availability", {"date_from": "2030-01-01", "date_to": "2030-01-03", "adults": 1}),
        ("room_types", {}),
        ("create_booking", create),
        ("create_booking", {**create, "currency": "EUR"}),
        ("get_booking", {"booking_id": 7}),
    ]:
        proxy.handle({"operation": operation, "tenant_id": "hotel-sol", "params": params})
    assert declared == [
        ("hotel-sol", "availability", AvailabilityQuery(date(2030, 1, 1), date(2030, 1, 3), adults=1)),
        ("hotel-sol", "room_types", None),
        ("hotel-sol", "create_booking", AvailabilityQuery(date(2030, 1, 1), date(2030, 1, 3), room_type_id=2)),
        ("hotel-sol", "create_booking", None),  # a currency given: its first read is not the cache
        ("hotel-sol", "get_booking", None),
    ]
    assert inside[-1] is False


def test_whatsapp_guest_spelling_is_accepted() -> None:
    params = CreateBookingParams.model_validate(
        {"idempotency_key": "wamid.ABCDEFGH", "room_type_id": 2, "check_in": "2030-01-01", "check_out": "2030-01-03",
         "guests": 2, "guest": {"name": "Ana María López", "phone": "+34 600 000 001"}}
    )  # fmt: skip
    assert (params.guest.firstname, params.guest.lastname, params.adults) == ("Ana", "María López", 2)
    # Stable: the look-up after an uncertain create matches on it.
    assert params.guest.email == "wa34600000001@guests.whatsapp.invalid"


def test_stays_are_bounded() -> None:
    q = AvailabilityQuery(date(2030, 1, 1), date(2030, 3, 1))
    with pytest.raises(PmsError) as refused:
        service(FakePms()).availability(q)
    assert refused.value.type == "invalid_request"


@pytest.mark.parametrize(
    ("policy", "terms"),
    [
        ("Salida hasta las 14:00 por 20 EUR, según disponibilidad", ("14:00", "20", "EUR")),
        ("Until 1 pm for 30 USD, on request", ("13:00", "30", "USD")),
        ("hasta las 13h30, 15,50 €", ("13:30", "15.50", "EUR")),
        ("Ask the front desk", ("", "", "")),
    ],
)
def test_late_checkout_policy_terms(policy: str, terms: tuple[str, str, str]) -> None:
    got = policy_terms(policy)
    assert (got["until"], got["fee"], got["currency"]) == terms

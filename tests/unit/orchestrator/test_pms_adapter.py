"""The pms_proxy adapter: the contract's shapes, errors, and the time budget."""

from __future__ import annotations

from typing import Any

import pytest

from functions.orchestrator.pms import LambdaPms
from functions.orchestrator.ports import NO_TIME, NewBooking

# What pms_proxy's present_availability answers (Decimal fields as strings).
AVAILABILITY = {
    "hotel_id": 1,
    "date_from": "2025-12-12",
    "date_to": "2025-12-15",
    "currency": "EUR",
    "adults": 2,
    "children": 0,
    "nights": 3,
    "room_types": [
        {
            "id": 1,
            "name": "Individual",
            "base_price": "80",
            "base_price_with_tax": "88",
            "total_price": "240",
            "total_price_with_tax": "264",
            "available": 3,
            "fits_party": False,
            "rooms": [],
        },
        {
            "id": 2,
            "name": "Doble",
            "base_price": "120",
            "base_price_with_tax": "132",
            "total_price": "360",
            "total_price_with_tax": "396",
            "available": 4,
            "fits_party": True,
            "rooms": [],
        },
    ],
}
BOOKING = {
    "id": 7,
    "hotel_id": 1,
    "currency": "EUR",
    "guest_phone": "34611111111",
    "total_without_tax": "360",
    "total_tax": "36",
    "total_with_tax": "396",
    "cancelled": False,
    "status": None,
    "stays": [{"room_type_id": 2, "name": "Doble", "check_in": "2025-12-12", "check_out": "2025-12-15", "rooms": []}],
    "replayed": False,
}


class Recorder:
    def __init__(self, answer: dict[str, Any] | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any], float]] = []

    def __call__(self, function_name: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.calls.append((function_name, payload, timeout))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def pms(answer: dict[str, Any] | Exception, remaining: float = 60.0) -> tuple[LambdaPms, Recorder]:
    invoke = Recorder(answer)
    return LambdaPms("agente-hotel-t-pms_proxy", remaining_seconds=lambda: remaining, invoke=invoke), invoke


def test_availability_maps_prices_with_tax_and_drops_rooms_that_do_not_fit() -> None:
    adapter, invoke = pms({"ok": True, "data": AVAILABILITY, "source": "cache"})
    answer = adapter.availability("hotel-sol", "2025-12-12", "2025-12-15", 2)
    assert invoke.calls[0][1] == {
        "operation": "availability",
        "tenant_id": "hotel-sol",
        "params": {"check_in": "2025-12-12", "check_out": "2025-12-15", "guests": 2},
    }
    assert answer.ok and answer.source == "cache"
    assert [(o.id, o.name, o.total, o.per_night, o.currency, o.available) for o in answer.data or []] == [
        (1, "Individual", 264.0, 88.0, "EUR", 0),
        (2, "Doble", 396.0, 132.0, "EUR", 4),
    ]


def test_booking_request_and_answer() -> None:
    adapter, invoke = pms({"ok": True, "data": BOOKING, "source": "pms"})
    booking = NewBooking(2, "2025-12-12", "2025-12-15", 2, "Ana García", "34611111111", "k" * 32)
    answer = adapter.create_booking("hotel-sol", booking)
    params = invoke.calls[0][1]["params"]
    assert params["guest"] == {"name": "Ana García", "phone": "34611111111"} and params["idempotency_key"] == "k" * 32
    assert invoke.calls[0][2] == pytest.approx(56.0)  # the Lambda's 60 s minus the reserve
    info = answer.data
    assert info is not None and (info.ref, info.room, info.check_in, info.total, info.phone) == (
        "7",
        "Doble",
        "2025-12-12",
        396.0,
        "34611111111",
    )


def test_booking_ids_are_sent_as_integers() -> None:
    adapter, invoke = pms({"ok": True, "data": BOOKING, "source": "pms"})
    adapter.get_booking("hotel-sol", "#7")
    assert invoke.calls[0][1]["params"] == {"booking_id": 7}


def test_late_checkout_answer() -> None:
    data = {"booking_id": 7, "available": True, "until": "14:00", "fee": "20", "currency": "EUR"}
    adapter, _ = pms({"ok": True, "data": data, "source": "pms"})
    answer = adapter.late_checkout("hotel-sol", "7")
    assert answer.data is not None and (answer.data.granted, answer.data.time, answer.data.fee) == (
        True,
        "14:00",
        "20 EUR",
    )


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"ok": False, "error": {"type": "circuit_open", "message": "open"}}, "circuit_open"),
        (TimeoutError("read timeout"), "timeout"),
        (ConnectionError("refused"), "upstream_error"),
        ({"ok": True, "data": {"room_types": [{"name": "no id"}]}}, "upstream_invalid"),
        ({"unexpected": 1}, "upstream_invalid"),
    ],
)
def test_failures_become_error_types(answer: Any, error: str) -> None:
    adapter, _ = pms(answer)
    result = adapter.availability("hotel-sol", "2025-12-12", "2025-12-15", 2)
    assert result.error == error and not result.ok


def test_no_call_without_time_for_it() -> None:
    adapter, invoke = pms({"ok": True, "data": BOOKING}, remaining=12.0)
    booking = NewBooking(2, "2025-12-12", "2025-12-15", 2, "Ana", "346", "k" * 32)
    assert adapter.create_booking("hotel-sol", booking).error == NO_TIME
    assert adapter.get_booking("hotel-sol", "7").ok  # a read still fits in 8 s
    adapter, invoke = pms({"ok": True, "data": BOOKING}, remaining=4.5)
    assert adapter.get_booking("hotel-sol", "7").error == NO_TIME and invoke.calls == []

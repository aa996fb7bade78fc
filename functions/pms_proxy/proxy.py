"""The pms_proxy's logic: validate a request, run it on the tenant's resilient PMS, shape the answer.

Plain Python: the handler hands it a dict and gets a dict; the tenant's connection and its PmsService
come from the two callables it is built with (real ones in `wiring.py`, fakes in unit tests).

late_checkout: QloApps has no late-checkout resource, so this is a read, not a write. The booking's room
can stay later on its checkout day when nobody has booked that room for the checkout night; the answer
carries the hotel's policy text (fee, latest hour) from the tenant profile for the orchestrator to quote,
and staff confirm it. Nothing is written to the PMS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from functions.pms_proxy.connections import PmsConnection, PmsConnectionResolver
from functions.pms_proxy.models import (
    PARAMS,
    AvailabilityParams,
    BookingParams,
    CancelBookingParams,
    CreateBookingParams,
    ErrorType,
    ProxyRequest,
    error,
    ok,
)
from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.pms.cache import AvailabilityQuery
from hotel_common.pms.errors import PmsError
from hotel_common.pms.models import Availability, Booking, BookingRequest
from hotel_common.pms.service import PmsService, Sourced
from hotel_common.resilience import CircuitOpenError

logger = get_logger()

# The issue fixes the response's error types; the client's `unauthorized` is an upstream error for the
# orchestrator (the guest cannot fix it), while pms_errors_total keeps `unauthorized` apart for operators.
ERROR_TYPES: dict[str, ErrorType] = {
    "timeout": "timeout",
    "upstream_error": "upstream_error",
    "upstream_invalid": "upstream_invalid",
    "invalid_request": "invalid_request",
    "not_found": "not_found",
    "conflict": "conflict",
    "unauthorized": "upstream_error",
}


# Around an operation: declares the cache entry it reads first, given the tenant, the operation and the
# availability it asks for, for the adapters to read it ahead (wiring.CacheReadAhead).
ReadAheadHook = Callable[[str, str, AvailabilityQuery | None], AbstractContextManager[object]]


class PmsProxy:
    def __init__(
        self,
        resolver: PmsConnectionResolver,
        service_for: Callable[[PmsConnection], PmsService],
        read_ahead: ReadAheadHook | None = None,
    ) -> None:
        self._resolver = resolver
        self._service_for = service_for
        self._read_ahead = read_ahead

    def handle(self, event: Any) -> dict[str, Any]:
        try:
            request = ProxyRequest.model_validate(event)
            params = PARAMS[request.operation].model_validate(request.params)
        except ValidationError as exc:
            metrics.inc("pms_errors_total", operation=_operation_of(event), error_type="invalid_request")
            logger.info("pms_proxy request refused", extra={"reason": _first_error(exc)})
            return error("invalid_request", _first_error(exc))
        logger.append_keys(tenant_id=request.tenant_id, operation=request.operation)
        try:
            with self._reading_ahead(request, params):
                conn = self._resolver.resolve(request.tenant_id)
                service = self._service_for(conn)
                return self._dispatch(request.operation, params, service, conn)
        except CircuitOpenError as exc:
            return error("circuit_open", f"the hotel's system is not answering; retry in {exc.retry_after:.0f}s")
        except PmsError as exc:
            return error(ERROR_TYPES.get(exc.type, "upstream_error"), exc.message)

    def _reading_ahead(self, request: ProxyRequest, params: Any) -> AbstractContextManager[object]:
        if self._read_ahead is None:
            return nullcontext()
        return self._read_ahead(request.tenant_id, request.operation, _cache_query(params))

    def _dispatch(self, operation: str, params: Any, service: PmsService, conn: PmsConnection) -> dict[str, Any]:
        if isinstance(params, AvailabilityParams):
            return _sourced(service.availability(_query(params)), present_availability)
        if operation == "room_types":
            return _sourced(service.room_types(), lambda rts: [rt.model_dump(mode="json") for rt in rts])
        if isinstance(params, CreateBookingParams):
            return self._create(params, service)
        if isinstance(params, CancelBookingParams):
            return _sourced(service.cancel_booking(params.booking_id, guest_email=params.guest_email), present_booking)
        if operation == "get_booking" and isinstance(params, BookingParams):
            return _sourced(service.get_booking(params.booking_id), present_booking)
        if operation == "late_checkout" and isinstance(params, BookingParams):
            return late_checkout(service, conn, params.booking_id)
        raise AssertionError(f"unhandled operation {operation}")  # pragma: no cover - PARAMS covers them

    @staticmethod
    def _create(params: CreateBookingParams, service: PmsService) -> dict[str, Any]:
        currency = params.currency
        if currency is None:
            # The hotel's currency, from the quote the guest just saw (usually a cache hit).
            currency = service.availability(_quote(params)).value.currency
        req = BookingRequest(
            hotel_id=service.hotel_id,
            room_type_id=params.room_type_id,
            check_in=params.check_in,
            check_out=params.check_out,
            guest=params.guest,
            currency=currency,
            adults=params.adults,
            children=params.children,
            rooms=params.rooms,
            room_ids=params.room_ids,
            remark=params.remark,
        )
        created = service.create_booking(req, params.idempotency_key)
        return ok({**present_booking(created.value), "replayed": created.replayed})


def late_checkout(service: PmsService, conn: PmsConnection, booking_id: int) -> dict[str, Any]:
    booking = service.get_booking(booking_id).value
    if booking.cancelled or not booking.stays:
        metrics.inc("pms_errors_total", operation="late_checkout", error_type="no_active_stay")
        raise PmsError("invalid_request", f"booking {booking_id} has no active stay")
    stay = max(booking.stays, key=lambda s: s.check_out)
    night = AvailabilityQuery(stay.check_out, stay.check_out + timedelta(days=1), stay.room_type_id, 1, 0)
    answer = service.availability(night)
    free_rooms = {
        room.id for rt in answer.value.room_types if rt.id == stay.room_type_id for room in rt.available_rooms
    }
    booked_rooms = [room.id for room in stay.rooms]
    available = bool(booked_rooms) and all(room_id in free_rooms for room_id in booked_rooms)
    data = {
        "booking_id": booking.id,
        "available": available,
        "check_out_date": stay.check_out.isoformat(),
        "standard_check_out_time": conn.check_out_time,
        "policy": conn.late_checkout_policy,
        **policy_terms(conn.late_checkout_policy),
        "room_type_id": stay.room_type_id,
        "room_ids": booked_rooms,
        "reason": "room free on the checkout night" if available else "room booked on the checkout night",
    }
    return ok(data, answer.source, _iso(answer.cached_at))


_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.h]([0-5]\d)\b|\b(1[0-2]|[1-9])\s*([ap])\.?m\b", re.IGNORECASE)
_FEE = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(EUR|USD|GBP|MXN|ARS|COP|€|\$)|(€|\$)\s*(\d+(?:[.,]\d{1,2})?)")
_SYMBOLS = {"€": "EUR", "$": "USD"}


def policy_terms(policy: str) -> dict[str, str]:
    """Best effort: the latest hour (`until`, HH:MM) and the fee of a free-text late-checkout policy, e.g.
    "Salida hasta las 14:00 por 20 EUR" or "Until 1 pm for 30 USD"; empty strings when not stated."""
    until = fee = currency = ""
    if match := _TIME.search(policy):
        if match.group(1):
            until = f"{int(match.group(1)):02d}:{match.group(2)}"
        else:
            hour = int(match.group(3)) % 12 + (12 if match.group(4).lower() == "p" else 0)
            until = f"{hour:02d}:00"
    if match := _FEE.search(policy):
        amount, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        fee, currency = amount.replace(",", "."), _SYMBOLS.get(unit, unit.upper())
    return {"until": until, "fee": fee, "currency": currency}


# -- presenters ----------------------------------------------------------------------------------------


def present_availability(a: Availability) -> dict[str, Any]:
    data = a.model_dump(mode="json", exclude={"room_types"})
    data["nights"] = a.nights
    data["room_types"] = [
        {
            **rt.model_dump(mode="json", exclude={"available_rooms"}),
            "available": rt.available,
            "fits_party": bool(rt.rooms_for(a.adults, a.children)),
            "rooms": [room.model_dump(mode="json") for room in rt.available_rooms],
        }
        for rt in a.room_types
    ]
    return data


def present_booking(b: Booking) -> dict[str, Any]:
    data = b.model_dump(mode="json")
    data["cancelled"] = b.cancelled
    data["total_with_tax"] = str(b.total_with_tax)
    return data


def _sourced(answer: Sourced[Any], present: Callable[[Any], Any]) -> dict[str, Any]:
    return ok(present(answer.value), answer.source, _iso(answer.cached_at))


def _query(p: AvailabilityParams) -> AvailabilityQuery:
    return AvailabilityQuery(p.date_from, p.date_to, p.room_type_id, p.adults, p.children)


def _quote(p: CreateBookingParams) -> AvailabilityQuery:
    return AvailabilityQuery(p.check_in, p.check_out, p.room_type_id, p.adults, p.children)


def _cache_query(params: Any) -> AvailabilityQuery | None:
    """The availability an operation reads before anything else: its own, or for a create without a
    currency the quote that names the hotel's currency."""
    if isinstance(params, AvailabilityParams):
        return _query(params)
    if isinstance(params, CreateBookingParams) and params.currency is None:
        return _quote(params)
    return None


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts is not None else None


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "request"
    return f"{where}: {first['msg']}"


def _operation_of(event: Any) -> str:
    operation = event.get("operation") if isinstance(event, dict) else None
    return operation if operation in PARAMS else "unknown"

"""PmsPort over the pms_proxy Lambda (Invoke API, RequestResponse), bounded by the orchestrator's own time.

Contract (fixed with pms_proxy): request `{"operation", "tenant_id", "params"}`; answer
`{"ok": true, "data", "source": "pms"|"cache"|"stale_cache"}` or `{"ok": false, "error": {"type", "message"}}`.
Every call gets the smaller of its own timeout and the Lambda time left minus a reserve (to answer the
guest); with too little time left no call is made and the answer is NO_TIME, which the dialog turns into
an honest "try again" instead of letting the function time out. The mapping of `data` accepts the field
spellings of the PMS domain models (hotel_common.pms.models) and of flatter shapes, so small changes on the
proxy's side degrade to defaults rather than to errors.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from functions.orchestrator.ports import (
    NO_TIME,
    BookingInfo,
    LateCheckoutInfo,
    NewBooking,
    PmsAnswer,
    RoomOffer,
    RoomTypeInfo,
)
from hotel_common.logging import get_logger
from hotel_common.metrics import metrics

logger = get_logger("orchestrator")

# Seconds kept back to send the reply and save the state after a PMS call.
RESERVE_SECONDS = 4.0
MIN_READ_SECONDS = 1.0
# A create started with less than this is likely to time out with its outcome unknown: don't start it.
MIN_BOOKING_SECONDS = 10.0


class Invoker(Protocol):
    def __call__(self, function_name: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The proxy's JSON answer; raises TimeoutError when it did not answer in time."""
        ...


@lru_cache(maxsize=16)
def _lambda_client(read_timeout: int) -> Any:
    from botocore.config import Config

    from hotel_common import aws

    # No SDK retries: a retried create would be a second booking attempt, and a retried read would
    # spend the guest's time twice; pms_proxy retries QloApps itself.
    config = Config(connect_timeout=2, read_timeout=read_timeout, retries={"max_attempts": 1, "mode": "standard"})
    return aws.configured_client("lambda", config)


def boto_invoker(function_name: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    client = _lambda_client(max(1, int(timeout + 0.999)))
    try:
        response = client.invoke(
            FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
        )
    except (ReadTimeoutError, ConnectTimeoutError) as exc:
        raise TimeoutError(str(exc)) from exc
    body = response["Payload"].read()
    if response.get("FunctionError"):
        return {"ok": False, "error": {"type": "upstream_error", "message": f"pms_proxy failed: {body[:200]!r}"}}
    answer = json.loads(body or b"{}")
    return answer if isinstance(answer, dict) else {}


class LambdaPms:
    def __init__(
        self,
        function_name: str,
        *,
        remaining_seconds: Callable[[], float],
        timeout: float = 8.0,
        booking_timeout: float = 77.0,
        invoke: Invoker = boto_invoker,
    ) -> None:
        self._function = function_name
        self._remaining = remaining_seconds
        self._timeout = timeout
        self._booking_timeout = booking_timeout
        self._invoke = invoke

    # -- PmsPort -------------------------------------------------------------------------------------------
    def availability(self, tenant_id: str, check_in: str, check_out: str, guests: int) -> PmsAnswer[list[RoomOffer]]:
        raw = self._call("availability", tenant_id, {"check_in": check_in, "check_out": check_out, "guests": guests})
        nights = max(1, (date.fromisoformat(check_out) - date.fromisoformat(check_in)).days)
        return _map(raw, lambda data: offers_from(data, nights))

    def room_types(self, tenant_id: str) -> PmsAnswer[list[RoomTypeInfo]]:
        return _map(self._call("room_types", tenant_id, {}), room_types_from)

    def create_booking(self, tenant_id: str, booking: NewBooking) -> PmsAnswer[BookingInfo]:
        params = {
            "room_type_id": booking.room_type_id,
            "check_in": booking.check_in,
            "check_out": booking.check_out,
            "guests": booking.guests,
            "guest": {"name": booking.guest_name, "phone": booking.guest_phone},
            "idempotency_key": booking.idempotency_key,
        }
        raw = self._call("create_booking", tenant_id, params, booking=True)
        return _map(raw, booking_from)

    def get_booking(self, tenant_id: str, booking_id: str) -> PmsAnswer[BookingInfo]:
        return _map(self._call("get_booking", tenant_id, {"booking_id": _booking_id(booking_id)}), booking_from)

    def cancel_booking(self, tenant_id: str, booking_id: str) -> PmsAnswer[BookingInfo]:
        raw = self._call("cancel_booking", tenant_id, {"booking_id": _booking_id(booking_id)})
        return _map(raw, lambda data: booking_from(data) if data else BookingInfo(ref=booking_id, cancelled=True))

    def late_checkout(self, tenant_id: str, booking_id: str) -> PmsAnswer[LateCheckoutInfo]:
        return _map(self._call("late_checkout", tenant_id, {"booking_id": _booking_id(booking_id)}), late_from)

    # -- transport ---------------------------------------------------------------------------------------
    def _call(self, operation: str, tenant_id: str, params: dict[str, Any], *, booking: bool = False) -> dict[str, Any]:
        budget = self._remaining() - RESERVE_SECONDS
        timeout = min(self._booking_timeout if booking else self._timeout, budget)
        if timeout < (MIN_BOOKING_SECONDS if booking else MIN_READ_SECONDS):
            return self._failed(operation, NO_TIME, f"{budget:.1f}s left")
        started = time.perf_counter()
        payload = {"operation": operation, "tenant_id": tenant_id, "params": params}
        try:
            answer = self._invoke(self._function, payload, timeout)
        except TimeoutError as exc:
            return self._failed(operation, "timeout", str(exc), started)
        except Exception as exc:  # the proxy unreachable: the same to the guest as a PMS outage
            return self._failed(operation, "upstream_error", f"{type(exc).__name__}: {exc}", started)
        if answer.get("ok") is True:
            metrics.inc("orchestrator_pms_calls_total", operation=operation, result=str(answer.get("source", "pms")))
            return answer
        error = answer.get("error")
        error = error if isinstance(error, dict) else {}
        return self._failed(operation, str(error.get("type") or "upstream_invalid"), str(error.get("message")), started)

    def _failed(self, operation: str, error: str, message: str, started: float | None = None) -> dict[str, Any]:
        metrics.inc("orchestrator_pms_calls_total", operation=operation, result=error)
        elapsed = round(time.perf_counter() - started, 3) if started is not None else 0.0
        logger.warning(
            "pms_proxy call failed",
            extra={"operation": operation, "error_type": error, "error": message[:300], "elapsed_s": elapsed},
        )
        return {"ok": False, "error": {"type": error, "message": message}}


def _booking_id(ref: str) -> int | str:
    digits = ref.lstrip("#")
    return int(digits) if digits.isdigit() else digits


def _map(raw: dict[str, Any], convert: Callable[[Any], Any]) -> PmsAnswer[Any]:
    if raw.get("ok") is not True:
        error = raw.get("error") or {}
        return PmsAnswer(error=str(error.get("type") or "upstream_invalid"), message=str(error.get("message") or ""))
    try:
        data = convert(raw.get("data"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("pms_proxy answer of an unexpected shape", extra={"error": f"{type(exc).__name__}: {exc}"})
        return PmsAnswer(error="upstream_invalid", message=str(exc))
    return PmsAnswer(data=data, source=str(raw.get("source") or "pms"))


# -- data mapping ------------------------------------------------------------------------------------------


def _first(item: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    for name in names:
        value = item.get(name)
        if value not in (None, ""):
            return value
    return default


def offers_from(data: Any, nights: int) -> list[RoomOffer]:
    items = data.get("room_types", data.get("rooms", [])) if isinstance(data, Mapping) else data
    currency = str(data.get("currency", "")) if isinstance(data, Mapping) else ""
    offers = []
    for item in items or []:
        total = float(_first(item, "total_price_with_tax", "total_with_tax", "total_price", "total", default=0))
        per_night = _first(item, "base_price_with_tax", "price_per_night_with_tax", "price_per_night", "base_price")
        rooms = item.get("available_rooms")
        available = _first(item, "available", "available_count", "available_rooms_count")
        if available is None:
            available = len(rooms) if isinstance(rooms, list | dict) else 1
        if item.get("fits_party") is False:  # free rooms, but none for this many guests
            available = 0
        offers.append(
            RoomOffer(
                id=int(_first(item, "id", "room_type_id", "id_room_type")),
                name=str(_first(item, "name", "room_type_name", default="")),
                total=total,
                per_night=float(per_night) if per_night is not None else round(total / nights, 2),
                currency=str(_first(item, "currency", default=currency)),
                available=int(available),
            )
        )
    return offers


def room_types_from(data: Any) -> list[RoomTypeInfo]:
    items = data.get("room_types", []) if isinstance(data, Mapping) else data
    return [
        RoomTypeInfo(
            id=int(_first(item, "id", "room_type_id", "id_room_type")),
            name=str(_first(item, "name", default="")),
            max_guests=int(_first(item, "max_guests", "max_occupancy", default=0)),
        )
        for item in items or []
    ]


def booking_from(data: Any) -> BookingInfo:
    if isinstance(data, Mapping) and isinstance(data.get("booking"), Mapping):
        data = data["booking"]
    stays = data.get("stays") or data.get("room_types") or []
    stay: Mapping[str, Any] = stays[0] if stays and isinstance(stays[0], Mapping) else {}
    guest = data.get("guest") if isinstance(data.get("guest"), Mapping) else {}
    total = _first(data, "total_with_tax", "total_price_with_tax", "total", "total_paid")
    if total is None and data.get("total_without_tax") is not None:
        total = float(data["total_without_tax"]) + float(data.get("total_tax") or 0)
    status = str(data.get("status") or "")
    return BookingInfo(
        ref=str(_first(data, "reference", "booking_id", "id")),
        room=str(_first(stay, "name", "room_type_name", default=_first(data, "room_type_name", "room", default=""))),
        check_in=str(_first(stay, "check_in", "checkin_date", default=_first(data, "check_in", default="")))[:10],
        check_out=str(_first(stay, "check_out", "checkout_date", default=_first(data, "check_out", default="")))[:10],
        total=float(total) if total is not None else None,
        currency=str(data.get("currency") or ""),
        phone=str(_first(data, "guest_phone", "phone", default=_first(guest, "phone", default=""))),
        cancelled=bool(data.get("cancelled")) or status in ("cancelled", "refunded"),
    )


def late_from(data: Any) -> LateCheckoutInfo:
    data = data if isinstance(data, Mapping) else {}
    granted = _first(data, "granted", "approved", "available", "ok", default=False)
    fee = _first(data, "fee", "price", default="")
    currency = str(data.get("currency") or "")
    return LateCheckoutInfo(
        granted=bool(granted),
        time=str(_first(data, "time", "until", "check_out_time", "late_check_out_time", default="")),
        fee=f"{fee} {currency}".strip() if fee not in ("", None, 0) else "",
    )

"""The pms_proxy contract: what the orchestrator sends and what it gets back.

Request:  {"operation": <op>, "tenant_id": "hotel-sol", "params": {...}}
Response: {"ok": true, "data": ..., "source": "pms"|"cache"|"stale_cache"[, "cached_at": ISO time]}
      or  {"ok": false, "error": {"type": <ErrorType>, "message": "..."}}

Params per operation (dates ISO `YYYY-MM-DD`):
  availability    date_from, date_to, room_type_id?, adults=2, children=0
                  (also spelled check_in, check_out, guests)
  room_types      (none)
  create_booking  idempotency_key, room_type_id, check_in, check_out, guest{firstname,lastname,email,phone?},
                  adults=2, children=0, rooms=1, room_ids?, currency? (default: the hotel's), remark?
                  (also guests for adults, and guest{name, phone} as WhatsApp knows a guest: the name is
                  split into first and last name, and a guest without e-mail gets a stable placeholder
                  address derived from the phone number, because QloApps requires one and the look-up
                  after an uncertain create matches on it)
  get_booking     booking_id
  cancel_booking  booking_id, guest_email? (when given it must be the booking's)
  late_checkout   booking_id
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hotel_common.pms.models import Guest
from hotel_common.pms.service import MAX_NIGHTS

Operation = Literal["availability", "room_types", "create_booking", "get_booking", "cancel_booking", "late_checkout"]
ErrorType = Literal[
    "circuit_open", "timeout", "upstream_error", "upstream_invalid", "invalid_request", "not_found", "conflict"
]
Source = Literal["pms", "cache", "stale_cache"]


class _Params(BaseModel):
    # Built on first use: an invocation validates one operation's parameters.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ProxyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    operation: Operation
    tenant_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")]
    params: dict[str, Any] = Field(default_factory=dict)


class _Stay(_Params):
    @model_validator(mode="after")
    def _bounded(self) -> _Stay:
        start, end = self._span()
        nights = (end - start).days
        if not 1 <= nights <= MAX_NIGHTS:
            raise ValueError(f"a stay is 1 to {MAX_NIGHTS} nights")
        return self

    def _span(self) -> tuple[date, date]:
        raise NotImplementedError


def _renamed(data: Any, aliases: dict[str, str]) -> Any:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for alias, name in aliases.items():
        if alias in out and name not in out:
            out[name] = out.pop(alias)
    return out


PLACEHOLDER_EMAIL_DOMAIN = "guests.whatsapp.invalid"


def whatsapp_guest(guest: Any) -> Any:
    """{"name", "phone"[, "email"]} → the Guest shape QloApps needs (see the module docstring)."""
    if not isinstance(guest, dict) or "firstname" in guest or "name" not in guest:
        return guest
    parts = str(guest.get("name") or "").split()
    digits = "".join(ch for ch in str(guest.get("phone") or "") if ch.isdigit())
    email = guest.get("email") or (f"wa{digits}@{PLACEHOLDER_EMAIL_DOMAIN}" if digits else "")
    return {
        "firstname": parts[0] if parts else "Guest",
        "lastname": " ".join(parts[1:]) or "WhatsApp",
        "email": email,
        "phone": str(guest.get("phone") or ""),
    }


class AvailabilityParams(_Stay):
    date_from: date
    date_to: date
    room_type_id: int | None = Field(default=None, gt=0)
    adults: int = Field(default=2, ge=1, le=20)
    children: int = Field(default=0, ge=0, le=20)

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        return _renamed(data, {"check_in": "date_from", "check_out": "date_to", "guests": "adults"})

    def _span(self) -> tuple[date, date]:
        return self.date_from, self.date_to


class RoomTypesParams(_Params):
    pass


class CreateBookingParams(_Stay):
    # The orchestrator derives it from the guest's WhatsApp message id: the same message, the same booking.
    idempotency_key: Annotated[str, StringConstraints(min_length=8, max_length=200)]
    room_type_id: int = Field(gt=0)
    check_in: date
    check_out: date
    guest: Guest
    adults: int = Field(default=2, ge=1, le=20)
    children: int = Field(default=0, ge=0, le=20)
    rooms: int = Field(default=1, ge=1, le=10)
    room_ids: tuple[int, ...] = ()
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    remark: Annotated[str, StringConstraints(max_length=500)] = ""

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        data = _renamed(data, {"guests": "adults"})
        if isinstance(data, dict) and "guest" in data:
            data["guest"] = whatsapp_guest(data["guest"])
        return data

    def _span(self) -> tuple[date, date]:
        return self.check_in, self.check_out


class BookingParams(_Params):
    booking_id: int = Field(gt=0)


class CancelBookingParams(BookingParams):
    guest_email: str | None = None


PARAMS: dict[str, type[_Params]] = {
    "availability": AvailabilityParams,
    "room_types": RoomTypesParams,
    "create_booking": CreateBookingParams,
    "get_booking": BookingParams,
    "cancel_booking": CancelBookingParams,
    "late_checkout": BookingParams,
}


def ok(data: Any, source: Source = "pms", cached_at: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"ok": True, "data": data, "source": source}
    if cached_at is not None:
        response["cached_at"] = cached_at
    return response


def error(type_: ErrorType, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"type": type_, "message": message}}

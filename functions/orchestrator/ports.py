"""The dialog's view of the outside world: the PMS (through pms_proxy) and the staff mailbox.

Plain values and Protocols only; the adapters (pms.py, mailer.py) and the in-memory fakes of the tests
implement them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

# pms_proxy's error types after which the guest gets the degraded answer (the PMS is down or slow).
DEGRADED_ERRORS = frozenset({"circuit_open", "timeout", "upstream_error", "upstream_invalid"})
# Not from pms_proxy: the orchestrator had too little of its own time left to make the call.
NO_TIME = "no_time"


@dataclass(frozen=True)
class PmsAnswer(Generic[T]):
    data: T | None = None
    source: str = "pms"  # pms | cache | stale_cache
    error: str | None = None  # pms_proxy's error.type, or NO_TIME
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.data is not None

    @property
    def stale(self) -> bool:
        return self.source == "stale_cache"

    @property
    def degraded(self) -> bool:
        return self.error in DEGRADED_ERRORS or self.error == NO_TIME


@dataclass(frozen=True)
class RoomOffer:
    id: int
    name: str
    total: float  # the whole stay, tax included when the PMS says so
    per_night: float
    currency: str
    available: int = 1


@dataclass(frozen=True)
class RoomTypeInfo:
    id: int
    name: str
    max_guests: int = 0


@dataclass(frozen=True)
class BookingInfo:
    ref: str
    room: str = ""
    check_in: str = ""
    check_out: str = ""
    total: float | None = None
    currency: str = ""
    phone: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class LateCheckoutInfo:
    granted: bool
    time: str = ""
    fee: str = ""


@dataclass(frozen=True)
class NewBooking:
    room_type_id: int
    check_in: str
    check_out: str
    guests: int
    guest_name: str
    guest_phone: str
    idempotency_key: str


class PmsPort(Protocol):
    def availability(
        self, tenant_id: str, check_in: str, check_out: str, guests: int
    ) -> PmsAnswer[list[RoomOffer]]: ...

    def room_types(self, tenant_id: str) -> PmsAnswer[list[RoomTypeInfo]]: ...

    def create_booking(self, tenant_id: str, booking: NewBooking) -> PmsAnswer[BookingInfo]: ...

    def get_booking(self, tenant_id: str, booking_id: str) -> PmsAnswer[BookingInfo]: ...

    def cancel_booking(self, tenant_id: str, booking_id: str) -> PmsAnswer[BookingInfo]: ...

    def late_checkout(self, tenant_id: str, booking_id: str) -> PmsAnswer[LateCheckoutInfo]: ...


class Notifier(Protocol):
    def notify(self, to: str, subject: str, body: str) -> bool:
        """Send an e-mail to staff; False when it could not be sent (never raises)."""
        ...

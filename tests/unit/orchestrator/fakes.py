"""In-memory fakes of the orchestrator's ports and a driver that chats with the pure dialog."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from functions.orchestrator.dialog import Deps, Outcome, Turn, respond
from functions.orchestrator.ports import (
    BookingInfo,
    LateCheckoutInfo,
    NewBooking,
    PmsAnswer,
    RoomOffer,
    RoomTypeInfo,
)
from functions.orchestrator.state import Conversation
from hotel_common.tenancy.models import Tenant

TODAY = date(2025, 3, 10)
NOW = 1_741_600_000.0  # 2025-03-10 UTC
GUEST = "34611111111"

SOL = Tenant.model_validate(
    {
        "tenant_id": "hotel-sol",
        "name": "Hotel Sol de Mayo",
        "language": "es",
        "timezone": "Europe/Madrid",
        "profile": {
            "check_in_time": "15:00",
            "check_out_time": "12:00",
            "address": "Calle Mayor 25, Madrid",
            "phone": "+34 910 000 001",
            "wifi": "Red SolDeMayo",
            "late_checkout_policy": "Salida hasta las 14:00 por 20 EUR",
            "staff_email": "recepcion@sol.example",
        },
    }
)
HARBOR = Tenant.model_validate(
    {
        "tenant_id": "harbor-view",
        "name": "Harbor View Inn",
        "language": "en",
        "timezone": "America/New_York",
        "profile": {"check_in_time": "16:00", "check_out_time": "11:00", "staff_email": "desk@harbor.example"},
    }
)

ROOMS = [
    RoomOffer(1, "Individual", 240.0, 80.0, "EUR", 3),
    RoomOffer(2, "Doble", 360.0, 120.0, "EUR", 4),
    RoomOffer(3, "Suite", 660.0, 220.0, "EUR", 2),
]


@dataclass
class FakePms:
    """Answers like pms_proxy; `down` makes every call fail with that error type."""

    down: str | None = None
    stale: bool = False
    offers: list[RoomOffer] = field(default_factory=lambda: list(ROOMS))
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    conflict_next: bool = False
    late_granted: bool = True
    _ids: itertools.count = field(default_factory=lambda: itertools.count(100))
    _by_key: dict[str, str] = field(default_factory=dict)

    def _fail(self) -> PmsAnswer[Any] | None:
        return PmsAnswer(error=self.down, message="down") if self.down else None

    def availability(self, tenant_id: str, check_in: str, check_out: str, guests: int) -> PmsAnswer[list[RoomOffer]]:
        self.calls.append(("availability", (check_in, check_out, guests)))
        if self.stale:
            return PmsAnswer(data=list(self.offers), source="stale_cache")
        return self._fail() or PmsAnswer(data=list(self.offers))

    def room_types(self, tenant_id: str) -> PmsAnswer[list[RoomTypeInfo]]:
        self.calls.append(("room_types", None))
        return self._fail() or PmsAnswer(data=[RoomTypeInfo(o.id, o.name) for o in self.offers])

    def create_booking(self, tenant_id: str, booking: NewBooking) -> PmsAnswer[BookingInfo]:
        self.calls.append(("create_booking", booking))
        if failed := self._fail():
            return failed
        if self.conflict_next:
            self.conflict_next = False
            return PmsAnswer(error="conflict", message="Requested room(s) not available.")
        ref = self._by_key.get(booking.idempotency_key)
        if ref is None:
            ref = str(next(self._ids))
            self._by_key[booking.idempotency_key] = ref
            room = next(o for o in self.offers if o.id == booking.room_type_id)
            self.bookings[ref] = {
                "room": room.name,
                "check_in": booking.check_in,
                "check_out": booking.check_out,
                "phone": booking.guest_phone,
                "cancelled": False,
                "total": room.total,
            }
        return PmsAnswer(data=self._info(ref))

    def _info(self, ref: str) -> BookingInfo:
        b = self.bookings[ref]
        return BookingInfo(
            ref=ref,
            room=b["room"],
            check_in=b["check_in"],
            check_out=b["check_out"],
            total=b["total"],
            currency="EUR",
            phone=b["phone"],
            cancelled=b["cancelled"],
        )

    def get_booking(self, tenant_id: str, booking_id: str) -> PmsAnswer[BookingInfo]:
        self.calls.append(("get_booking", booking_id))
        if failed := self._fail():
            return failed
        if booking_id not in self.bookings:
            return PmsAnswer(error="not_found", message="no booking")
        return PmsAnswer(data=self._info(booking_id))

    def cancel_booking(self, tenant_id: str, booking_id: str) -> PmsAnswer[BookingInfo]:
        self.calls.append(("cancel_booking", booking_id))
        if failed := self._fail():
            return failed
        if booking_id not in self.bookings:
            return PmsAnswer(error="not_found")
        self.bookings[booking_id]["cancelled"] = True
        return PmsAnswer(data=self._info(booking_id))

    def late_checkout(self, tenant_id: str, booking_id: str) -> PmsAnswer[LateCheckoutInfo]:
        self.calls.append(("late_checkout", booking_id))
        if failed := self._fail():
            return failed
        return PmsAnswer(data=LateCheckoutInfo(granted=self.late_granted, time="14:00", fee="20 EUR"))

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)


@dataclass
class FakeNotifier:
    works: bool = True
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def notify(self, to: str, subject: str, body: str) -> bool:
        if self.works:
            self.sent.append((to, subject, body))
        return self.works


@dataclass
class Chat:
    """A guest talking to the dialog: each say/press runs one turn and keeps the state."""

    hotel: Tenant = SOL
    pms: FakePms = field(default_factory=FakePms)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    guest: str = GUEST
    name: str = "Ana García"
    now: float = NOW
    state: Conversation | None = None
    last: Outcome | None = None
    _n: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.state = self.state or Conversation(tenant_id=self.hotel.tenant_id, guest=self.guest)

    def turn(self, turn_kwargs: dict[str, Any]) -> Outcome:
        assert self.state is not None
        turn = Turn(wamid=f"wamid.{next(self._n)}", guest_name=self.name, guest_phone=self.guest, **turn_kwargs)
        deps = Deps(self.hotel, self.pms, self.notifier, TODAY, self.now, pause_seconds=3600)
        self.last = respond(self.state, turn, deps)
        self.state = self.last.state
        return self.last

    def say(self, text: str) -> Outcome:
        return self.turn({"kind": "text", "text": text})

    def press(self, choice: str) -> Outcome:
        return self.turn({"kind": "choice", "choice": choice})

    def body(self) -> str:
        assert self.last is not None and self.last.reply is not None
        return self.last.reply.body

    def ids(self) -> list[str]:
        assert self.last is not None and self.last.reply is not None
        reply = self.last.reply
        return [b[0] for b in reply.buttons] or [r[0] for r in reply.rows]

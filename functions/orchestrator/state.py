"""The conversation with one guest of one hotel, as a plain value that round-trips through a dict.

`version` is the optimistic-lock counter of the store (a write succeeds only on the version it read);
`outbox` holds the reply decided for the last message until it is sent, so a retry of that message sends
the same reply instead of running the dialog (and its PMS calls) again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

Stage = Literal["idle", "collecting", "choosing_room", "confirming", "awaiting_ref", "confirming_cancel"]
BOOKING_STAGES = ("collecting", "choosing_room", "confirming")


@dataclass(frozen=True)
class Conversation:
    tenant_id: str
    guest: str  # the guest's WhatsApp id
    version: int = 0
    lang: str | None = None
    stage: Stage = "idle"
    goal: str | None = None  # awaiting_ref: "cancel" | "late_checkout"
    # Booking slots: check_in, check_out (ISO), guests, room_type (a name the guest said), room_type_id.
    slots: dict[str, Any] = field(default_factory=dict)
    offers: list[dict[str, Any]] = field(default_factory=list)  # the rooms last listed (RoomOffer fields)
    offers_stale: bool = False  # they came from pms_proxy's stale cache: show, never book
    quote: str | None = None  # the wamid that produced the confirmation prompt: the booking's idempotency seed
    pending_ref: str | None = None  # the booking being cancelled
    booking_refs: list[str] = field(default_factory=list)  # bookings made in this conversation, newest last
    last_action: str | None = None  # what "retry" repeats after a degraded answer
    unknown_streak: int = 0
    paused_until: float = 0.0
    last_inbound_at: float = 0.0  # the guest's last message (the 24-hour customer-service window)
    outbox: dict[str, Any] | None = None  # {"wamid", "reply", "sent"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def evolve(self, **changes: Any) -> Conversation:
        return replace(self, **changes)

    def paused(self, now: float) -> bool:
        return self.paused_until > now

    def reset_flow(self) -> Conversation:
        """Back to idle, forgetting the booking or cancellation in progress (not the bookings made)."""
        return self.evolve(
            stage="idle",
            goal=None,
            slots={},
            offers=[],
            offers_stale=False,
            quote=None,
            pending_ref=None,
            last_action=None,
        )

"""The concierge's dialog: (state, guest turn, hotel, PMS answers) -> (new state, one reply).

Plain Python: the PMS and the staff mailbox come in as ports, the clock as values, so every path is a unit
test with fakes. Stages (Conversation.stage):

    idle               nothing in progress
    collecting         a booking/availability request missing dates or guests (asks only for what is missing)
    choosing_room      the room list (with the PMS's prices) was sent; rows `room:<room_type_id>`
    confirming         the summary with buttons `book:yes` / `book:change` / `book:no` was sent
    awaiting_ref       a booking number is needed (goal: cancel | late_checkout)
    confirming_cancel  the booking was shown with buttons `cancel:yes` / `cancel:no`

Buttons valid in any stage: `handoff` (a person), `retry` (repeat the call the PMS failed), `menu`.
Corrections ("mejor del 13", "somos 3", "la suite") update the slots in any booking stage and the flow
moves on from there. The handoff pause is kept in the state; while it lasts the bot stays silent.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from functions.orchestrator import catalogue as cat
from functions.orchestrator.nlu import detect_language, understand
from functions.orchestrator.ports import (
    NO_TIME,
    BookingInfo,
    NewBooking,
    Notifier,
    PmsPort,
    RoomOffer,
)
from functions.orchestrator.replies import Reply, buttons, choice_list, text
from functions.orchestrator.state import BOOKING_STAGES, Conversation
from hotel_common.tenancy.models import Tenant

TurnKind = Literal["text", "choice", "audio", "media", "location", "reaction", "reaction_removed", "unsupported"]
MAX_GUESTS = 10
MAX_ROWS = 10

_YES = {
    "si",
    "sí",
    "vale",
    "ok",
    "okay",
    "dale",
    "confirmo",
    "confirmar",
    "confirma",
    "claro",
    "perfecto",
    "de acuerdo",
    "adelante",
    "correcto",
    "si por favor",
    "si confirmo",
    "yes",
    "yep",
    "yeah",
    "sure",
    "confirm",
    "go ahead",
    "yes please",
    "please do",
    "si gracias",
    "yes confirm",
}
_NO = {"no", "nop", "nope", "nah", "mejor no", "no gracias", "no thanks", "no thank you", "dejalo", "forget it"}
_DIGITS = re.compile(r"\d+")
_BOOKING_SLOTS = ("check_in", "check_out", "guests", "room_type")


@dataclass(frozen=True)
class Turn:
    """One guest message as the dialog sees it."""

    wamid: str
    kind: TurnKind
    text: str = ""
    choice: str = ""  # the id of the button or list row the guest chose
    guest_name: str = ""
    guest_phone: str = ""


@dataclass(frozen=True)
class Deps:
    hotel: Tenant
    pms: PmsPort
    notifier: Notifier
    today: date  # in the hotel's timezone
    now: float  # unix seconds
    pause_seconds: int


@dataclass(frozen=True)
class Outcome:
    state: Conversation
    reply: Reply | None
    intent: str
    status: str  # ok | degraded | fallback | paused | ignored


# -- entry point -------------------------------------------------------------------------------------------


def respond(state: Conversation, turn: Turn, deps: Deps) -> Outcome:
    if state.paused(deps.now):
        return Outcome(state, None, "paused", "paused")
    if state.paused_until:
        state = state.evolve(paused_until=0.0)
    lang = _language(turn.text if turn.kind == "text" else "", state.lang or deps.hotel.language)
    d = _Dialog(state.evolve(lang=lang), turn, deps, lang)
    outcome = d.run()
    if outcome.intent != "unknown":
        outcome = Outcome(outcome.state.evolve(unknown_streak=0), outcome.reply, outcome.intent, outcome.status)
    return outcome


def _language(message: str, fallback: str) -> str:
    """The guest's language when the message gives evidence of one, else the conversation's.

    detect_language answers "es" when unsure; evidence for Spanish is a message that still reads as
    Spanish with one English word added (Spanish words outnumber English ones by more than one)."""
    if not message.strip():
        return cat.lang_of(fallback)
    if detect_language(message) == "en":
        return "en"
    if detect_language(message + " hello") == "es":
        return "es"
    return cat.lang_of(fallback)


def _plain(value: str) -> str:
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", value.lower()) if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^\w\s]", " ", stripped).split())


def booking_key(tenant_id: str, guest: str, quote: str) -> str:
    """The create_booking idempotency key: one per confirmation prompt, so pressing "Confirm" twice, a
    retried message and a redelivered webhook all name the same booking."""
    return hashlib.sha256(f"{tenant_id}|{guest}|{quote}".encode()).hexdigest()[:32]


def _same_phone(a: str, b: str) -> bool:
    da, db = "".join(ch for ch in a if ch.isdigit()), "".join(ch for ch in b if ch.isdigit())
    return len(da) >= 7 and len(db) >= 7 and (da.endswith(db[-9:]) or db.endswith(da[-9:]))


class _Dialog:
    def __init__(self, state: Conversation, turn: Turn, deps: Deps, lang: str) -> None:
        self.state = state
        self.turn = turn
        self.deps = deps
        self.lang = lang
        self.hotel = deps.hotel
        self.intent = "unknown"
        self.status = "ok"

    # -- helpers -----------------------------------------------------------------------------------------
    def t(self, key: str, **values: Any) -> str:
        return cat.text(self.lang, key, hotel=self.hotel.name, **values)

    def done(self, reply: Reply | None, intent: str | None = None, status: str | None = None) -> Outcome:
        return Outcome(self.state, reply, intent or self.intent, status or self.status)

    def day(self, iso: str) -> str:
        return cat.day(self.lang, iso)

    def money(self, amount: float, currency: str) -> str:
        return cat.money(self.lang, amount, currency)

    def nights(self, n: int) -> str:
        return self.t("nights_one" if n == 1 else "nights_many", n=n)

    def guests(self, n: int) -> str:
        return self.t("guests_one" if n == 1 else "guests_many", n=n)

    def degraded(self, action: str, key: str = "pms_down") -> Outcome:
        self.state = self.state.evolve(last_action=action)
        self.status = "degraded"
        return self.done(buttons(self.t(key), ("retry", self.t("btn_retry")), ("handoff", self.t("btn_human"))))

    # -- dispatch ------------------------------------------------------------------------------------------
    def run(self) -> Outcome:
        kind = self.turn.kind
        if kind == "choice":
            return self.on_choice(self.turn.choice)
        if kind == "text":
            return self.on_text(self.turn.text)
        if kind == "audio":
            return self.done(text(self.t("audio")), "audio")
        if kind == "media":
            return self.done(text(self.t("media")), "media")
        if kind == "location":
            address = self.hotel.profile.address or self.hotel.name
            return self.done(text(self.t("location", address=address)), "location")
        if kind == "reaction":
            return self.done(text(self.t("reaction")), "reaction")
        if kind == "reaction_removed":
            return self.done(None, "reaction", "ignored")
        return self.done(text(self.t("unsupported")), "unsupported")

    def on_choice(self, choice: str) -> Outcome:
        stage = self.state.stage
        if choice == "handoff":
            return self.handoff()
        if choice == "menu":
            return self.done(text(self.t("menu")), "greeting")
        if choice == "retry":
            return self.retry()
        if choice.startswith("room:") and stage in ("choosing_room", "confirming"):
            self.intent = "booking"
            offer = self.offer(choice.removeprefix("room:"))
            if offer is not None:
                return self.confirm_prompt(offer)
        if choice == "book:yes" and stage == "confirming":
            return self.book()
        if choice == "book:change" and stage == "confirming":
            self.intent = "booking"
            return self.done(text(self.t("change_prompt")))
        if choice == "book:no" and stage in BOOKING_STAGES:
            self.state = self.state.reset_flow()
            return self.done(text(self.t("booking_aborted")), "booking")
        if choice == "cancel:yes" and stage == "confirming_cancel" and self.state.pending_ref:
            return self.cancel(self.state.pending_ref)
        if choice == "cancel:no" and stage == "confirming_cancel":
            ref = self.state.pending_ref or ""
            self.state = self.state.reset_flow()
            return self.done(text(self.t("cancel_kept", ref=ref)), "cancel")
        return self.done(text(self.t("stale_choice")), "stale_choice")

    def on_text(self, message: str) -> Outcome:
        state = self.state
        names = [o["name"] for o in state.offers]
        u = understand(
            message,
            lang=self.lang,
            today=self.deps.today,
            tz=self.hotel.timezone,
            room_types=names,
            context={k: v for k, v in state.slots.items() if k in ("check_in", "check_out", "guests")} or None,
        )
        self.intent = u.intent
        plain = _plain(message)
        slots: dict[str, Any] = {k: v for k, v in u.slots.items() if k in _BOOKING_SLOTS}

        if state.stage == "confirming" and plain in _YES:
            return self.book()
        if state.stage == "confirming_cancel" and plain in _YES and state.pending_ref:
            return self.cancel(state.pending_ref)
        if state.stage in BOOKING_STAGES and plain in _NO:
            self.state = state.reset_flow()
            return self.done(text(self.t("booking_aborted")), "booking")
        if state.stage == "confirming_cancel" and plain in _NO:
            self.state = state.reset_flow()
            return self.done(text(self.t("cancel_kept", ref=state.pending_ref or "")), "cancel")
        if state.stage == "awaiting_ref":
            ref = u.slots.get("booking_ref") or self.bare_number(message)
            if ref and u.intent in ("unknown", "cancel", "late_checkout", "booking"):
                return self.cancel_lookup(str(ref)) if state.goal == "cancel" else self.late_checkout(str(ref))
        if state.stage in BOOKING_STAGES and u.intent in ("unknown", "availability", "booking", "room_info"):
            if "guests" not in slots and "guests" not in state.slots and state.slots.get("check_out"):
                number = self.bare_number(message)
                if number:
                    slots["guests"] = int(number)
            if slots or u.intent in ("availability", "booking"):
                self.intent = "booking" if u.intent == "unknown" else u.intent
                return self.collect(slots)

        return self.on_intent(u.intent, u.slots, slots)

    def on_intent(self, intent: str, found: dict[str, Any], slots: dict[str, Any]) -> Outcome:
        first = self.turn.guest_name.split()[0] if self.turn.guest_name.strip() else ""
        if intent == "greeting":
            return self.done(text(self.t("greeting", name=f" {first}" if first else "")))
        if intent in ("availability", "booking"):
            self.state = self.state.reset_flow().evolve(stage="collecting")
            return self.collect(slots)
        if intent == "room_info":
            if slots.get("check_in") or slots.get("guests"):
                self.state = self.state.reset_flow().evolve(stage="collecting")
                return self.collect(slots)
            return self.room_info()
        if intent == "cancel":
            ref = found.get("booking_ref") or (self.state.booking_refs[-1] if self.state.booking_refs else None)
            if ref:
                return self.cancel_lookup(str(ref))
            self.state = self.state.reset_flow().evolve(stage="awaiting_ref", goal="cancel")
            return self.done(text(self.t("cancel_ask_ref")))
        if intent == "late_checkout":
            ref = found.get("booking_ref") or (self.state.booking_refs[-1] if self.state.booking_refs else None)
            if ref:
                return self.late_checkout(str(ref))
            self.state = self.state.reset_flow().evolve(stage="awaiting_ref", goal="late_checkout")
            return self.done(text(self.t("late_ask_ref")))
        if intent == "hotel_info":
            return self.hotel_info(str(found.get("topic") or ""))
        if intent == "handoff":
            return self.handoff()
        if intent == "goodbye":
            self.state = self.state.reset_flow()
            return self.done(text(self.t("goodbye")))
        return self.unknown()

    # -- booking ---------------------------------------------------------------------------------------------
    def collect(self, slots: dict[str, Any]) -> Outcome:
        """Merge what the guest said into the booking slots and ask for the next missing thing."""
        self.intent = self.intent if self.intent in ("availability", "booking", "room_info") else "booking"
        merged = dict(self.state.slots)
        dates_changed = any(k in slots for k in ("check_in", "check_out"))
        # "mejor del 13": a new arrival keeps the departure; one past the departure keeps the nights.
        if (
            "check_in" in slots
            and "check_out" not in slots
            and merged.get("check_in")
            and merged.get("check_out")
            and slots["check_in"] >= merged["check_out"]
        ):
            nights = (date.fromisoformat(merged["check_out"]) - date.fromisoformat(merged["check_in"])).days
            new_in = date.fromisoformat(slots["check_in"])
            slots["check_out"] = date.fromordinal(new_in.toordinal() + max(nights, 1)).isoformat()
        merged.update(slots)
        if "room_type" in slots:
            merged.pop("room_type_id", None)
        self.state = self.state.evolve(stage="collecting", slots=merged, quote=None)
        check_in, check_out = merged.get("check_in"), merged.get("check_out")
        if not check_in:
            return self.done(text(self.t("ask_dates")))
        if not check_out:
            return self.done(text(self.t("ask_check_out", check_in=self.day(check_in))))
        if date.fromisoformat(check_in) < self.deps.today or check_out <= check_in:
            merged = {k: v for k, v in merged.items() if k not in ("check_in", "check_out")}
            self.state = self.state.evolve(slots=merged)
            return self.done(text(self.t("bad_dates")))
        nights = (date.fromisoformat(check_out) - date.fromisoformat(check_in)).days
        guests = merged.get("guests")
        if not guests:
            return self.done(
                text(
                    self.t(
                        "ask_guests",
                        check_in=self.day(check_in),
                        check_out=self.day(check_out),
                        nights=self.nights(nights),
                    )
                )
            )
        if not 1 <= int(guests) <= MAX_GUESTS:
            merged.pop("guests", None)
            self.state = self.state.evolve(slots=merged)
            return self.done(text(self.t("bad_guests", max=MAX_GUESTS)))
        if not dates_changed and "guests" not in slots and merged.get("room_type_id") and self.state.offers:
            offer = self.offer(str(merged["room_type_id"]))
            if offer is not None:
                return self.confirm_prompt(offer)
        return self.search()

    def search(self, prefix: str = "") -> Outcome:
        slots = self.state.slots
        answer = self.deps.pms.availability(
            self.hotel.tenant_id, slots["check_in"], slots["check_out"], int(slots["guests"])
        )
        if not answer.ok:
            return self.degraded("search")
        offers = [o for o in answer.data or [] if o.available > 0][:MAX_ROWS]
        check_in, check_out = self.day(slots["check_in"]), self.day(slots["check_out"])
        guests = self.guests(int(slots["guests"]))
        if not offers:
            kept = {k: v for k, v in slots.items() if k == "guests"}
            self.state = self.state.evolve(stage="collecting", slots=kept, offers=[], offers_stale=False)
            return self.done(text(self.t("no_rooms", guests=guests, check_in=check_in, check_out=check_out)))
        self.state = self.state.evolve(
            stage="choosing_room",
            offers=[o.__dict__.copy() for o in offers],
            offers_stale=answer.stale,
            last_action=None,
        )
        wanted = str(slots.get("room_type") or "")
        if wanted and not prefix:
            match = next((o for o in offers if _plain(o.name) == _plain(wanted)), None)
            if match is not None:
                return self.confirm_prompt(match)
            prefix = self.t("room_unavailable", room=wanted)
        if answer.stale:
            self.status = "degraded"
        nights = (date.fromisoformat(slots["check_out"]) - date.fromisoformat(slots["check_in"])).days
        body = prefix or self.t(
            "rooms_body", check_in=check_in, check_out=check_out, nights=self.nights(nights), guests=guests
        )
        if answer.stale:
            body = f"{body}\n\n{self.t('rooms_stale')}"
        rows = [
            (
                f"room:{o.id}",
                o.name,
                self.t(
                    "room_row",
                    total=self.money(o.total, o.currency),
                    per_night=self.money(o.per_night, o.currency),
                ),
            )
            for o in offers
        ]
        return self.done(choice_list(body, self.t("list_button"), self.t("list_section"), rows))

    def offer(self, room_type_id: str) -> RoomOffer | None:
        for raw in self.state.offers:
            if str(raw["id"]) == room_type_id:
                return RoomOffer(**raw)
        return None

    def confirm_prompt(self, offer: RoomOffer) -> Outcome:
        slots = {**self.state.slots, "room_type_id": offer.id, "room_type": offer.name}
        self.state = self.state.evolve(stage="confirming", slots=slots, quote=self.turn.wamid)
        nights = (date.fromisoformat(slots["check_out"]) - date.fromisoformat(slots["check_in"])).days
        profile = self.hotel.profile
        body = self.t(
            "confirm_body",
            room=offer.name,
            check_in=self.day(slots["check_in"]),
            check_out=self.day(slots["check_out"]),
            check_in_time=profile.check_in_time,
            check_out_time=profile.check_out_time,
            nights=self.nights(nights),
            guests=self.guests(int(slots["guests"])),
            total=self.money(offer.total, offer.currency),
            name=self.turn.guest_name or "—",
        )
        if self.state.offers_stale:
            body = f"{body}\n\n{self.t('rooms_stale')}"
        self.intent = "booking"
        return self.done(
            buttons(
                body,
                ("book:yes", self.t("btn_confirm")),
                ("book:change", self.t("btn_change")),
                ("book:no", self.t("btn_abort")),
            )
        )

    def book(self) -> Outcome:
        self.intent = "booking"
        state = self.state
        slots = state.slots
        if state.offers_stale:
            # Prices from the stale cache mean the PMS is down: never book on them.
            return self.degraded("search", "pms_down_booking")
        quote = state.quote or self.turn.wamid
        request = NewBooking(
            room_type_id=int(slots["room_type_id"]),
            check_in=slots["check_in"],
            check_out=slots["check_out"],
            guests=int(slots["guests"]),
            guest_name=self.turn.guest_name or "WhatsApp guest",
            guest_phone=self.turn.guest_phone,
            idempotency_key=booking_key(self.hotel.tenant_id, state.guest, quote),
        )
        answer = self.deps.pms.create_booking(self.hotel.tenant_id, request)
        if answer.ok and answer.data is not None:
            return self.booked(answer.data)
        if answer.error in (NO_TIME, "timeout"):
            # Not started, or its outcome unknown: the same key makes pressing "Confirm" again safe.
            self.status = "degraded"
            self.state = state.evolve(quote=quote)
            return self.done(text(self.t("pms_slow_booking")))
        if answer.degraded:
            self.state = state.evolve(quote=quote)
            return self.degraded("book", "pms_down_booking")
        if answer.error == "conflict":
            room = str(slots.get("room_type") or "")
            slots = {k: v for k, v in slots.items() if k not in ("room_type", "room_type_id")}
            self.state = state.evolve(slots=slots, quote=None)
            outcome = self.search(prefix=self.t("room_unavailable", room=room))
            if outcome.reply is not None and outcome.reply.kind == "list":
                return outcome
            return self.done(text(self.t("booking_conflict", room=room)))
        self.status = "error"
        return self.done(buttons(self.t("booking_rejected"), ("handoff", self.t("btn_human"))))

    def booked(self, booking: BookingInfo) -> Outcome:
        slots = self.state.slots
        room = booking.room or str(slots.get("room_type") or "")
        total = booking.total
        offer = self.offer(str(slots.get("room_type_id")))
        if total is None and offer is not None:
            total = offer.total
        currency = booking.currency or (offer.currency if offer else "")
        refs = [*[r for r in self.state.booking_refs if r != booking.ref], booking.ref][-5:]
        self.state = self.state.reset_flow().evolve(booking_refs=refs)
        return self.done(
            text(
                self.t(
                    "booked",
                    ref=booking.ref,
                    room=room,
                    check_in=self.day(booking.check_in or slots["check_in"]),
                    check_out=self.day(booking.check_out or slots["check_out"]),
                    total=self.money(total, currency) if total is not None else "—",
                    check_in_time=self.hotel.profile.check_in_time,
                )
            )
        )

    def retry(self) -> Outcome:
        action, state = self.state.last_action, self.state
        if action == "search" and state.slots.get("check_in") and state.slots.get("guests"):
            self.intent = "availability"
            return self.search()
        if action == "book" and state.stage == "confirming":
            return self.book()
        if action == "cancel_lookup" and state.pending_ref:
            return self.cancel_lookup(state.pending_ref)
        if action == "cancel" and state.pending_ref:
            return self.cancel(state.pending_ref)
        if action == "late_checkout" and state.pending_ref:
            return self.late_checkout(state.pending_ref)
        if action == "room_info":
            return self.room_info()
        return self.done(text(self.t("stale_choice")), "stale_choice")

    # -- cancel and late checkout ------------------------------------------------------------------------
    def own_booking(self, ref: str, action: str) -> BookingInfo | Outcome:
        """The booking when it exists and belongs to this guest, else the reply to send."""
        answer = self.deps.pms.get_booking(self.hotel.tenant_id, ref)
        if answer.degraded:
            self.state = self.state.evolve(pending_ref=ref)
            return self.degraded(action)
        booking = answer.data
        mine = booking is not None and (
            _same_phone(booking.phone, self.turn.guest_phone) or ref in self.state.booking_refs
        )
        if not answer.ok or booking is None or not mine:
            self.state = self.state.reset_flow()
            return self.done(text(self.t("booking_not_found", ref=ref)))
        return booking

    def cancel_lookup(self, ref: str) -> Outcome:
        self.intent = "cancel"
        booking = self.own_booking(ref, "cancel_lookup")
        if isinstance(booking, Outcome):
            return booking
        if booking.cancelled:
            self.state = self.state.reset_flow()
            return self.done(text(self.t("already_cancelled", ref=ref)))
        self.state = self.state.reset_flow().evolve(stage="confirming_cancel", pending_ref=ref)
        body = self.t(
            "cancel_confirm",
            ref=ref,
            room=booking.room or "—",
            check_in=self.day(booking.check_in) if booking.check_in else "—",
            check_out=self.day(booking.check_out) if booking.check_out else "—",
        )
        return self.done(buttons(body, ("cancel:yes", self.t("btn_cancel_yes")), ("cancel:no", self.t("btn_keep"))))

    def cancel(self, ref: str) -> Outcome:
        self.intent = "cancel"
        answer = self.deps.pms.cancel_booking(self.hotel.tenant_id, ref)
        if answer.degraded:
            return self.degraded("cancel")
        if answer.error == "not_found":
            self.state = self.state.reset_flow()
            return self.done(text(self.t("booking_not_found", ref=ref)))
        if not answer.ok:
            self.status = "error"
            return self.done(buttons(self.t("booking_rejected"), ("handoff", self.t("btn_human"))))
        self.state = self.state.reset_flow().evolve(booking_refs=[r for r in self.state.booking_refs if r != ref])
        return self.done(text(self.t("cancelled", ref=ref)))

    def late_checkout(self, ref: str) -> Outcome:
        self.intent = "late_checkout"
        booking = self.own_booking(ref, "late_checkout")
        if isinstance(booking, Outcome):
            return booking
        answer = self.deps.pms.late_checkout(self.hotel.tenant_id, ref)
        if answer.degraded:
            self.state = self.state.evolve(pending_ref=ref)
            return self.degraded("late_checkout")
        self.state = self.state.reset_flow()
        policy_text = self.hotel.profile.late_checkout_policy
        policy = self.t("late_policy", policy=policy_text) if policy_text else ""
        result = answer.data
        if answer.ok and result is not None and result.granted:
            fee = self.t("late_fee", fee=result.fee) if result.fee else ""
            granted = self.t("late_granted", ref=ref, time=result.time or "—", fee=fee, policy=policy)
            return self.done(text(granted.strip()))
        return self.done(text(self.t("late_denied", ref=ref, policy=policy).strip()))

    # -- information, handoff, fallback ------------------------------------------------------------------
    def hotel_info(self, topic: str) -> Outcome:
        profile = self.hotel.profile
        values = {
            "check_in_time": profile.check_in_time,
            "check_out_time": profile.check_out_time,
            "address": profile.address,
            "phone": profile.phone,
            "wifi": profile.wifi,
            "parking": profile.parking,
            "pets": profile.pets,
            "breakfast": profile.breakfast,
            "cancellation_policy": "",
            "late_checkout": profile.late_checkout_policy,
        }
        if topic in values:
            value = values[topic]
            if value:
                return self.done(text(self.t(f"info_{topic}", value=value)))
            return self.done(buttons(self.t("info_missing"), ("handoff", self.t("btn_human"))))
        if topic:
            return self.done(buttons(self.t("info_missing"), ("handoff", self.t("btn_human"))))
        return self.done(
            text(
                self.t(
                    "info_general",
                    address=profile.address or "—",
                    check_in_time=profile.check_in_time,
                    check_out_time=profile.check_out_time,
                    phone=profile.phone or "—",
                )
            )
        )

    def room_info(self) -> Outcome:
        self.intent = "room_info"
        answer = self.deps.pms.room_types(self.hotel.tenant_id)
        if answer.ok and answer.data:
            names = ", ".join(r.name for r in answer.data)
            return self.done(text(self.t("room_info", rooms=names)))
        if answer.degraded:
            return self.degraded("room_info")
        return self.done(text(self.t("room_info_generic")))

    def handoff(self) -> Outcome:
        self.intent = "handoff"
        profile = self.hotel.profile
        phone = profile.phone or "—"
        if not profile.staff_email:
            self.status = "handoff_unreachable"
            return self.done(text(self.t("handoff_unreachable", phone=phone)))
        until = self.deps.now + self.deps.pause_seconds
        summary = ", ".join(f"{k}={v}" for k, v in self.state.slots.items()) or self.state.stage
        tenant_lang = cat.lang_of(self.hotel.language)
        body = cat.text(
            tenant_lang,
            "mail_body",
            name=self.turn.guest_name or "—",
            phone=self.turn.guest_phone,
            message=self.turn.text or self.turn.choice or "—",
            summary=summary,
            until=datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d %H:%M"),
        )
        subject = cat.text(tenant_lang, "mail_subject", hotel=self.hotel.name)
        if not self.deps.notifier.notify(profile.staff_email, subject, body):
            self.status = "handoff_unreachable"
            return self.done(text(self.t("handoff_unreachable", phone=phone)))
        self.state = self.state.reset_flow().evolve(paused_until=until)
        return self.done(text(self.t("handoff_done")))

    def unknown(self) -> Outcome:
        streak = self.state.unknown_streak + 1
        self.state = self.state.evolve(unknown_streak=streak)
        self.status = "fallback"
        if streak >= 2:
            return self.done(buttons(self.t("fallback_human"), ("handoff", self.t("btn_human"))), "unknown")
        return self.done(text(self.t("fallback")), "unknown")

    @staticmethod
    def bare_number(message: str) -> str | None:
        """A message that is only a number ("2", "#57", "la 57"): a guest count or a booking number."""
        numbers = _DIGITS.findall(message)
        if len(numbers) == 1 and len(_plain(message).split()) <= 3:
            return numbers[0]
        return None

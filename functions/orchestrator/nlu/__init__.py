"""Understanding guest messages: language, intent and slots, deterministic and offline.

    from functions.orchestrator.nlu import understand, detect_language
    u = understand("tienen lugar del 12 al 15 de diciembre para 2?", today=date(2025, 3, 10))
    u.intent == "availability"; u.slots == {"check_in": "2025-12-12", "check_out": "2025-12-15", "guests": 2}

Intents: greeting, availability, room_info, booking, cancel, hotel_info (slot topic), late_checkout,
handoff, goodbye, unknown. Slots (only those found): check_in, check_out (ISO dates), guests (int),
room_type, booking_ref, topic. The dialog passes its current slots as `context` so that partial dates
("mejor del 13", "3 noches") resolve against the stay being discussed.

Import cost is kept low for the orchestrator's cold start: the lexicon compiles once at import, rapidfuzz
is imported on the first word outside the vocabulary, and dateparser only when a message has a date the
grammar cannot read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from functions.orchestrator.nlu.dates import MONTHS, NUMBER_WORDS, WEEKDAYS, extract_dates
from functions.orchestrator.nlu.intents import decide
from functions.orchestrator.nlu.lang import detect_language
from functions.orchestrator.nlu.lexicon import vocabulary
from functions.orchestrator.nlu.slots import (
    ROOM_WORDS,
    SLOT_WORDS,
    extract_booking_ref,
    extract_guests,
    extract_room_type,
)
from functions.orchestrator.nlu.text import ABBREVIATIONS, Corrector, basic, canonical

__all__ = ["INTENTS", "Understanding", "detect_language", "understand"]

INTENTS = (
    "greeting",
    "availability",
    "room_info",
    "booking",
    "cancel",
    "hotel_info",
    "late_checkout",
    "handoff",
    "goodbye",
    "unknown",
)

_CORRECTOR = Corrector(
    vocabulary() | set(MONTHS) | set(WEEKDAYS) | ROOM_WORDS,
    protected=set(NUMBER_WORDS) | SLOT_WORDS,
)
_WORD = re.compile(r"\b[a-z]+\b")


@dataclass(frozen=True)
class Understanding:
    intent: str
    lang: str
    slots: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0


def _slot_text(text: str) -> str:
    """basic() text with abbreviations expanded and typos corrected, punctuation kept for dates."""

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        return ABBREVIATIONS.get(word) or _CORRECTOR.correct(word)

    return _WORD.sub(fix, basic(text))


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def understand(
    text: str,
    *,
    lang: str | None = None,
    today: dt.date | None = None,
    tz: str = "Europe/Madrid",
    room_types: Sequence[str] = (),
    context: Mapping[str, Any] | None = None,
) -> Understanding:
    """Classify one guest message. `today` defaults to the current date in the hotel's timezone `tz`;
    `room_types` are the hotel's room type names; `context` the dialog's current slots."""
    language = lang if lang in ("es", "en") else detect_language(text)
    if today is None:
        today = dt.datetime.now(ZoneInfo(tz)).date()

    slot_text = _slot_text(text)
    slots: dict[str, Any] = {}
    ref, ref_span = extract_booking_ref(slot_text)
    if ref and ref_span:
        slots["booking_ref"] = ref
        slot_text = _blank(slot_text, [ref_span])
    dates, spans = extract_dates(slot_text, today=today, lang=language, context=context)
    slots.update(dates)
    rest = _blank(slot_text, spans)
    guests = extract_guests(rest)
    if guests is not None:
        slots["guests"] = guests
    room_type = extract_room_type(rest, room_types)
    if room_type is not None:
        slots["room_type"] = room_type

    decision = decide(
        canonical(text, _CORRECTOR),
        has_dates=bool(dates),
        has_guests=guests is not None,
        has_room_type=room_type is not None,
    )
    if decision.topic:
        slots["topic"] = decision.topic
    return Understanding(decision.intent, language, slots, decision.confidence)

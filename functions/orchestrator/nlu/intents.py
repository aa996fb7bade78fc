"""Intent scoring and the priority rules that settle conflicts between intents.

Each intent sums the weights of its patterns that match (a pattern counts once). The order of the rules
below is the product decision, cheaper to read than weights tuned against each other:
1. A request for a person (handoff) beats everything: the guest has said they want out of the bot.
2. A question about the cancellation policy is hotel_info, even though it says "cancel".
3. cancel beats booking ("quiero cancelar mi reserva").
4. late_checkout beats the check-out time question.
5. Among booking, availability, room_info and hotel_info the best score wins; dates in the message move
   price questions to availability ("cuánto sale la suite del 12 al 15" asks for a quote).
6. Dates, guests or a room type alone still say what the guest wants (availability / room_info).
7. greeting and goodbye only when nothing else is asked ("hola, tienen wifi?" is hotel_info).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from functions.orchestrator.nlu.lexicon import (
    GENERIC_HOTEL_INFO,
    INTENT_PATTERNS,
    POLICY_PATTERNS,
    TOPIC_PATTERNS,
    Pattern,
    compile_patterns,
)

_INTENTS = {intent: compile_patterns(patterns) for intent, patterns in INTENT_PATTERNS.items()}
_TOPICS = {topic: compile_patterns(patterns) for topic, patterns in TOPIC_PATTERNS.items()}
_POLICY = compile_patterns(POLICY_PATTERNS)
_GENERIC = compile_patterns(GENERIC_HOTEL_INFO)
_NEGATED = re.compile(r"\b(?:no|not|do not|never|nunca|tampoco)(?: \w+){0,2} $")
_NEGATABLE = frozenset({"cancel", "booking"})
# Tie-break among the substantive intents: the more committed request first.
_PRIORITY = ("booking", "hotel_info", "room_info", "availability")


@dataclass(frozen=True)
class Decision:
    intent: str
    topic: str | None
    confidence: float


def _score(text: str, patterns: list[Pattern], negatable: bool = False) -> float:
    total = 0.0
    for pattern, weight in patterns:
        for match in pattern.finditer(text):
            if negatable and _NEGATED.search(text[max(0, match.start() - 25) : match.start()]):
                continue
            total += weight
            break
    return total


def decide(text: str, *, has_dates: bool, has_guests: bool, has_room_type: bool) -> Decision:
    scores = {intent: _score(text, patterns, intent in _NEGATABLE) for intent, patterns in _INTENTS.items()}
    if scores["handoff"] >= 2.5:
        return Decision("handoff", None, _confidence(scores["handoff"]))
    if _score(text, _POLICY) >= 5:
        return Decision("hotel_info", "cancellation_policy", 0.9)
    if scores["cancel"] >= 2.5:
        return Decision("cancel", None, _confidence(scores["cancel"]))
    if scores["late_checkout"] >= 3:
        return Decision("late_checkout", None, _confidence(scores["late_checkout"]))

    topic_scores = {topic: _score(text, patterns) for topic, patterns in _TOPICS.items()}
    topic = max(topic_scores, key=lambda t: topic_scores[t])
    hotel = topic_scores[topic]
    generic = _score(text, _GENERIC)
    if generic > hotel:
        topic, hotel = "", generic

    candidates = {
        "booking": scores["booking"],
        "availability": scores["availability"],
        "room_info": scores["room_info"] + (1.0 if has_room_type else 0.0),
        "hotel_info": hotel,
    }
    if has_dates:
        candidates["availability"] += 1.0
        if hotel < 3:
            candidates["availability"] += candidates["room_info"]
            candidates["room_info"] = 0.0
    if has_guests:
        candidates["availability"] += 0.5
    best = max(_PRIORITY, key=lambda intent: (candidates[intent], -_PRIORITY.index(intent)))
    ranked = sorted(candidates.values(), reverse=True)
    if candidates[best] >= 1.5:
        margin = ranked[0] - ranked[1]
        return Decision(best, topic or None if best == "hotel_info" else None, _confidence(candidates[best], margin))
    if has_dates or has_guests:
        return Decision("availability", None, 0.6)
    if has_room_type:
        return Decision("room_info", None, 0.6)
    if hotel >= 1:
        return Decision("hotel_info", topic or None, 0.6)
    if scores["goodbye"] >= 1 and scores["goodbye"] >= scores["greeting"]:
        return Decision("goodbye", None, _confidence(scores["goodbye"]))
    if scores["greeting"] >= 0.8:
        return Decision("greeting", None, _confidence(scores["greeting"] + 1))
    return Decision("unknown", None, 0.2 if text.strip() else 0.0)


def _confidence(score: float, margin: float | None = None) -> float:
    base = min(0.95, 0.55 + 0.1 * score)
    if margin is not None and margin < 1:
        base -= 0.15
    return round(max(base, 0.3), 2)

"""The orchestrator's dialog, in plain Python. For now: greet the guest by name in their language and
say what the concierge can do (the full concierge replaces this)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hotel_common.models import InboundMessage

_ENGLISH = re.compile(
    r"\b(hi|hello|hey|good (morning|afternoon|evening)|thanks?|please|room|rooms|book|booking|available|"
    r"the|is|are|do|you|have|what|when|how|i|my|we|want|need|can|could|would)\b"
)
_SPANISH = re.compile(
    r"\b(hola|buen[oa]s?|gracias|por favor|habitaci[oó]n|reserva[r]?|disponible|el|la|los|las|es|son|"
    r"tienen|que|qué|cuando|cómo|como|yo|mi|quiero|necesito|puedo|para|una?)\b"
)


def detect_language(text: str) -> str:
    """es|en from word evidence; Spanish when unsure (the original system's default)."""
    lowered = unicodedata.normalize("NFC", text.lower())
    english = len(_ENGLISH.findall(lowered))
    spanish = len(_SPANISH.findall(lowered))
    return "en" if english > spanish else "es"


@dataclass(frozen=True)
class Reply:
    text: str
    lang: str


GREETING = {
    "es": (
        "¡Hola{name}! Soy el asistente de {hotel}. Puedo consultar disponibilidad y precios, "
        "hacer o cancelar una reserva, responder preguntas sobre el hotel o ponerte con una persona del equipo."
    ),
    "en": (
        "Hi{name}! I'm the assistant of {hotel}. I can check availability and prices, make or cancel a "
        "booking, answer questions about the hotel or put you through to someone on the team."
    ),
}


def greet(message: InboundMessage, hotel_name: str) -> Reply:
    lang = detect_language(message.text) if message.text else "es"
    first_name = message.guest_name.split()[0] if message.guest_name.strip() else ""
    name = f" {first_name}" if first_name else ""
    return Reply(GREETING[lang].format(name=name, hotel=hotel_name), lang)

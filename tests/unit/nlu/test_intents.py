from __future__ import annotations

import datetime as dt

import pytest

from functions.orchestrator.nlu import Understanding, understand

TODAY = dt.date(2025, 3, 10)  # a Monday


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("quiero cancelar mi reserva", "cancel"),
        ("quiero reservar", "booking"),
        ("tienen disponibilidad del 12 al 15", "availability"),
        ("cuánto cuesta la suite", "room_info"),
        ("cuánto cuesta la suite del 12 al 15?", "availability"),
        ("a qué hora es el check-in", "hotel_info"),
        ("puedo salir más tarde", "late_checkout"),
        ("quiero hablar con una persona", "handoff"),
        ("talk to a human", "handoff"),
        ("hola, tienen wifi?", "hotel_info"),
        ("gracias, buenas noches", "goodbye"),
        ("buenas noches", "greeting"),
        ("no quiero cancelar, quiero reservar otra noche", "booking"),
        ("cuál es la política de cancelación?", "hotel_info"),
        ("QUIERO CANSELAR MI RESERBA!!!", "cancel"),
        ("disponivilidad para el finde", "availability"),
        ("", "unknown"),
        ("😂", "unknown"),
        ("👋", "greeting"),
    ],
)
def test_intent(text: str, intent: str) -> None:
    assert understand(text, today=TODAY).intent == intent


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("a qué hora es el check-in", "check_in_time"),
        ("what time is checkout", "check_out_time"),
        ("dónde queda el hotel?", "address"),
        ("tienen cochera?", "parking"),
        ("clave del wifi?", "wifi"),
        ("aceptan perros?", "pets"),
        ("el desayuno está incluido?", "breakfast"),
        ("tienen alberca?", "pool"),
        ("is there a gym", "gym"),
        ("hay restaurante?", "restaurant"),
        ("do you do airport pickup?", "airport_transfer"),
        ("phone number of the hotel?", "phone"),
        ("puedo pagar con tarjeta?", "payment"),
        ("can I cancel for free?", "cancellation_policy"),
    ],
)
def test_hotel_info_topic(text: str, topic: str) -> None:
    result = understand(text, today=TODAY)
    assert (result.intent, result.slots.get("topic")) == ("hotel_info", topic)


def test_result_shape() -> None:
    result = understand("hola", today=TODAY)
    assert isinstance(result, Understanding)
    assert result.lang in ("es", "en")
    assert 0.0 <= result.confidence <= 1.0
    assert result.slots == {}
    with pytest.raises(AttributeError):
        result.intent = "x"  # type: ignore[misc]


def test_lang_argument_wins_over_detection() -> None:
    assert understand("hola", lang="en", today=TODAY).lang == "en"


def test_today_defaults_to_the_hotel_timezone() -> None:
    result = understand("mañana", tz="Pacific/Kiritimati")
    assert result.slots["check_in"] > dt.date.today().replace(year=2000).isoformat()


def test_confidence_is_lower_for_unknown() -> None:
    assert understand("asdf", today=TODAY).confidence < understand("quiero reservar", today=TODAY).confidence

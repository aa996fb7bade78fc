import json
from pathlib import Path

import pytest

from functions.normalizer.service import NormalizationError, normalize, normalize_body
from hotel_common.models import InboundMessage, StatusUpdate, parse_event

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whatsapp"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def only_message(name: str) -> InboundMessage:
    result = normalize(load(name))
    assert len(result.messages) == 1 and not result.statuses
    return result.messages[0]


def test_text_keeps_ids_timestamp_guest_and_business() -> None:
    m = only_message("text.json")
    assert m.type == "text"
    assert m.text == "Hola, ¿tienen habitación para el viernes?"
    assert m.wamid.startswith("wamid.")
    assert m.timestamp.timestamp() == 1749416383
    assert m.guest_wa_id == "16505551234"
    assert m.guest_name == "Sheena Nelson"
    assert m.phone_number_id == "106540352242922"
    assert m.display_phone_number == "15550783881"


def test_interactive_button_reply_and_context() -> None:
    m = only_message("interactive_button_reply.json")
    assert m.type == "interactive"
    assert m.interactive is not None
    assert (m.interactive.kind, m.interactive.id, m.interactive.title) == (
        "button_reply",
        "confirm_yes",
        "Sí, reservar",
    )
    assert m.text == "Sí, reservar"
    assert m.context is not None and m.context.message_id.startswith("wamid.")


def test_interactive_list_reply() -> None:
    m = only_message("interactive_list_reply.json")
    assert m.interactive is not None
    assert (m.interactive.kind, m.interactive.id, m.interactive.description) == (
        "list_reply",
        "room_2",
        "120 EUR/noche",
    )


def test_template_quick_reply_button() -> None:
    m = only_message("button.json")
    assert (m.type, m.text, m.button_payload) == ("button", "Book now", "BOOK_NOW")


def test_location() -> None:
    m = only_message("location.json")
    assert m.location is not None
    assert (m.location.latitude, m.location.longitude, m.location.name) == (40.4168, -3.7038, "Puerta del Sol")


@pytest.mark.parametrize(
    ("name", "kind", "caption"),
    [("image.json", "image", "Esta es la mancha en la alfombra"), ("document.json", "document", "Mi pasaporte")],
)
def test_media_with_caption(name: str, kind: str, caption: str) -> None:
    m = only_message(name)
    assert m.type == kind and m.media is not None
    assert m.media.caption == caption == m.text
    assert m.media.id and m.media.mime_type


def test_voice_audio() -> None:
    m = only_message("audio.json")
    assert m.type == "audio" and m.media is not None and m.media.voice
    assert m.text == ""


def test_reaction() -> None:
    m = only_message("reaction.json")
    assert m.reaction is not None and m.reaction.emoji == "👍" and m.reaction.message_id.startswith("wamid.")


def test_unsupported_keeps_meta_error() -> None:
    m = only_message("unsupported.json")
    assert m.type == "unsupported"
    assert m.errors[0].code == 131051
    assert m.errors[0].details == "Message type is currently not supported."


def test_status_only_body_is_not_an_error() -> None:
    result = normalize(load("statuses.json"))
    assert not result.messages
    assert [s.status for s in result.statuses] == ["sent", "delivered", "read"]
    assert all(s.recipient_id == "16505551234" for s in result.statuses)


def test_failed_status_carries_error_code() -> None:
    (status,) = normalize(load("status_failed.json")).statuses
    assert status.status == "failed" and status.errors[0].code == 131047


def test_every_message_of_every_entry_and_change_is_kept() -> None:
    result = normalize(load("multi_entry.json"))
    assert [m.text for m in result.messages] == ["first", "second", "third"]
    assert [m.guest_name for m in result.messages] == ["Sheena Nelson", "Juan Pérez", "Li"]
    assert [m.phone_number_id for m in result.messages] == ["106540352242922", "106540352242922", "206540352242922"]
    assert len(result.statuses) == 1


@pytest.mark.parametrize(
    ("name", "error_type"),
    [
        ("no_entry.json", "missing_entry"),
        ("no_changes.json", "missing_changes"),
        ("no_messages.json", "missing_messages"),
    ],
)
def test_controlled_errors(name: str, error_type: str) -> None:
    with pytest.raises(NormalizationError) as caught:
        normalize(load(name))
    assert caught.value.error_type == error_type


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"entry": "x"}', b"\xff\xfe"])
def test_garbage_is_unexpected(body: bytes) -> None:
    with pytest.raises(NormalizationError) as caught:
        normalize_body(body)
    assert caught.value.error_type in {"unexpected", "missing_entry"}


def test_one_bad_message_among_good_ones_is_skipped_and_reported() -> None:
    payload = load("text.json")
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.append({"type": "text", "text": {"body": "no id, no from"}})
    result = normalize(payload)
    assert len(result.messages) == 1 and result.skipped == ["unexpected"]


def test_events_round_trip_through_the_queue_format() -> None:
    result = normalize(load("multi_entry.json"))
    for event in result.events:
        again = parse_event(event.model_dump_json())
        assert again == event
        assert isinstance(again, InboundMessage | StatusUpdate)

"""`make chat` renders buttons and lists as numbered options and answers a number with the option's id."""

from __future__ import annotations

from scripts.chat import Option, pick, render


def test_buttons_become_numbered_options() -> None:
    payload = {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "¿La confirmo?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "book:yes", "title": "Confirmar"}},
                    {"type": "reply", "reply": {"id": "book:no", "title": "No, gracias"}},
                ]
            },
        },
    }
    text, options = render(payload)
    assert "[1] Confirmar" in text and "[2] No, gracias" in text
    assert pick("1", options) == Option("book:yes", "Confirmar", "button_reply")
    assert pick("3", options) is None and pick("sí", options) is None


def test_list_rows_become_numbered_options_with_descriptions() -> None:
    payload = {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Elige"},
            "action": {
                "button": "Ver habitaciones",
                "sections": [
                    {"title": "Habitaciones", "rows": [{"id": "room:2", "title": "Doble", "description": "360 EUR"}]}
                ],
            },
        },
    }
    text, options = render(payload)
    assert "[1] Doble — 360 EUR" in text
    assert pick("1", options) == Option("room:2", "Doble", "list_reply")


def test_text_has_no_options() -> None:
    assert render({"type": "text", "text": {"body": "hola"}}) == ("hola", [])

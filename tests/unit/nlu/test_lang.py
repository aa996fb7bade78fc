from __future__ import annotations

import pytest

from functions.orchestrator.nlu import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("che, tienen lugar para el finde?", "es"),
        ("qué onda, cuánto sale la habitación?", "es"),
        ("hey u got rooms this wknd?", "en"),
        ("quisiera un late check-out", "es"),
        ("Hola, tienen wifi?", "es"),
        ("is breakfast included?", "en"),
        ("¿a qué hora?", "es"),
        ("thx!!", "en"),
        ("mañana", "es"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["👋", "🙏🙏", "😂", "", "20/12", "12345"])
def test_no_evidence_defaults_to_spanish(text: str) -> None:
    assert detect_language(text) == "es"

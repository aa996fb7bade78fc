"""One catalogue per language, identical keys and placeholders, within Meta's limits."""

from __future__ import annotations

import string

import pytest

from functions.orchestrator import catalogue as cat


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    es, en = cat.CATALOGUES["es"], cat.CATALOGUES["en"]
    assert set(es) == set(en)
    assert {k: placeholders(v) for k, v in es.items()} == {k: placeholders(v) for k, v in en.items()}


@pytest.mark.parametrize("lang", cat.LANGUAGES)
def test_button_and_list_labels_fit_whatsapp(lang: str) -> None:
    assert all(len(cat.text(lang, key)) <= 20 for key in (*cat.BUTTON_KEYS, "list_button"))
    assert len(cat.text(lang, "list_section")) <= 24


def test_dates_and_money_read_naturally() -> None:
    assert cat.day("es", "2025-12-12") == "vie 12 dic 2025"
    assert cat.day("en", "2025-12-12") == "Fri, Dec 12, 2025"
    assert cat.money("es", 1234.5, "EUR") == "1\u2009234,50 EUR"
    assert cat.money("en", 360.0, "USD") == "360 USD"

"""What the guest reads, one catalogue per language (es.py, en.py), with the hotel's name and values.

    text("es", "greeting", name=" Ana", hotel="Hotel Sol de Mayo")

Both catalogues have the same keys and placeholders (a unit test checks it), so a key that exists in one
language exists in the other. Button titles are at most 20 characters and list texts at most 24 (Meta's
limits); the test checks those too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.orchestrator.catalogue import en, es

LANGUAGES = ("es", "en")
CATALOGUES: dict[str, dict[str, str]] = {"es": es.MESSAGES, "en": en.MESSAGES}
MONTHS: dict[str, tuple[str, ...]] = {"es": es.MONTHS, "en": en.MONTHS}
# Keys whose text is a button title or list label (Meta: buttons <= 20, list button <= 20, rows <= 24).
BUTTON_KEYS = ("btn_confirm", "btn_change", "btn_abort", "btn_human", "btn_retry", "btn_cancel_yes", "btn_keep")
LIST_KEYS = ("list_button", "list_section")


def lang_of(value: str | None) -> str:
    return value if value in CATALOGUES else "es"


def text(lang: str, key: str, **values: Any) -> str:
    return CATALOGUES[lang_of(lang)][key].format(**values)


def day(lang: str, iso: str) -> str:
    """A date as the guest reads it: "vie 12 dic 2025" / "Fri, Dec 12, 2025"."""
    value = date.fromisoformat(iso)
    lang = lang_of(lang)
    weekday = CATALOGUES[lang]["weekdays"].split()[value.weekday()]
    month = MONTHS[lang][value.month - 1]
    return CATALOGUES[lang]["date_format"].format(weekday=weekday, day=value.day, month=month, year=value.year)


def money(lang: str, amount: float, currency: str) -> str:
    whole = f"{amount:,.2f}".removesuffix(".00")
    if lang_of(lang) == "es":
        whole = whole.replace(",", "\u2009").replace(".", ",")
    return f"{whole} {currency}".strip()

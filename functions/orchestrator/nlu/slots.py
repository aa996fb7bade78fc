"""Slots other than dates: booking_ref, guests and room_type. All functions take the date-normalized
text (accent-free, abbreviations expanded) and return the value plus the span they consumed, so that a
booking number is never read as a guest count.

room_type: with the hotel's room type names (from the PMS) the message is fuzzy-matched against the
distinctive words of each name ("Deluxe Rooms" -> "deluxe"), across languages through the generic
synonyms ("doble" matches "Double Room"), and the PMS name is returned verbatim. Without names, or when
no name matches unambiguously, a canonical generic is returned: single, double, twin, triple, family,
suite, deluxe, standard, superior, executive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from functions.orchestrator.nlu.dates import NUMBER_WORDS
from functions.orchestrator.nlu.text import strip_accents

GENERIC_ROOMS: dict[str, tuple[str, ...]] = {
    "single": ("individual", "simple", "single", "sencilla", "sencillo"),
    "double": ("doble", "double", "matrimonial", "dbl"),
    "twin": ("twin", "dos camas", "2 camas", "camas separadas", "two beds", "2 beds", "twin beds"),
    "triple": ("triple", "triples"),
    "family": ("familiar", "family", "cuadruple", "quadruple", "familiares"),
    "suite": ("suite", "suites", "suit", "junior suite", "presidencial", "presidential"),
    "deluxe": ("deluxe", "de lujo", "lujo", "luxury", "delux", "dlx"),
    "standard": ("estandar", "standard", "std", "clasica", "classic", "basica", "basic"),
    "superior": ("superior",),
    "executive": ("ejecutiva", "executive", "ejecutivo"),
}
ROOM_WORDS = frozenset(word for names in GENERIC_ROOMS.values() for name in names for word in name.split())
_SYNONYM = {name: canon for canon, names in GENERIC_ROOMS.items() for name in names}
_GENERIC_RE = re.compile(r"\b(" + "|".join(sorted(_SYNONYM, key=len, reverse=True)) + r")\b")
_FILLER = frozenset(
    "room rooms habitacion habitaciones cuarto cuartos the de la el las los with con y and a an of".split()
)

_N = r"(\d{1,2}|" + "|".join(k for k in NUMBER_WORDS if len(k) > 1) + r")"
# Counts of two or more: "una persona" is too often "hablar con una persona" to mean a guest count.
_N2 = r"(\d{1,2}|" + "|".join(k for k, v in NUMBER_WORDS.items() if v > 1) + r")"
_KIDS = r"(?:ninos?|ninas?|nenes?|chicos?|kids?|children|child|menores|bebes?|babies|baby|infants?|hijos?|hijas?)"
_ADULTS = r"(?:adultos?|adults?|grown ?ups|mayores)"
_GUEST_PATTERNS = [
    re.compile(rf"\b{_N} {_ADULTS}(?:\s*(?:,|y|and|\+|con|with|mas|plus)\s*{_N} {_KIDS})?"),
    re.compile(
        rf"\b{_N2} (?:personas?|persons?|people|pax|huespedes|guests?|pers|viajeros|travell?ers|of us|"
        rf"de nosotros)\b"
    ),
    re.compile(
        rf"\b(?:somos|seriamos|seremos|vamos|we are|we re|were|there are|there will be|party of|family of|"
        rf"group of|grupo de|familia de|para|for|x) (?:un total de |a total of )?{_N2}\b"
        rf"(?! ?(?:noches?|nights?|dias?|days?|horas?|hours?|am|pm|hs|de \w+|/|:|semanas?|weeks?|estrellas|"
        rf"stars|euros?|dolares|usd|eur|mxn|\$|%))"
    ),
]
_ONLY_KIDS = re.compile(rf"\b{_N2} {_KIDS}\b")
_COMPANION = (
    r"(?:esposa|esposo|marido|mujer|pareja|novia|novio|wife|husband|partner|girlfriend|boyfriend|fiance\w*|"
    r"prometid[oa]|hermana|hermano|sister|brother|amiga|amigo|friend|mama|papa|madre|padre|mom|dad|mother|"
    r"father|hija|hijo|son|daughter)"
)
_WITH_COMPANION = re.compile(
    rf"\b(?:con|with|y|and|para|for) (?:mi|my) {_COMPANION}\b|\b(?:mi|my) {_COMPANION} (?:y|and) (?:yo|i|me)\b|"
    rf"\b(?:me|yo) (?:y|and) (?:mi|my) {_COMPANION}\b"
)
# Words the typo corrector must leave alone ("wife" is not a misspelt "wifi").
SLOT_WORDS = frozenset(re.findall(r"[a-z]{4,}", _COMPANION + _KIDS + _ADULTS)) | {"party", "group", "total"}
_PLURAL_KIDS = re.compile(rf"\b(?:mis|my|our|nuestros) {_N} {_KIDS}")
_COUPLE = re.compile(r"\b(?:una pareja|en pareja|a couple|as a couple|mi pareja y yo)\b(?! of)")
_ALONE = re.compile(
    r"\b(?:solo yo|solo para mi|just me|only me|just myself|just one person|para una persona|for one person|"
    r"for one|yo solo|yo sola|viajo solo|viajo sola|travell?ing alone|travell?ing solo|una sola persona)\b"
)

_REF_HASH = re.compile(r"#\s*(?P<ref>[a-z0-9][a-z0-9-]{1,19})\b")
_REF_STRONG = re.compile(
    r"\b(?:order|pedido|orden|ref|referencia|reference|localizador|confirmation|confirmacion|codigo|code|"
    r"booking id|reservation id|id)\s*(?:number|numero|no\.?|#|:|es|is|de reserva)?\s*(?:es |is |la |el )?:?\s*"
    r"(?P<ref>[a-z0-9-]*\d[a-z0-9-]*)\b"
)
_REF_WEAK = re.compile(
    r"\b(?:reservas?|reservation|booking|reserve|numero)\s*(?:number|numero|no\.?|#|:)?\s*(?:es |is |la |el )?"
    r"(?:numero |number )?(?P<ref>[a-z]*\d[a-z0-9-]*)\b"
)
_REF_BARE = re.compile(
    r"\b(?P<ref>(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])(?![0-3]?\d(?:st|nd|rd|th|am|pm|hs|h|ro|do)\b)[a-z0-9]{5,12}|"
    r"\d{5,9})\b"
)


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else NUMBER_WORDS[raw]


def extract_booking_ref(text: str) -> tuple[str | None, tuple[int, int] | None]:
    for pattern, min_len in ((_REF_HASH, 2), (_REF_STRONG, 2), (_REF_WEAK, 4), (_REF_BARE, 5)):
        for match in pattern.finditer(text):
            ref = match["ref"].strip("-")
            if (len(ref) >= min_len and any(ch.isdigit() for ch in ref)) or (pattern is _REF_HASH and len(ref) >= 4):
                return ref.upper(), match.span("ref")
    return None, None


def extract_guests(text: str) -> int | None:
    for index, pattern in enumerate(_GUEST_PATTERNS):
        match = pattern.search(text)
        if match is None:
            continue
        count = _number(match.group(1))
        if index == 0 and match.lastindex and match.lastindex >= 2 and match.group(2):
            count += _number(match.group(2))
        if 1 <= count <= 30:
            return count
    if _WITH_COMPANION.search(text):
        kids = _PLURAL_KIDS.search(text)
        return 2 + (_number(kids.group(1)) if kids else 0)
    kids_only = _ONLY_KIDS.search(text)
    if kids_only:
        return _number(kids_only.group(1))
    if _COUPLE.search(text):
        return 2
    if _ALONE.search(text):
        return 1
    return None


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    from rapidfuzz.distance import DamerauLevenshtein  # late, as in text.Corrector

    return DamerauLevenshtein.distance(a, b) <= (1 if len(a) < 8 else 2)


def _canon(word: str) -> str:
    return _SYNONYM.get(word, word)


def extract_room_type(text: str, room_types: Sequence[str]) -> str | None:
    words = [w for w in re.findall(r"[a-z]+", text) if len(w) >= 3]
    canon_words = {_canon(w) for w in words}
    best: list[tuple[float, float, str]] = []
    for name in room_types:
        distinctive = [w for w in re.findall(r"[a-z]+", strip_accents(name)) if w not in _FILLER]
        if not distinctive:
            continue
        # A word of the name in the message counts fully; only a synonym of it ("doble" for "Double")
        # counts less, so that "deluxe" prefers "Deluxe Rooms" over "Luxury Rooms".
        matched = sum(
            1.0 if any(_similar(token, w) for w in words) else 0.75 if _canon(token) in canon_words else 0.0
            for token in distinctive
        )
        if matched:
            best.append((matched / len(distinctive), matched, name))
    if best:
        best.sort(key=lambda item: (item[0], item[1]), reverse=True)
        top = best[0]
        tied = [item for item in best if item[:2] == top[:2]]
        if top[0] >= 0.5 and len(tied) == 1:
            return top[2]
    generic = _GENERIC_RE.search(text)
    return _SYNONYM[generic.group(1)] if generic else None

"""Text normalization shared by every NLU step.

Guest messages arrive with accents or without, with emoji, chat abbreviations ("xq", "tmrw"), stretched
letters ("holaaa") and typos. Everything downstream works on one canonical form: lowercase, accents
stripped, emoji turned into words where they carry meaning, abbreviations expanded, multi-word terms
glued ("check in" -> "checkin"), and out-of-vocabulary tokens snapped to the nearest lexicon word with
rapidfuzz (Damerau-Levenshtein, at most one edit for short words, two for long ones).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Emoji that carry an intent or a topic; the rest are dropped. Words are neutral enough not to sway
# language detection, which runs on the text before this substitution.
_EMOJI_WORDS = {
    "👋": " hola ",
    "🙏": " gracias ",
    "🐶": " mascota ",
    "🐕": " mascota ",
    "🐈": " mascota ",
    "🐱": " mascota ",
    "🐾": " mascota ",
    "🅿": " parking ",
    "🚗": " parking ",
    "🏊": " pool ",
    "🍳": " breakfast ",
    "🥐": " breakfast ",
    "📶": " wifi ",
    "🛏": " habitacion ",
    "🛌": " habitacion ",
    "✈": " aeropuerto ",
    "📍": " direccion ",
    "💳": " tarjeta ",
}

# Chat abbreviations, slang spellings and frequent misspellings that are too far from the lexicon word
# for fuzzy matching to be safe.
ABBREVIATIONS = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xk": "porque",
    "x": "por",
    "xa": "para",
    "pa": "para",
    "tb": "tambien",
    "tmb": "tambien",
    "tbn": "tambien",
    "d": "de",
    "dnd": "donde",
    "cdo": "cuando",
    "hab": "habitacion",
    "habs": "habitaciones",
    "habit": "habitacion",
    "xfa": "porfa",
    "porfis": "porfa",
    "plis": "please",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
    "tnx": "thanks",
    "tks": "thanks",
    "ty": "thanks",
    "tysm": "thanks",
    "u": "you",
    "r": "are",
    "ur": "your",
    "wknd": "weekend",
    "wkend": "weekend",
    "wkd": "weekend",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "tmw": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "2nite": "tonight",
    "tonite": "tonight",
    "nite": "night",
    "nites": "nights",
    "ppl": "people",
    "hrs": "hours",
    "hr": "hour",
    "hs": "horas",
    "wanna": "want to",
    "gonna": "going to",
    "kinda": "kind of",
    "nro": "numero",
    "num": "numero",
    "tel": "telefono",
    "cel": "celular",
    "grax": "gracias",
    "grcs": "gracias",
    "grs": "gracias",
    "grasias": "gracias",
    "grax.": "gracias",
    "bnas": "buenas",
    "bno": "bueno",
    "slds": "saludos",
    "xau": "chau",
    "kiero": "quiero",
    "kieres": "quieres",
    "cansela": "cancela",
    "canselar": "cancelar",
    "cancle": "cancel",
    "reserba": "reserva",
    "reserbar": "reservar",
    "bok": "book",
    "reservacion": "reserva",
    "reservaciones": "reservas",
    "cuartos": "habitaciones",
    "cuarto": "habitacion",
    "recamara": "habitacion",
    "dispo": "disponibilidad",
    "avail": "available",
    "fds": "finde",
    "im": "i am",
    "whats": "what is",
    "wheres": "where is",
    "hows": "how is",
    "thats": "that is",
    "its": "it is",
    "cant": "can not",
    "wont": "will not",
    "dont": "do not",
    "doesnt": "does not",
    "ill": "i will",
    "id": "i would",
}

# Glue multi-word terms into one token so that lexicon patterns and fuzzy matching see one word.
_GLUE = [
    (re.compile(r"\bcheck\s*-?\s*ins?\b"), "checkin"),
    (re.compile(r"\bcheck\s*-?\s*outs?\b"), "checkout"),
    (re.compile(r"\bwi\s*-?\s*fi\b"), "wifi"),
    (re.compile(r"\bfin(?:es)? de semana(?: largo)?\b"), "finde"),
    (re.compile(r"\bweek\s*-?\s*ends?\b"), "weekend"),
    (re.compile(r"\bmercado\s*pago\b"), "mercadopago"),
    (re.compile(r"\bpet\s*-?\s*friendly\b"), "petfriendly"),
    (re.compile(r"\bpasado\s+manana\b"), "pasadomanana"),
    (re.compile(r"\bday after (?:tomorrow|tmrw)\b"), "pasadomanana"),
    (re.compile(r"\broom\s*-?\s*service\b"), "roomservice"),
    (re.compile(r"\b(i|you|we|they|he|she|it)'ll\b"), r"\1 will"),
    (re.compile(r"\b(you|we|they)'re\b"), r"\1 are"),
    (re.compile(r"\b(i|you|we|they)'ve\b"), r"\1 have"),
    (re.compile(r"\b(\w+)'(s|re|ll|d|m|ve|t)\b"), r"\1\2"),
]

_REPEATS = re.compile(r"([a-z])\1{2,}")
_TOKEN = re.compile(r"[a-z]+|\d+(?:st|nd|rd|th|ro|do|vo|mo|er)?|#")
_DROP = re.compile(r"[^a-z0-9#/:.,?!+\-\s']")


def strip_accents(text: str) -> str:
    """Lowercase and remove combining marks (ñ becomes n: "manana" must equal "mañana" typed on a phone
    without the Spanish layout)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def basic(text: str) -> str:
    """Accent-free lowercase text with emoji words, stretched letters collapsed and terms glued; no
    abbreviation expansion or fuzzy correction (used for language detection and slot regexes)."""
    for emoji, word in _EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, word)
    out = strip_accents(text).replace("’", "'").replace("´", "'")
    out = _DROP.sub(" ", out)
    out = _REPEATS.sub(r"\1\1", out)
    for pattern, repl in _GLUE:
        out = pattern.sub(repl, out)
    return re.sub(r"\s+", " ", out).strip()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


class Corrector:
    """Snaps unknown tokens to the nearest vocabulary word; results cached per token because guests
    repeat the same words across messages."""

    def __init__(self, vocabulary: Iterable[str], protected: Iterable[str]) -> None:
        self._vocab = sorted({w for w in vocabulary if len(w) >= 4})
        self._known = frozenset(self._vocab) | frozenset(protected)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _correct(self, token: str) -> str:
        if token in self._known or len(token) < 4 or not token.isalpha():
            return token
        squeezed = re.sub(r"([a-z])\1+", r"\1", token)
        if squeezed in self._known:
            return squeezed
        # Late: a message whose words are all known (most greetings and short answers) never loads rapidfuzz.
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        max_edits = 1 if len(token) < 8 else 2
        best = process.extractOne(token, self._vocab, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits)
        if best is None:
            return token
        word = best[0]
        # One edit is a lot for a short word: demand the same first letter too ("looking" is not "booking").
        if len(token) < 8 and word[0] != token[0]:
            return token
        return str(word)


def canonical(text: str, corrector: Corrector) -> str:
    """The form intent patterns run on: basic() plus abbreviation expansion and fuzzy correction."""
    words = []
    for tok in re.findall(r"[a-z0-9#]+|[?!]", basic(text)):
        expanded = ABBREVIATIONS.get(tok, tok)
        if expanded != tok:
            words.append(expanded)
        else:
            words.append(corrector.correct(tok))
    return " ".join(words)

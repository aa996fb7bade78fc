"""Stay dates from a guest message: check_in / check_out as dates in the hotel's calendar.

A small grammar covers what guests actually write and where dateparser is either wrong or silent:
ranges sharing one month ("del 12 al 15 de diciembre", "Dec 27-30"), day-only dates and corrections
("mejor del 13", "the 13th") resolved against the dialog's current dates, "mañana" versus "la mañana"
(the morning), weekends, weekdays, "in 3 days". dateparser (imported lazily, only when a month or weekday
word is left unexplained) is the fallback for the long tail of absolute dates.

Choices, documented because a guest could mean either:
- "este finde" / "this weekend" is Friday -> Sunday (two nights). On Saturday it is Saturday -> Sunday,
  on Sunday it is the coming Friday -> Sunday.
- "next weekend" / "el próximo finde" / "el finde que viene" is the coming weekend from Monday to
  Thursday, and the weekend after the current one from Friday to Sunday.
- A weekday ("el viernes", "next friday") is its next occurrence after today; "este viernes" /
  "this friday" said on a Friday is today.
- A date without a year that is already past rolls to next year; a day without a month that is past
  rolls to next month.
- Numeric dates are day/month (the hotel's convention) unless the second number cannot be a month
  ("12/20" is December 20).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MONTHS = {
    "enero": 1, "ene": 1, "january": 1, "jan": 1,
    "febrero": 2, "feb": 2, "february": 2,
    "marzo": 3, "mar": 3, "march": 3,
    "abril": 4, "abr": 4, "april": 4, "apr": 4,
    "mayo": 5, "may": 5,
    "junio": 6, "jun": 6, "june": 6,
    "julio": 7, "jul": 7, "july": 7,
    "agosto": 8, "ago": 8, "august": 8, "aug": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "september": 9,
    "octubre": 10, "oct": 10, "october": 10,
    "noviembre": 11, "nov": 11, "november": 11,
    "diciembre": 12, "dic": 12, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "fri": 4,
}  # fmt: skip
NUMBER_WORDS = {
    "un": 1, "una": 1, "uno": 1, "a": 1, "an": 1, "one": 1, "dos": 2, "two": 2, "tres": 3, "three": 3,
    "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7,
    "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10, "once": 11, "eleven": 11,
    "doce": 12, "twelve": 12, "catorce": 14, "quince": 15, "fifteen": 15,
}  # fmt: skip

_MON = r"(?P<{name}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th|ro|do|vo|mo|er|°|º)?(?!\d)"
_NUMW = r"(?P<n>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_WD = r"(?P<wd>" + "|".join(WEEKDAYS) + r")"
_FROM = r"(?:del? |from (?:the )?|desde (?:el )?|entre (?:el )?|between (?:the )?|el |the |para el |for the )"
_TO = r"\s*(?:-|al|a|to|till|until|through|thru|hasta(?: el)?|y(?: el)?|and(?: the)?)\s*(?:el |the )?"
_NOT_A_DAY = (
    r"(?!\s*(?:noches?|nights?|nts|personas?|people|adult\w*|huesped\w*|guests?|pax|horas?|hours?|hs|h\b|am|pm|"
    r":|[.:]\d|ninos?|kids?|children|of us|de nosotros|de la (?:manana|tarde|noche)|in the (?:morning|evening)|"
    r"dias|days|semanas?|weeks?|estrellas|stars|euros?|dolares|usd|eur|mxn|\$|%))"
)


def _p(source: str) -> re.Pattern[str]:
    return re.compile(source)


_ISO = _p(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_NUMERIC = _p(r"\b(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?\b(?![/.-]?\d)")
_RANGE_MONTH = _p(
    rf"\b{_FROM}?{_DAY.format(name='d1')}{_TO}{_DAY.format(name='d2')}\s*(?:de |of )?{_MON.format(name='m')}"
    rf"(?:,?\s*(?:de |del )?(?P<y>\d{{4}}))?"
)
_MONTH_RANGE = _p(
    rf"\b{_MON.format(name='m')}\s*(?:the )?{_DAY.format(name='d1')}{_TO}{_DAY.format(name='d2')}"
    rf"(?!\s*(?:de |of )?(?:{'|'.join(MONTHS)})\b)"
)
_DAY_MONTH = _p(
    rf"\b(?:el |the )?{_DAY.format(name='d')}\s*(?:de |of |del mes de )?{_MON.format(name='m')}"
    rf"(?:,?\s*(?:de |del )?(?P<y>\d{{4}}))?"
)
_MONTH_DAY = _p(rf"\b{_MON.format(name='m')}\s*(?:the )?{_DAY.format(name='d')}(?:,?\s*(?P<y>\d{{4}}))?")
_WEEKDAY_DAY = _p(rf"\b{_WD}\s+{_DAY.format(name='d')}\b")
_DAY_RANGE = _p(rf"\b{_FROM}{_DAY.format(name='d1')}{_TO}{_DAY.format(name='d2')}\b{_NOT_A_DAY}")
_WEEKEND = _p(
    r"\b(?P<next>(?:el |este |the )?(?:proximo|next|siguiente|otro|following) )?(?:este |this |el |the |para el |"
    r"for the |on the )?(?:finde|weekend)(?P<next2> (?:que viene|proximo|siguiente))?\b"
)
_WEEKDAY = _p(rf"\b(?P<mod>(?:el |este |this |next |on |el proximo |proximo |coming |this coming )?){_WD}"
              rf"(?P<next> que viene| proximo)?\b")
_IN_N = _p(rf"\b(?:en|dentro de|in|within) {_NUMW} (?P<unit>dias?|days?|semanas?|weeks?)\b")
_RELATIVE = _p(
    r"\b(?P<w>pasadomanana|(?<!la )(?<!esta )(?<!por )(?<!de )manana|tomorrow|hoy|today|tonight|"
    r"esta noche|this evening)\b"
)
_ORDINAL = _p(r"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s*(?:floor|piso|time))")
_SINGLE_DAY = _p(
    rf"\b(?:el dia|el|del|desde el|hasta el|al|the|on the|from the|until the|till the|to the|dia|day|for the|"
    rf"para el|on)\s+{_DAY.format(name='d')}\b{_NOT_A_DAY}"
)
_NIGHTS = _p(rf"\b(?:por |for )?{_NUMW} (?:noches?|nights?|nts|nites?)\b")

_END_MARKER = re.compile(
    r"(?:\bal|\bhasta|\buntil|\btill|\bto|\bsalida|\bcheckout|\bnos vamos|\bme voy|\bleav\w*|\bdepart\w*|"
    r"\bsalimos|\bthrough|\bthru|\bsalgo|\bsalir)(?: (?:el|on|the|on the|dia))?\s*$"
)
_DATEISH = re.compile(r"\b(?:" + "|".join(list(MONTHS) + list(WEEKDAYS)) + r")\b")
_ROLE_WINDOW = 24
_DATE_FOLLOWS = re.compile(r"[\s,]*(?:the )?(?:\d|(?:" + "|".join(MONTHS) + r")\b)")


@dataclass
class Mention:
    start: int
    end: int
    role: str | None  # "in", "out" or None (decided by position and order)
    day: int | None = None
    month: int | None = None
    year: int | None = None
    value: dt.date | None = None


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _roll_year(month: int, day: int, today: dt.date) -> dt.date | None:
    value = _valid(today.year, month, day)
    if value is None and month == 2 and day == 29:
        value = _valid(today.year + 1, month, day)
    if value is not None and value < today:
        value = _valid(today.year + 1, month, day)
    return value


def _add_month(value: dt.date, day: int) -> dt.date | None:
    year, month = (value.year + 1, 1) if value.month == 12 else (value.year, value.month + 1)
    return _valid(year, month, day)


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    year = int(raw)
    return year + 2000 if year < 100 else year


def _weekend(today: dt.date, following: bool) -> tuple[dt.date, dt.date]:
    weekday = today.weekday()
    if weekday == 5:
        start = today
    elif weekday == 6:
        start = today + dt.timedelta(days=5)
    else:
        start = today + dt.timedelta(days=4 - weekday)
    if following and weekday in (4, 5):
        start = today + dt.timedelta(days=4 - weekday + 7)
    return start, start + dt.timedelta(days=6 - start.weekday())


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else NUMBER_WORDS[raw]


class _Scanner:
    """Finds mentions left to right, blanking each span so that a weaker pattern cannot reuse it."""

    def __init__(self, text: str, today: dt.date, lang: str) -> None:
        self.text = text
        self.work = text
        self.today = today
        self.lang = lang
        self.mentions: list[Mention] = []

    def _take(self, match: re.Match[str]) -> None:
        start, end = match.span()
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]

    def _role(self, start: int, own: str) -> str | None:
        before = self.text[max(0, start - _ROLE_WINDOW) : start] + " " + own.split(" ")[0]
        before = before.strip()
        if _END_MARKER.search(before) or own.startswith(("al ", "hasta", "until", "till", "to ")):
            return "out"
        return None

    def scan(self) -> list[Mention]:
        self._absolute()
        self._relative()
        self._day_only()
        self.mentions.sort(key=lambda m: m.start)
        return self.mentions

    def _absolute(self) -> None:
        for match in list(_ISO.finditer(self.work)):
            value = _valid(int(match["y"]), int(match["m"]), int(match["d"]))
            if value:
                self._take(match)
                self.mentions.append(Mention(match.start(), match.end(), self._role(match.start(), ""), value=value))
        for match in list(_RANGE_MONTH.finditer(self.work)) + list(_MONTH_RANGE.finditer(self.work)):
            if not self.work[match.start() : match.end()].strip():
                continue
            self._range_in_month(match)
        for match in list(_NUMERIC.finditer(self.work)):
            a, b = int(match["a"]), int(match["b"])
            day, month = (a, b) if b <= 12 else (b, a)
            if month > 12 or day < 1 or day > 31:
                continue
            self._take(match)
            self.mentions.append(
                Mention(match.start(), match.end(), self._role(match.start(), match.group()), day, month,
                        _year(match["y"]))
            )
        for pattern in (_DAY_MONTH, _MONTH_DAY):
            for match in list(pattern.finditer(self.work)):
                if not self.work[match.start() : match.end()].strip():
                    continue
                self._take(match)
                self.mentions.append(
                    Mention(match.start(), match.end(), self._role(match.start(), match.group()), int(match["d"]),
                            MONTHS[match["m"]], _year(match["y"]))
                )

    def _range_in_month(self, match: re.Match[str]) -> None:
        month, year = MONTHS[match["m"]], _year(match.groupdict().get("y"))
        d1, d2 = int(match["d1"]), int(match["d2"])
        self._take(match)
        end_mention = Mention(match.start() + 1, match.end(), "out", d2, month, year)
        first_month, first_year = month, year
        if d1 >= d2:  # "del 28 al 3 de enero": the stay starts the month before
            first_month = 12 if month == 1 else month - 1
            if year and month == 1:
                first_year = year - 1
        self.mentions.append(Mention(match.start(), match.end(), "in", d1, first_month, first_year))
        self.mentions.append(end_mention)

    def _relative(self) -> None:
        today = self.today
        for match in list(_WEEKEND.finditer(self.work)):
            following = bool(match["next"] or match["next2"])
            friday, sunday = _weekend(today, following)
            self._take(match)
            self.mentions.append(Mention(match.start(), match.end(), "in", value=friday))
            self.mentions.append(Mention(match.start() + 1, match.end(), "out", value=sunday))
        for match in list(_WEEKDAY_DAY.finditer(self.work)):
            self._take(match)
            self.mentions.append(Mention(match.start(), match.end(), self._role(match.start(), ""), int(match["d"])))
        for match in list(_WEEKDAY.finditer(self.work)):
            if _DATE_FOLLOWS.match(self.text, match.end()):
                self._take(match)  # "el sábado 14 de junio": the date says it, the weekday only names it
                continue
            target = WEEKDAYS[match["wd"]]
            ahead = (target - today.weekday()) % 7
            if ahead == 0 and match["mod"].strip() not in ("este", "this"):
                ahead = 7
            self._take(match)
            self.mentions.append(
                Mention(match.start(), match.end(), self._role(match.start(), match.group()),
                        value=today + dt.timedelta(days=ahead))
            )
        for match in list(_IN_N.finditer(self.work)):
            days = _number(match["n"]) * (7 if match["unit"].startswith(("sem", "week")) else 1)
            self._take(match)
            self.mentions.append(Mention(match.start(), match.end(), None, value=today + dt.timedelta(days=days)))
        for match in list(_RELATIVE.finditer(self.work)):
            word = match["w"]
            offset = 2 if word == "pasadomanana" else 1 if word in ("manana", "tomorrow") else 0
            self._take(match)
            self.mentions.append(
                Mention(match.start(), match.end(), self._role(match.start(), ""),
                        value=today + dt.timedelta(days=offset))
            )

    def _day_only(self) -> None:
        for match in list(_DAY_RANGE.finditer(self.work)):
            self._take(match)
            self.mentions.append(Mention(match.start(), match.end(), "in", int(match["d1"])))
            self.mentions.append(Mention(match.start() + 1, match.end(), "out", int(match["d2"])))
        for pattern in (_SINGLE_DAY, _ORDINAL):
            for match in list(pattern.finditer(self.work)):
                day = int(match["d"])
                if not 1 <= day <= 31:
                    continue
                self._take(match)
                self.mentions.append(
                    Mention(match.start(), match.end(), self._role(match.start(), match.group()), day)
                )


def _fallback(text: str, today: dt.date, lang: str) -> list[Mention]:
    """dateparser for absolute dates the grammar does not know; imported here so that messages without a
    month or weekday word never pay for it."""
    import dateparser.search  # lazy on purpose: cold start

    settings: Any = {
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month"],
    }
    found = dateparser.search.search_dates(text, languages=[lang], settings=settings) or []
    mentions = []
    for phrase, value in found:
        if not _DATEISH.search(phrase):
            continue
        start = text.find(phrase)
        mentions.append(Mention(start, start + len(phrase), None, value=value.date()))
    return mentions


def _context_date(context: Mapping[str, Any] | None, key: str) -> dt.date | None:
    raw = (context or {}).get(key)
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            return None
    return None


def _resolve(mention: Mention, today: dt.date, anchor: dt.date | None) -> dt.date | None:
    if mention.value is not None:
        return mention.value
    assert mention.day is not None
    if mention.month is not None:
        if mention.year is not None:
            return _valid(mention.year, mention.month, mention.day)
        return _roll_year(mention.month, mention.day, today)
    # Day only: the month of the anchor (the dialog's dates or the start of this stay), else this month.
    if anchor is not None:
        value = _valid(anchor.year, anchor.month, mention.day)
        if value is not None and (value >= today or anchor < today):
            return value
    value = _valid(today.year, today.month, mention.day)
    if value is None or value < today:
        return _add_month(today, mention.day)
    return value


def extract_dates(
    text: str, *, today: dt.date, lang: str, context: Mapping[str, Any] | None = None
) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """Return ({"check_in"?, "check_out"?} as ISO strings, spans consumed) for a basic()-normalized text."""
    scanner = _Scanner(text, today, lang)
    mentions = scanner.scan()
    if not mentions and _DATEISH.search(scanner.work):
        mentions = _fallback(scanner.work, today, lang)
    ctx_in, ctx_out = _context_date(context, "check_in"), _context_date(context, "check_out")
    nights_match = _NIGHTS.search(scanner.work)
    nights = _number(nights_match["n"]) if nights_match else None

    check_in: dt.date | None = None
    check_out: dt.date | None = None
    ins = [m for m in mentions if m.role != "out"]
    outs = [m for m in mentions if m.role == "out"]
    if ins:
        check_in = _resolve(ins[0], today, ctx_in or ctx_out)
    if outs:
        check_out = _resolve(outs[0], today, check_in or ctx_in or ctx_out)
        if check_out and check_out.day == outs[0].day and outs[0].month is None and outs[0].value is None:
            base = check_in or ctx_in
            if base is not None and check_out <= base:
                check_out = _add_month(base, outs[0].day)
    elif len(ins) > 1 and check_in is not None:
        second = _resolve(ins[1], today, check_in)
        if second is not None and second < check_in and ins[1].month is None:
            second = _add_month(check_in, ins[1].day or 0)
        if second is not None and second != check_in:
            check_in, check_out = min(check_in, second), max(check_in, second)
    if check_in is None and check_out is None and nights and ctx_in is not None and nights_match:
        # "mejor 3 noches": a new length for the stay the dialog already has.
        return {"check_out": (ctx_in + dt.timedelta(days=nights)).isoformat()}, [nights_match.span()]
    if check_in is not None and nights and (check_out is None or not outs):
        check_out = check_in + dt.timedelta(days=nights)
    slots: dict[str, str] = {}
    if check_in is not None:
        slots["check_in"] = check_in.isoformat()
    if check_out is not None and (check_in is None or check_out > check_in):
        slots["check_out"] = check_out.isoformat()
    spans = [(m.start, m.end) for m in mentions]
    if nights_match:
        spans.append(nights_match.span())
    return slots, spans

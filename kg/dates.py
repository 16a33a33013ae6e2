"""Dates: parse what the text says, resolve it against the article's own date.

A date is produced only when the text fixes it: "September 3" needs a known year,
"on Monday" needs a known publication day, "last week" never yields a day. When
nothing fixes it the answer is None; a guess is never stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from .resources import load_yaml

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_M = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
MONTH_DAY = re.compile(
    rf"\b{_M}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
    rf"|\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?(?:,?\s+(?P<year2>(?:19|20)\d\d)\b)?",
    re.IGNORECASE)
ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
RELATIVE = re.compile(r"\b(?:(?P<mod>last|this|next|on|earlier on|late on)\s+)?(?P<wd>"
                      + "|".join(WEEKDAYS) + r")\b|\b(?P<rel>yesterday|today|tomorrow)\b",
                      re.IGNORECASE)
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_FUTURE = re.compile(r"\b(will|would|shall|plan(?:s|ned)?|scheduled|expected|deadline|"
                     r"is to|are to|due to|next|upcoming|set to)\b", re.IGNORECASE)
_PUBLISHED_LINE = re.compile(r"^(published|updated|posted|last updated)\b", re.IGNORECASE)
NUMERIC = re.compile(r"\b(\d{1,2})([./])(\d{1,2})\2((?:19|20)\d\d)\b")
_WEEKDAY_LEAD = re.compile(r"^(?:(?P<wd>" + "|".join(WEEKDAYS) + r"),?\s+)?", re.IGNORECASE)


def parse_date(value: object) -> date | None:
    """A date from metadata: ISO dates and datetimes, or a written full date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    m = ISO.search(text)
    if m:
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = NUMERIC.search(text)
    if m:  # 06.10.2020 is day-first; 10/06/2020 month-first unless the first part > 12
        a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        day_first = sep == "." or a > 12
        return _safe(year, b, a) if day_first else _safe(year, a, b)
    m = MONTH_DAY.search(text)
    if m:
        month, day, year = _parts(m)
        if year:
            return _safe(year, month, day)
    return None


def dateline(line: str, year: int | None) -> date | None:
    """The date a page's dateline gives ("23 September 2020 | Updated ...",
    "Tuesday 29 September", "06.10.2020, 17:42"): a line that starts with a date.
    Without a year, a weekday picks the year near ``year`` that fits."""
    lead = _WEEKDAY_LEAD.match(line)
    rest = line[lead.end():]
    m = ISO.match(rest) or NUMERIC.match(rest) or MONTH_DAY.match(rest)
    if not m:
        return None
    if m.re is not MONTH_DAY:
        return parse_date(m.group(0))
    month, day, y = _parts(m)
    if y:
        return _safe(y, month, day)
    if year and lead.group("wd"):
        want = WEEKDAYS.index(lead.group("wd").lower())
        for cand_year in (year, year - 1, year + 1):
            cand = _safe(cand_year, month, day)
            if cand and cand.weekday() == want:
                return cand
    return None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parts(m: re.Match[str]) -> tuple[int, int, int | None]:
    if m.group("month"):
        month, day, year = m.group("month"), m.group("day"), m.group("year")
    else:
        month, day, year = m.group("month2"), m.group("day2"), m.group("year2")
    return MONTHS[month.lower().rstrip(".")], int(day), int(year) if year else None


@dataclass(frozen=True)
class Anchor:
    """A well-known dated event from the gazetteer ("August 9" + election = 2020)."""

    name: str
    type: str
    day: date
    wikidata: str | None = None


@lru_cache(maxsize=None)
def anchors(mappings_dir: str | None = None) -> tuple[Anchor, ...]:
    data = load_yaml("gazetteer.yaml", mappings_dir) or {}
    return tuple(Anchor(a["name"], a["type"], parse_date(a["date"]), a.get("wikidata"))
                 for a in data.get("events", []))


_ANCHOR_CONTEXT = 60  # characters around a yearless date to look for an anchor's type


def anchor_for(month: int, day: int, context: str, mappings_dir: str | None = None,
               triggers: dict[str, re.Pattern[str]] | None = None) -> Anchor | None:
    """The known event of that month and day whose type the nearby words name."""
    from .lexicon import lexicon

    pats = triggers or lexicon(mappings_dir).event_patterns
    for a in anchors(mappings_dir):
        if a.day.month == month and a.day.day == day and pats[a.type].search(context):
            return a
    return None


@dataclass(frozen=True)
class Publication:
    date: date | None
    source: str | None  # "page" (a dated line of the page) or "text" (inferred)
    year: int | None


def find_publication(text: str, header_lines: tuple[str, ...] = ()) -> Publication:
    """The publication date a page supports: a dated "Published" line, else the
    latest day the text reports as past, with the year the text (or a known event
    it names) gives; else nothing."""
    for line in header_lines:
        if _PUBLISHED_LINE.match(line):
            d = parse_date(line)
            if d:
                return Publication(d, "page", d.year)
    full = [(m, _parts(m)) for m in MONTH_DAY.finditer(text)]
    for line in header_lines:
        d = dateline(line, _text_year(text, full))
        if d:
            return Publication(d, "page", d.year)
    year = _text_year(text, full)
    if year is None:
        return Publication(None, None, None)
    best: date | None = None
    for m, (mo, d, y) in full:
        start = text.rfind(".", 0, m.start()) + 1
        end = text.find(".", m.end())
        if _FUTURE.search(text[start: end if end > 0 else len(text)]):
            continue
        cand = _safe(y or year, mo, d)
        if cand and cand.year == year and (best is None or cand > best):
            best = cand
    return Publication(best, "text" if best else None, year)


def _text_year(text: str, full: list) -> int | None:
    """The year the text supports: the latest written with a date, else the year of
    a known event it names by day ("the August 9 vote")."""
    years = [y for _, (_, _, y) in full if y]
    if years:
        return max(years)
    for m, (mo, d, _) in full:
        a = anchor_for(mo, d, text[max(0, m.start() - _ANCHOR_CONTEXT): m.end() + _ANCHOR_CONTEXT])
        if a:
            return a.day.year
    return None


@dataclass(frozen=True)
class DateResolver:
    """Resolves date expressions of one article.

    ``published`` is the article's date, ``exact`` whether it is known to the day
    (metadata or a dated line): only then are weekdays and "yesterday" resolved.
    """

    published: date | None
    exact: bool
    year: int | None

    def resolve(self, expr: str, context: str = "") -> date | None:
        m = ISO.search(expr)
        if m:
            return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = MONTH_DAY.search(expr)
        if m:
            month, day, year = _parts(m)
            if year:
                return _safe(year, month, day)
            a = anchor_for(month, day, context) if context else None
            if a:
                return a.day
            if self.published and self.exact:
                # the nearest such day to publication: late-December news in January
                cands = [_safe(self.published.year + k, month, day) for k in (-1, 0, 1)]
                cands = [c for c in cands if c]
                return min(cands, key=lambda c: abs((c - self.published).days), default=None)
            return _safe(self.year, month, day) if self.year else None
        m = RELATIVE.search(expr)
        if m and self.published and self.exact:
            if m.group("rel"):
                return self.published + timedelta(
                    days={"yesterday": -1, "today": 0, "tomorrow": 1}[m.group("rel").lower()])
            mod = (m.group("mod") or "on").lower()
            target = WEEKDAYS.index(m.group("wd").lower())
            delta = (self.published.weekday() - target) % 7
            if mod == "next" or _FUTURE.search(context):
                return self.published + timedelta(days=(target - self.published.weekday()) % 7 or 7)
            if mod == "last" and delta == 0:
                delta = 7
            return self.published - timedelta(days=delta)
        return None

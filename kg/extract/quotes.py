"""Quotation spans in cleaned text, including quotes that run over paragraphs.

News style continues a quote into the next paragraph by opening it again without
closing the first; straight and curly marks are often mixed. A span is the text
between the marks (character offsets, end exclusive).
"""
from __future__ import annotations

from dataclasses import dataclass

OPENERS = "“„«"
CLOSERS = "”»"
STRAIGHT = '"'


@dataclass(frozen=True)
class Quote:
    start: int  # first character inside the marks
    end: int  # the closing mark (exclusive end of the content)

    def words(self, text: str) -> int:
        return len(text[self.start:self.end].split())


def _opens(text: str, i: int) -> bool:
    ch = text[i]
    if ch in OPENERS:
        return True
    if ch != STRAIGHT:
        return False
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-/") and not after.isspace()


def _closes(text: str, i: int) -> bool:
    ch = text[i]
    if ch in CLOSERS:
        return True
    if ch != STRAIGHT:
        return False
    before = text[i - 1] if i else " "
    return not before.isspace()


def find_quotes(text: str) -> list[Quote]:
    quotes: list[Quote] = []
    start: int | None = None
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n" and start is not None and text.startswith("\n\n", i):
            # paragraph end inside a quote: it continues only if the next one reopens
            j = i
            while j < n and text[j].isspace():
                j += 1
            if not (j < n and _opens(text, j)):
                quotes.append(Quote(start, i))
                start = None
            else:
                i = j  # skip the reopening mark
        elif start is None and _opens(text, i):
            start = i + 1
        elif start is not None and _closes(text, i):
            quotes.append(Quote(start, i))
            start = None
        i += 1
    if start is not None:
        quotes.append(Quote(start, n))
    return quotes

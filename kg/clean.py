"""Page text -> article content: strip the furniture a scraped page carries.

The rules are general conventions of news pages (furniture lines, footers, reader
prompts, repeated captions, breadcrumbs, headlines without sentence punctuation),
read from ``mappings/boilerplate.yaml`` so that users can adapt them to new sites.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .resources import load_yaml

_SENTENCE_END = re.compile(r"""[.!?…:;]["'”’»)\]]*$|["”’»]$""")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


@dataclass(frozen=True)
class CleanPage:
    """What cleaning found on a page."""

    title: str | None
    text: str  # content paragraphs joined by blank lines
    footer: str  # the furniture cut from the end, kept for metadata (publisher)
    header_lines: tuple[str, ...]  # non-content lines, kept for metadata (dates)


@dataclass(frozen=True)
class _Rules:
    furniture: re.Pattern[str]
    footer: re.Pattern[str]
    prompts: re.Pattern[str]
    credits: re.Pattern[str]


def _union(patterns: list[str], whole_line: bool) -> re.Pattern[str]:
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(f"^(?:{body})$" if whole_line else body, re.IGNORECASE)


@lru_cache(maxsize=None)
def rules(mappings_dir: str | None = None) -> _Rules:
    data = load_yaml("boilerplate.yaml", mappings_dir)
    return _Rules(
        furniture=_union(data["furniture_lines"], True),
        footer=_union(data["footer_markers"], True),
        prompts=_union(data["reader_prompts"], False),
        credits=_union(data["inline_credits"], False),
    )


def _lines(raw: str, credits: re.Pattern[str]) -> list[str]:
    """Normalise white space, drop inline credits, re-join hard-wrapped lines."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    out: list[str] = []
    for line in raw.split("\n"):
        line = credits.sub("", _SPACES.sub(" ", line)).strip()
        if not line:
            out.append("")
            continue
        prev = out[-1] if out else ""
        if prev and not _SENTENCE_END.search(prev) and line[:1].islower():
            out[-1] = prev + " " + line  # a wrapped continuation, not a new paragraph
        else:
            out.append(line)
    return [line for line in out if line]


def is_sentence_line(line: str) -> bool:
    """Content paragraphs end like sentences; headlines, menus and widgets do not."""
    return bool(_SENTENCE_END.search(line)) and not line.endswith(":") and len(line.split()) >= 4


_MENU = re.compile(r"\s[|▾›»]\s|\s{3,}")
_WORD = re.compile(r"[^\W\d_]{3,}")
_BANNER = re.compile(r"^(breaking|live|alert|update|watch|video|exclusive|opinion)\b\s*[:—–-]", re.I)


def _headline_like(line: str) -> bool:
    """A headline: several words, no menu separators, not a sentence or a label."""
    return len(line.split()) >= 4 and not _MENU.search(line) and not is_sentence_line(line) \
        and not line.endswith(":") and not _BANNER.match(line)


def _overlap(line: str, lead: str) -> float:
    words = {w.casefold() for w in _WORD.findall(line)}
    return sum(1 for w in words if w in lead) / len(words) if words else 0.0


def clean_page(raw: str, mappings_dir: str | None = None) -> CleanPage:
    """Split raw page text into title, content and furniture."""
    r = rules(mappings_dir)
    # rows laid out with wide gaps ("Home   World   Europe") are menus; _lines collapses
    # the gaps, so they are noted here (_MENU's \s{3,} never matches a collapsed line)
    gapped = {_SPACES.sub(" ", ln).strip() for ln in raw.splitlines() if _MENU.search(ln.strip())}
    lines = _lines(raw, r.credits)
    # a breadcrumb trail ends with the headline that follows it
    crumbs = {i for i, ln in enumerate(lines)
              if i + 1 < len(lines) and len(ln) > len(lines[i + 1])
              and ln.endswith(lines[i + 1]) and not is_sentence_line(ln)}
    crumbed = {lines[i + 1] for i in crumbs}
    lines = [ln for i, ln in enumerate(lines) if i not in crumbs]

    content_idx = [i for i, ln in enumerate(lines)
                   if is_sentence_line(ln) and not r.furniture.match(ln)]
    is_content = set(content_idx)
    # the footer starts at a marker in the last part of the page
    cut = len(lines)
    if content_idx:
        first = content_idx[0]
        for i in range(first + 1, len(lines)):
            if r.footer.match(lines[i]) and i >= first + (len(lines) - first) * 0.5:
                cut = i
                break
    head = [ln for ln in lines[: content_idx[0] if content_idx else len(lines)]
            if not r.furniture.match(ln) and not r.prompts.search(ln) and _headline_like(ln)
            and ln not in gapped]
    lead = " ".join(lines[i] for i in content_idx[:4]).casefold()
    # the headline is the first candidate that speaks of what the article says;
    # menus, banners and video titles share few of its words
    # (a headline a breadcrumb trail ended with is the headline whatever its words)
    title = next((ln for ln in head if ln in crumbed), None) or next(
        (ln for ln in head if _overlap(ln, lead) >= 0.34), head[0] if head else None)

    seen: set[str] = set()
    paragraphs: list[str] = []
    header: list[str] = []
    for i, ln in enumerate(lines[:cut]):
        if i not in is_content or r.prompts.search(ln):
            header.append(ln)
            continue
        key = ln.casefold()
        if key in seen:  # a caption repeated under its photo
            continue
        seen.add(key)
        paragraphs.append(ln)
    paragraphs = [p for p in paragraphs if p]
    return CleanPage(title=title, text="\n\n".join(paragraphs),
                     footer="\n".join(lines[cut:]), header_lines=tuple(header))

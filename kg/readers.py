"""Files -> :class:`~kg.records.Article` records.

Reads raw page text (``.txt``), HTML pages (``.html``/``.htm``, main text and
metadata by trafilatura) and JSON Lines (``.jsonl``: one article per line with
``text`` and optional ``title``, ``url``, ``published``, ``id``), from files or
folders. Reading is lazy: articles stream one at a time, whatever the corpus size.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .clean import clean_page
from .dates import find_publication, parse_date

SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
_PUBLISHER_SUFFIX = re.compile(r"\s*(?::|\||[-–—]\s)\s*([A-Z][\w&.' ]{1,40})$")
_ABOUT = re.compile(r"^([A-Z][\w/&.'’ ]{1,60}?)(?:['’]s [\w ]{1,30})? is (?:one of |an? |the )")
_COPYRIGHT = re.compile(r"(?:©|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*([A-Z][\w/&.' ]{1,60})",
                        re.IGNORECASE)


class ReadError(Exception):
    """A file that cannot be read as an article; the message names file and reason."""


@dataclass(frozen=True)
class Problem:
    source: str
    reason: str


def iter_files(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted) into readable article files."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                if sub.is_file() and sub.suffix.lower() in SUFFIXES and not sub.name.startswith("."):
                    yield sub
        elif path.is_file():
            yield path
        else:
            raise ReadError(f"{path}: no such file or folder")


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ReadError(f"{path}: binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ReadError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None


def _publisher(title: str | None, footer: str) -> str | None:
    """The publisher, only where the page names it: an about-us blurb, a copyright
    line, or an agency named after the headline ("...: Reuters")."""
    for line in footer.splitlines():
        line = line.strip(" •·")
        m = _COPYRIGHT.search(line) or _ABOUT.match(line)
        if m:  # "Baltic Wire Service. All rights reserved" -> "Baltic Wire Service"
            name = re.split(r"\.\s|,\s|\s(?:19|20)\d\d\b|\s+all rights", m.group(1), flags=re.I)[0]
            return name.strip(" .")
    if title:
        m = _PUBLISHER_SUFFIX.search(title)
        if m and len(m.group(1).split()) <= 3:
            return m.group(1).strip()
    return None


def article_from_text(identifier: str, raw: str, *, title: str | None = None,
                      published: date | None = None, url: str | None = None,
                      publisher: str | None = None, source: str | None = None) -> "Article":
    """Clean raw page text and build the Article; metadata given wins over the text."""
    from .records import Article

    page = clean_page(raw)
    if not page.text.strip():
        raise ReadError(f"{source or identifier}: no article text found")
    found = find_publication(page.text, page.header_lines)
    return Article(
        identifier=identifier,
        text=page.text,
        title=title or page.title,
        published=published or found.date,
        published_source="metadata" if published else found.source,
        # the title given as metadata may carry the agency suffix too ("...: Reuters")
        publisher=publisher or _publisher(title or page.title, page.footer),
        url=url,
        source=source,
        year_hint=published.year if published else found.year,
    )


def read_text(path: Path) -> Iterator["Article"]:
    yield article_from_text(path.name, _decode(path, path.read_bytes()), source=str(path))


def read_html(path: Path) -> Iterator["Article"]:
    import trafilatura

    html = _decode(path, path.read_bytes())
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    if doc is None or not (doc.text or "").strip():
        raise ReadError(f"{path}: no article text found in the HTML")
    yield article_from_text(
        path.name, doc.text, title=doc.title, published=parse_date(doc.date),
        url=doc.url, publisher=doc.sitename, source=str(path))


def read_jsonl(path: Path) -> Iterator["Article"]:
    with open(path, "rb") as fh:
        for lineno, data in enumerate(fh, 1):
            where = f"{path}:{lineno}"
            if not data.strip():
                continue
            try:
                rec = json.loads(_decode(path, data))
            except (json.JSONDecodeError, ReadError) as err:
                yield Problem(where, f"not a JSON object ({err})")  # type: ignore[misc]
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                yield Problem(where, 'no "text" field')  # type: ignore[misc]
                continue
            ident = str(rec.get("id") or f"{path.name}:{lineno}")
            try:
                yield article_from_text(
                    ident, rec["text"], title=rec.get("title"),
                    published=parse_date(rec.get("published")), url=rec.get("url"),
                    publisher=rec.get("publisher"), source=where)
            except ReadError as err:
                yield Problem(where, str(err).split(": ", 1)[-1])  # type: ignore[misc]


READERS = {"text": read_text, "html": read_html, "jsonl": read_jsonl}


def read_articles(inputs: Iterable[str | os.PathLike[str]]) -> Iterator["Article | Problem"]:
    """Every article of the inputs, or a Problem naming the file and the reason.

    A bad file never stops the others: callers report Problems and go on.
    """
    # inputs one at a time: a missing input used to end the whole read, so the good
    # inputs after it were never read
    for item in inputs:
        try:
            files = list(iter_files([item]))
        except ReadError:
            yield Problem(str(item), "no such file or folder")
            continue
        yield from _read_files(files)


def _read_files(files: list[Path]) -> Iterator["Article | Problem"]:
    for path in files:
        kind = SUFFIXES.get(path.suffix.lower(), "text")
        try:
            yield from READERS[kind](path)
        except ReadError as err:
            yield Problem(str(path), str(err).split(": ", 1)[-1])
        except OSError as err:
            yield Problem(str(path), err.strerror or str(err))

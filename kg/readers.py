"""Files -> :class:`~kg.records.Article` records.

Reads raw page text (``.txt``), HTML pages (``.html``/``.htm``, main text and
metadata by trafilatura) and JSON Lines (``.jsonl``: one article per line with
``text`` and optional ``title``, ``url``, ``published``, ``id``), from files or
folders. Reading is lazy: articles stream one at a time, whatever the corpus size.

Bad input never stops the read: a file (or JSON line) that cannot be an article
becomes a :class:`Problem` naming it and the reason, and reading goes on. What is
read but doubtful (a guessed encoding, a repeated article) is logged as a warning
on the ``kg.readers`` logger. Memory stays bounded: a file or JSON line over
``ReadOptions.max_bytes`` is refused without being read, and an article text over
:data:`MAX_TEXT_CHARS` is refused before the NLP sees it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from .clean import clean_page
from .dates import find_publication, parse_date
from .decoding import DecodeError, declared_charset, decode

log = logging.getLogger(__name__)

SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
_PUBLISHER_SUFFIX = re.compile(r"\s*(?::|\||[-–—]\s)\s*([A-Z][\w&.' ]{1,40})$")
_ABOUT = re.compile(r"^([A-Z][\w/&.'’ ]{1,60}?)(?:['’]s [\w ]{1,30})? is (?:one of |an? |the )")
_COPYRIGHT = re.compile(r"(?:©|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*([A-Z][\w/&.' ]{1,60})",
                        re.IGNORECASE)


# ~30,000 words, longer than any news article: a longer text is a mis-scraped site or
# book, and the parser's time and memory grow faster than the text
MAX_TEXT_CHARS = 200_000
MB = 2**20


class ReadError(Exception):
    """A file that cannot be read as an article; the message names file and reason."""


@dataclass(frozen=True)
class Problem:
    source: str
    reason: str


@dataclass(frozen=True)
class ReadOptions:
    """How files are read: the CLI's ``--max-size`` and ``--encoding``."""

    max_bytes: int = 20 * MB  # one article file, or one JSON line; larger ones are refused
    encoding: str | None = None  # for text that is not UTF-8, instead of detecting one


def too_large(size: int, opts: ReadOptions) -> str:
    return (f"too large ({size / MB:.1f} MB; the limit is {opts.max_bytes / MB:.3g} MB, "
            "raise it with --max-size)")


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
        elif path.exists():
            raise ReadError(f"{path}: not a regular file")
        else:
            raise ReadError(f"{path}: no such file or folder")


def _decode(where: str, data: bytes, opts: ReadOptions, declared: str | None = None) -> str:
    try:
        return decode(data, where, encoding=opts.encoding, declared=declared)
    except DecodeError as err:
        raise ReadError(f"{where}: {err}") from None


def _read_whole(path: Path, opts: ReadOptions) -> bytes:
    """A one-article file's bytes; a file over the limit is refused unread."""
    size = path.stat().st_size
    if size > opts.max_bytes:
        raise ReadError(f"{path}: {too_large(size, opts)}")
    return path.read_bytes()


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
    if len(page.text) > MAX_TEXT_CHARS:
        raise ReadError(f"{source or identifier}: article text too long ({len(page.text):,} "
                        f"characters; the limit is {MAX_TEXT_CHARS:,}): split it into articles")
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


def article_from_html(identifier: str, html: str, *, title: str | None = None,
                      published: date | None = None, url: str | None = None,
                      publisher: str | None = None, source: str | None = None) -> "Article":
    """The main text of an HTML page (never its scripts, styles or navigation) as an
    Article; metadata given wins over the page's."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    if doc is None or not (doc.text or "").strip():
        raise ReadError(f"{source or identifier}: no article text found in the HTML")
    return article_from_text(
        identifier, doc.text, title=title or doc.title, published=published or parse_date(doc.date),
        url=url or doc.url, publisher=publisher or doc.sitename, source=source)


# a page saved as .txt, or a scraper's record holding the page: read it as HTML, or its
# scripts and menus would pass for article text
_HTML = re.compile(r"\s*<(?:!doctype\s+html|html|head|body|article|main|div|p|section|script)\b", re.I)


def article_from_page(identifier: str, raw: str, **meta) -> "Article":
    """An Article from page text or, when it is HTML, from the page's main text."""
    return (article_from_html if _HTML.match(raw) else article_from_text)(identifier, raw, **meta)


def read_text(path: Path, opts: ReadOptions) -> Iterator["Article"]:
    raw = _decode(str(path), _read_whole(path, opts), opts)
    yield article_from_page(path.name, raw, source=str(path))


def read_html(path: Path, opts: ReadOptions) -> Iterator["Article"]:
    data = _read_whole(path, opts)
    html = _decode(str(path), data, opts, declared_charset(data))
    yield article_from_html(path.name, html, source=str(path))


def _lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | int]]:
    """(line number, bytes) per line; a line over ``limit`` bytes comes as its size
    instead, skipped in bounded chunks, never held whole."""
    lineno = 0
    while data := fh.readline(limit + 1):
        lineno += 1
        if len(data) <= limit or data.endswith(b"\n"):
            yield lineno, data
            continue
        size = len(data)
        while (chunk := fh.readline(MB)) and not chunk.endswith(b"\n"):
            size += len(chunk)
        yield lineno, size + len(chunk)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _field(rec: dict, key: str) -> str | None:
    """A string field of a JSON record; lone UTF-16 surrogates ("\\ud83d" alone, from a
    cut emoji) cannot be stored or hashed, so they become U+FFFD."""
    value = rec.get(key)
    if value is None:
        return None
    return _SURROGATE.sub("\ufffd", value if isinstance(value, str) else str(value))


def read_jsonl(path: Path, opts: ReadOptions) -> Iterator["Article"]:
    with open(path, "rb") as fh:
        for lineno, data in _lines(fh, opts.max_bytes):
            where = f"{path}:{lineno}"
            if isinstance(data, int):
                yield Problem(where, too_large(data, opts))  # type: ignore[misc]
                continue
            if not data.strip():
                continue
            try:
                rec = json.loads(_decode(where, data, opts))
            except ReadError as err:
                yield Problem(where, str(err).split(": ", 1)[-1])  # type: ignore[misc]
                continue
            except (json.JSONDecodeError, RecursionError) as err:
                yield Problem(where, f"not a JSON object ({err})")  # type: ignore[misc]
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                yield Problem(where, 'no "text" field')  # type: ignore[misc]
                continue
            try:
                yield article_from_page(
                    _field(rec, "id") or f"{path.name}:{lineno}", _field(rec, "text") or "",
                    title=_field(rec, "title"), published=parse_date(_field(rec, "published")),
                    url=_field(rec, "url"), publisher=_field(rec, "publisher"), source=where)
            except ReadError as err:
                yield Problem(where, str(err).split(": ", 1)[-1])  # type: ignore[misc]


READERS = {"text": read_text, "html": read_html, "jsonl": read_jsonl}


def read_articles(inputs: Iterable[str | os.PathLike[str]],
                  opts: ReadOptions = ReadOptions()) -> Iterator["Article | Problem"]:
    """Every article of the inputs, or a Problem naming the file and the reason.

    A bad file never stops the others: callers report Problems and go on. An article
    whose text was already read (the same file given twice, a saved copy, a syndicated
    story) is skipped with a warning, so that its facts are not counted twice.
    """
    first: dict[bytes, str] = {}  # digest of each text read -> where it was read
    for item in _read_inputs(inputs, opts):
        if isinstance(item, Problem):
            yield item
            continue
        digest = hashlib.blake2b(item.text.encode("utf-8"), digest_size=16).digest()
        where = item.source or item.identifier
        if digest in first:
            log.warning("%s: %s", where, "given more than once; read once" if first[digest] == where
                        else f"same text as {first[digest]}; skipped")
            continue
        first[digest] = where
        yield item


def _read_inputs(inputs: Iterable[str | os.PathLike[str]],
                 opts: ReadOptions) -> Iterator["Article | Problem"]:
    # inputs one at a time: a missing input used to end the whole read, so the good
    # inputs after it were never read
    for item in inputs:
        try:
            files = list(iter_files([item]))
        except ReadError as err:
            yield Problem(str(item), str(err).split(": ", 1)[-1])
            continue
        yield from _read_files(files, opts)


def _read_files(files: list[Path], opts: ReadOptions) -> Iterator["Article | Problem"]:
    for path in files:
        kind = SUFFIXES.get(path.suffix.lower(), "text")
        try:
            yield from READERS[kind](path, opts)
        except ReadError as err:
            yield Problem(str(path), str(err).split(": ", 1)[-1])
        except OSError as err:
            yield Problem(str(path), err.strerror or str(err))
        except Exception as err:  # noqa: BLE001 - a bug met by one file must not end the build
            yield Problem(str(path), f"could not be read ({type(err).__name__}: {err})")

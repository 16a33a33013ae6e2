"""Bytes -> text for article files, whatever encoding the newsroom or scraper used.

UTF-8 is the norm, but archives in this field also hold Windows-1251 (Cyrillic),
Windows-1252 / Latin-1 (Western) and pages cut mid-character. The policy, in order:

1. a byte-order mark names the encoding (UTF-8, UTF-16, UTF-32);
2. NUL bytes or the signature of a known binary format: refused as binary;
3. valid UTF-8 is read as such;
4. an HTML page's declared charset (``<meta charset=...>``) is used when it fits;
5. UTF-8 with a few broken bytes (a scraper cut a character in two) is read with
   U+FFFD in their place, and a warning;
6. the encoding the user named (``--encoding``) is used;
7. otherwise the encoding is detected (charset-normalizer) and used with a warning
   that names it. Single-byte code pages often read a mostly-Latin text equally
   well (a mostly-English text with one accented name); when the best readings
   differ, the one in :data:`PREFERRED` wins (with a warning naming the others), and
   when none of them is preferred the file is refused, with a hint to name the
   encoding, rather than built with wrong letters.
"""
from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

# Tie-breaks between code pages that read a text equally well, most likely first for
# this field: Western, Cyrillic, Central European and Baltic Windows code pages.
PREFERRED = ("cp1252", "cp1251", "cp1250", "cp1257", "koi8_r")

_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = {
    b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive or office document",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document", b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
}
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_MULTIBYTE = re.compile(r"[^\x00-\x7f\ufffd]")  # a character UTF-8 writes in several bytes
_SNIFF = 8192  # bytes looked at for NULs and a declared charset


class DecodeError(ValueError):
    """Bytes that cannot be read as text; the message says why and what to do."""


def declared_charset(html: bytes) -> str | None:
    """The charset an HTML page declares in its head, if Python knows it."""
    m = _DECLARED.search(html[:_SNIFF])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def decode(data: bytes, where: str, *, encoding: str | None = None,
           declared: str | None = None) -> str:
    """The text of ``data`` (read from ``where``, named in warnings), by the policy above."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as err:
                raise DecodeError(f"broken {codec.upper()} text ({err.reason} at byte {err.start})") from None
    for sig, kind in _SIGNATURES.items():
        if data.startswith(sig):
            raise DecodeError(f"binary data ({kind}), not text")
    if b"\x00" in data[:_SNIFF]:
        raise DecodeError("binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and codecs.lookup(declared).name != "utf-8":
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    if broken <= max(2, len(data) // 1000) and _MULTIBYTE.search(text):
        log.warning("%s: %d byte sequence(s) not valid UTF-8, replaced with \ufffd", where, broken)
        return text
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as err:
            raise DecodeError(f"not {encoding} text ({err.reason} at byte {err.start})") from None
    return _detected(data, where)


def _detected(data: bytes, where: str) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise DecodeError("not UTF-8 text, nor any encoding that could be recognised; "
                          "convert it to UTF-8, or name its encoding with --encoding")
    # the best readings: least mess, then most like a language (Hebrew read as Cyrillic
    # is no messier, but reads like no language)
    least = [m for m in matches if m.chaos <= min(m.chaos for m in matches) + 0.005]
    tied = [m for m in least if m.coherence >= max(m.coherence for m in least) - 0.01]
    rank = {codec: i for i, codec in enumerate(PREFERRED)}

    def name(m) -> str:  # the likeliest of the code pages giving this reading
        return min(m.could_be_from_charset, key=lambda c: rank.get(c, len(rank)))

    if len({str(m) for m in tied}) == 1:
        log.warning("%s: not UTF-8; read as %s (detected)", where, name(tied[0]))
        return str(tied[0])
    preferred = [m for m in tied if name(m) in rank]
    if not preferred:
        raise DecodeError(f"not UTF-8, and its encoding is ambiguous ({', '.join(map(name, tied))} "
                          "read it differently); name it with --encoding")
    chosen = min(preferred, key=lambda m: rank[name(m)])
    log.warning("%s: not UTF-8; read as %s (detected; %s would read some letters differently: "
                "check the names, or use --encoding)", where, name(chosen),
                ", ".join(name(m) for m in tied if m is not chosen))
    return str(chosen)

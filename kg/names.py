"""Name normalisation shared by the gazetteer, resolution and IRIs.

``skeleton`` folds transliteration variants of East Slavic names onto one key
(Lukashenko / Lukashenka, Tikhanovskaya / Tsikhanouskaya, Sergey / Sergei), so that
spellings of one person meet in one node without listing every variant.
"""
from __future__ import annotations

import re
import unicodedata

_POSSESSIVE = re.compile(r"[’'`]s?$")
_FOLDS = (("x", "ks"), ("kh", "h"), ("ts", "t"), ("tz", "t"), ("zh", "j"), ("ou", "ov"),
          ("ow", "ov"), ("w", "v"), ("y", "i"), ("j", "i"), ("ph", "f"), ("ck", "k"), ("q", "k"))


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def norm(text: str) -> str:
    """Lower-case, accent-free, punctuation-free; drops a leading "the" and "'s"."""
    text = _POSSESSIVE.sub("", ascii_fold(text).strip().lower())
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def _skeleton_token(tok: str) -> str:
    for a, b in _FOLDS:
        tok = tok.replace(a, b)
    tok = tok[:1] + re.sub(r"[aeiou]", "", tok[1:])
    return re.sub(r"(.)\1+", r"\1", tok)


def skeleton(text: str) -> str:
    """Transliteration-insensitive key of a name."""
    return " ".join(_skeleton_token(t) for t in norm(text).split())


def surname(name: str) -> str:
    parts = norm(name).split()
    return parts[-1] if parts else ""


def slug(text: str) -> str:
    """IRI-safe, stable path segment minted from a name."""
    text = ascii_fold(text).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unnamed"


FEMININE_ENDINGS = ("a", "aya", "ova", "eva", "ina", "kaya", "skaya", "ska")


def guess_gender(name: str) -> str | None:
    """'f' or 'm' from the form of a name, for resolving "she"/"he"; None if unsure."""
    parts = norm(name).split()
    if len(parts) < 2:
        return None
    first, last = parts[0], parts[-1]
    if last.endswith(("aya", "ova", "eva", "ina", "skaya")) or (first.endswith("a") and last.endswith("a")):
        return "f"
    if last.endswith(("ov", "ev", "in", "sky", "ski", "enko", "enka", "ich", "uk")):
        return "m"
    return "f" if first.endswith(("a", "ia", "ya")) and not first.endswith(("ha",)) else None

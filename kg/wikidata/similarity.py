"""How well a name matches an entity's names: shared by reconciliation and ``kg link``.

Names are compared through :func:`kg.names.norm` (case, accents, punctuation) and
:func:`kg.names.skeleton` (transliteration variants such as Lukashenko /
Lukashenka), the same keys the extractor resolves names with, so a name that
would have met an entity during extraction also matches it here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..names import norm, skeleton

#: score of each way a name can match, from 0 (no evidence) to 1 (the same name)
SCORES = {"label": 1.0, "alias": 0.95, "transliteration": 0.9, "words": 0.75}
FUZZY_WEIGHT = 0.7  # a fuzzy match never outranks a word-for-word one


@dataclass(frozen=True)
class NameMatch:
    score: float
    how: str  # label | alias | transliteration | words | fuzzy | none


def keys(name: str) -> set[str]:
    """Index keys of a name: its normalised words and their transliteration skeletons."""
    return set(norm(name).split()) | set(skeleton(name).split())


def match(query: str, label: str, aliases: Iterable[str] = ()) -> NameMatch:
    """The best way ``query`` names an entity called ``label`` (also known as ``aliases``)."""
    q = norm(query)
    if not q:
        return NameMatch(0.0, "none")
    names = [label, *aliases]
    normed = [norm(n) for n in names]
    if q == normed[0]:
        return NameMatch(SCORES["label"], "label")
    if q in normed[1:]:
        return NameMatch(SCORES["alias"], "alias")
    sk = skeleton(query)
    if sk in {skeleton(n) for n in names}:
        return NameMatch(SCORES["transliteration"], "transliteration")
    q_words = set(q.split())
    if any(q_words <= set(n.split()) for n in normed):
        return NameMatch(SCORES["words"], "words")
    best = max(SequenceMatcher(None, sk, skeleton(n)).ratio() for n in names)
    return NameMatch(round(FUZZY_WEIGHT * best, 3), "fuzzy") if best >= 0.6 else NameMatch(0.0, "none")


def best(queries: Iterable[str], label: str, aliases: Iterable[str] = ()) -> NameMatch:
    """The best match of any of several names (an entity's label and aliases) to one entity."""
    aliases = tuple(aliases)
    found = [match(q, label, aliases) for q in queries]
    return max(found, key=lambda m: m.score, default=NameMatch(0.0, "none"))

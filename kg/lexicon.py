"""The trigger lexicon (``mappings/lexicon.yaml``) compiled for matching."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .resources import load_yaml


def _phrase_pattern(words: list[str]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{body})\b", re.IGNORECASE)


@dataclass(frozen=True)
class EventType:
    name: str
    lemmas: frozenset[str]
    phrases: re.Pattern[str]
    words: re.Pattern[str]  # lemmas in their common forms, and phrases: for plain text


@dataclass(frozen=True)
class Lexicon:
    speech_verbs: frozenset[str]
    speech_particles: dict[str, frozenset[str]]
    event_types: tuple[EventType, ...]
    irrealis_heads: frozenset[str]
    release_needs: frozenset[str]
    sanction_lemmas: frozenset[str]
    sanction_phrases: re.Pattern[str]
    status_cues: dict[str, frozenset[str]]
    official_nouns: frozenset[str]
    position_heads: frozenset[str]
    position_words: frozenset[str]
    descriptor_titles: dict[str, tuple[str, ...]]
    locative_preps: frozenset[str]

    @property
    def event_patterns(self) -> dict[str, re.Pattern[str]]:
        return {t.name: t.words for t in self.event_types}


@lru_cache(maxsize=None)
def lexicon(mappings_dir: str | None = None) -> Lexicon:
    data = load_yaml("lexicon.yaml", mappings_dir)
    ev = data["events"]
    sa = data["sanctions"]
    return Lexicon(
        speech_verbs=frozenset(data["speech_verbs"]),
        speech_particles={k: frozenset(v) for k, v in data.get("speech_particles", {}).items()},
        event_types=tuple(
            EventType(name, frozenset(spec.get("lemmas", [])),
                      _phrase_pattern(spec.get("phrases", [])),
                      _phrase_pattern([f"{lem}{suffix}" for lem in spec.get("lemmas", [])
                                       for suffix in ("", "s", "es", "d", "ed", "ing")]
                                      + spec.get("phrases", [])))
            for name, spec in ev.items()),
        irrealis_heads=frozenset(data.get("irrealis_heads", [])),
        release_needs=frozenset(data.get("release_needs", [])),
        sanction_lemmas=frozenset(sa["lemmas"]),
        sanction_phrases=_phrase_pattern(sa.get("phrases", [])),
        status_cues={k: frozenset(sa.get(k, [])) for k in ("planned", "supported", "imposed")},
        official_nouns=frozenset(data.get("official_nouns", [])),
        position_heads=frozenset(data.get("position_heads", [])),
        position_words=frozenset(data.get("position_words", [])),
        descriptor_titles={k: tuple(v) for k, v in data.get("descriptor_titles", {}).items()},
        locative_preps=frozenset(data.get("locative_preps", [])),
    )

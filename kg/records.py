"""Typed records that flow through the pipeline.

text -> :class:`Article` -> :class:`Extraction` (entities and facts) -> RDF.
Each stage takes and returns these plain dataclasses, so a stage can be tested,
replaced or run in another process without knowing the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One article, cleaned: the unit of provenance and of storage (one named graph)."""

    identifier: str  # the file name it was read from, without its folder
    text: str  # cleaned content text; every offset in the graph points into it
    title: str | None = None
    published: date | None = None
    published_source: str | None = None  # "metadata" or "text": how the date was found
    publisher: str | None = None
    url: str | None = None
    source: str | None = None  # path or path:line it was read from, for messages
    year_hint: int | None = None  # a year the text supports, when no full date does

    @property
    def content_hash(self) -> str:
        import hashlib

        return "sha256:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the sentence and its character span in Article.text."""

    sentence: str
    start: int
    end: int
    method: str  # the rule or model that produced the fact, shown by `kg explain`
    confidence: float = 1.0


@dataclass
class Entity:
    """A resolved Person or Government: one node in the graph."""

    kind: str  # "Person" or "Government"
    name: str  # canonical name
    aliases: set[str] = field(default_factory=set)
    wikidata: str | None = None
    part_of: str | None = None  # canonical name of the parent government, for bodies
    positions: list[Position] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.name)


@dataclass(frozen=True)
class Position:
    """A post held by a person, e.g. "Deputy Secretary of State" of the United States."""

    title: str
    government: str | None  # canonical name of the Government


@dataclass
class Statement:
    speakers: list[str]  # canonical names (Person or Government)
    text: str
    kind: str  # "direct" or "indirect"
    evidence: Evidence
    addressees: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    date: date | None = None


@dataclass
class Event:
    type: str  # one of EVENT_TYPES
    trigger: str
    evidence: Evidence
    participants: list[str] = field(default_factory=list)
    date: date | None = None
    place: str | None = None


@dataclass
class Sanction:
    status: str  # imposed | planned | supported
    trigger: str
    evidence: Evidence
    imposers: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    date: date | None = None


@dataclass
class Extraction:
    """Everything read from one article."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    sanctions: list[Sanction] = field(default_factory=list)


EVENT_TYPES = (
    "Election", "Protest", "Strike", "Meeting", "PhoneCall", "Visit", "Interview",
    "Detention", "LegalAction", "Release", "Appointment", "Crackdown", "MilitaryActivity",
)
SANCTION_STATUSES = ("imposed", "planned", "supported")

"""The graph read as Wikidata claims: items, their statements and the articles behind them.

One reading serves both renderings (QuickStatements and the Wikibase-shaped view),
so the two always agree on what the graph says and on what backs it. A claim is
kept only with at least one citable source (an article with a URL or a title):
Wikidata wants every statement referenced, and so does this package.

Where a source comes from:

* P31 (instance of) and P361 (part of): the articles that name the entity
  (``nkg:mentionedIn``).
* P39 (position held): the articles that put the title of the post right before
  the person's name ("Russian President Vladimir Putin") or in an apposition
  after it ("Putin, the Russian president"); an article that merely names the
  person does not back the post, even when the gazetteer knows it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..names import ascii_fold
from ..store import NKG, KGStore
from .mapping import WD, WikidataMapping, load, qid_of

PREFIXES = f"""PREFIX nkg: <{NKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""
LABEL_LIMIT = 250  # Wikidata's longest label, alias or description


@dataclass(frozen=True)
class Source:
    """An article as a reference: what Wikidata's S854/S1476/S577 need."""

    iri: str
    url: str | None
    title: str | None
    published: date | None

    @property
    def citable(self) -> bool:
        return bool(self.url or self.title)


@dataclass(frozen=True)
class Item:
    """A node used as a value: the graph's IRI, with its Wikidata id when known."""

    iri: str
    qid: str | None = None

    @property
    def wikibase_iri(self) -> str:
        return WD + self.qid if self.qid else self.iri


Value = Item | date


@dataclass(frozen=True)
class Claim:
    prop: str
    value: Item
    qualifiers: tuple[tuple[str, Value], ...]
    sources: tuple[Source, ...]


@dataclass
class Subject:
    """A person or government as a Wikidata item (existing when ``qid`` is set)."""

    iri: str
    kind: str  # Person | Government
    label: str
    aliases: tuple[str, ...]
    description: str | None
    qid: str | None
    claims: list[Claim] = field(default_factory=list)


@dataclass
class Entity:
    """A person or government as the store has it, with the articles that name it."""

    kind: str
    label: str
    aliases: set[str] = field(default_factory=set)
    qid: str | None = None
    parent: str | None = None
    positions: list[tuple[str, str, str | None]] = field(default_factory=list)  # (pos, title, gov)
    articles: set[str] = field(default_factory=set)


def read(store: KGStore, mapping: WikidataMapping | None = None) -> list[Subject]:
    """Every person and government of the store as a :class:`Subject` with its sourced claims."""
    wm = mapping or load()
    ents = entities(store)
    sources = _sources(store)
    backing = _position_backing(store, ents)
    limit = int(wm.refs.get("max_per_statement", 3))

    def pick(arts: Iterable[str]) -> tuple[Source, ...]:
        found = [sources[a] for a in set(arts) if a in sources and sources[a].citable]
        found.sort(key=lambda s: (s.published or date.max, s.iri))
        return tuple(found[:limit])

    subjects = []
    for iri, e in sorted(ents.items()):
        subj = Subject(iri, e.kind, e.label, _aliases(e), description(e, ents, wm), e.qid)
        is_body = e.kind == "Government" and e.parent is not None
        cls = wm.instance_of("Person" if e.kind == "Person" else "body" if is_body else "Government")
        found = pick(e.articles)
        if cls and found:
            subj.claims.append(Claim(wm.p31, Item(WD + cls, cls), (), found))
        if e.parent in ents and found:
            parent = ents[e.parent]
            subj.claims.append(Claim(wm.prop("partOf"), Item(e.parent, parent.qid), (), found))
        for pos, title, gov in e.positions:
            backed = pick(backing.get((iri, pos), ()))
            if not backed:
                continue
            qualifiers: list[tuple[str, Value]] = []
            gov_q = wm.qualifier("government")
            if gov and gov_q and gov in ents:
                qualifiers.append((gov_q, Item(gov, ents[gov].qid)))
            date_q = wm.qualifier("date")
            first = next((s.published for s in backed if s.published), None)
            if date_q and first:
                qualifiers.append((date_q, first))
            gov_label = ents[gov].label if gov in ents else None
            subj.claims.append(Claim(wm.prop("holdsPosition"),
                                     Item(pos, wm.position_item(title, gov_label)),
                                     tuple(qualifiers), backed))
        subjects.append(subj)
    return subjects


def entities(store: KGStore) -> dict[str, Entity]:
    """Every person and government of the store, by IRI."""
    ents: dict[str, Entity] = {}
    for r in store.query(PREFIXES + """
        SELECT ?e ?kind ?label ?same ?parent WHERE {
          VALUES ?kind { nkg:Person nkg:Government }
          ?e a ?kind ; rdfs:label ?label .
          OPTIONAL { ?e owl:sameAs ?same }
          OPTIONAL { ?e nkg:partOf ?parent }
        }"""):
        iri = r["e"].value
        e = ents.setdefault(iri, Entity(r["kind"].value[len(NKG):], r["label"].value))
        e.qid = e.qid or qid_of(r["same"].value if r["same"] else None)
        e.parent = e.parent or (r["parent"].value if r["parent"] else None)
    for r in store.query(PREFIXES + "SELECT ?e ?a WHERE { ?e skos:altLabel ?a }"):
        if r["e"].value in ents:
            ents[r["e"].value].aliases.add(r["a"].value)
    for r in store.query(PREFIXES + """
        SELECT DISTINCT ?e ?pos ?title ?gov WHERE {
          ?e nkg:holdsPosition ?pos . ?pos rdfs:label ?title .
          OPTIONAL { ?pos nkg:positionIn ?gov }
        }"""):
        if r["e"].value in ents:
            ents[r["e"].value].positions.append(
                (r["pos"].value, r["title"].value, r["gov"].value if r["gov"] else None))
    for r in store.query(PREFIXES + "SELECT ?e ?art WHERE { GRAPH ?art { ?e nkg:mentionedIn ?art } }"):
        if r["e"].value in ents:
            ents[r["e"].value].articles.add(r["art"].value)
    for e in ents.values():
        e.positions.sort()
    return ents


def _sources(store: KGStore) -> dict[str, Source]:
    out = {}
    for r in store.query(PREFIXES + """
        SELECT ?a ?title ?issued ?url WHERE { GRAPH ?a {
          ?a a nkg:Article .
          OPTIONAL { ?a dcterms:title ?title }
          OPTIONAL { ?a dcterms:issued ?issued }
          OPTIONAL { ?a schema:url ?url }
        } }"""):
        issued = r["issued"].value if r["issued"] else None
        try:
            published = date.fromisoformat(issued) if issued else None
        except ValueError:
            published = None
        out[r["a"].value] = Source(r["a"].value, r["url"].value if r["url"] else None,
                                   r["title"].value if r["title"] else None, published)
    return out


def _position_backing(store: KGStore, ents: dict[str, Entity]) -> dict[tuple[str, str], set[str]]:
    """(person, position) -> articles whose text puts the title next to the person's name.

    Article texts are streamed one at a time, so memory stays flat on big corpora.
    """
    wanted: dict[str, list[str]] = defaultdict(list)  # article -> persons with posts
    for iri, e in ents.items():
        if e.positions:
            for art in e.articles:
                wanted[art].append(iri)
    backing: dict[tuple[str, str], set[str]] = defaultdict(set)
    if not wanted:
        return backing
    for r in store.query(PREFIXES + "SELECT ?a ?c WHERE { GRAPH ?a { ?a a nkg:Article ; nkg:content ?c } }"):
        art = r["a"].value
        if art not in wanted:
            continue
        text = _fold(r["c"].value)
        for person in wanted[art]:
            e = ents[person]
            names = {_fold(n) for n in (e.label, *e.aliases)} - {""}
            for pos, title, _ in e.positions:
                if _near(text, _fold(title), names):
                    backing[(person, pos)].add(art)
    return backing


def _fold(text: str) -> str:
    """Lower case, accents off, whitespace collapsed; punctuation kept (the comma of an apposition matters)."""
    return " ".join(ascii_fold(text).lower().split())


def _near(text: str, title: str, names: set[str]) -> bool:
    """Whether folded ``text`` puts ``title`` right before one of ``names`` ("president
    vladimir putin") or in an apposition after it ("lukashenka, the president of belarus")."""
    if not title:
        return False
    t = re.escape(title)
    for name in names:
        n = re.escape(name)
        if re.search(rf"\b{t}\s+{n}\b", text) or re.search(
                rf"\b{n},\s+(?:the\s+)?(?:[\w.'-]+\s+){{0,3}}?{t}\b", text):
            return True
    return False


def _aliases(e: Entity) -> tuple[str, ...]:
    """The other names worth an alias on Wikidata: full names, not a bare surname or
    a possessive form ("Belarus's KGB"), and no longer than Wikidata allows."""
    keep = []
    for a in sorted(e.aliases):
        if a == e.label or len(a) > LABEL_LIMIT or re.search(r"[’'](s\b|\s|$)", a):
            continue
        if e.kind == "Person" and len(a.split()) < 2:
            continue
        keep.append(a)
    return tuple(keep)


def description(e: Entity, ents: dict[str, Entity], wm: WikidataMapping) -> str:
    if e.kind == "Person":
        for _, title, gov in e.positions:
            if gov in ents:
                return wm.description("position", title=title, government=ents[gov].label)[:LABEL_LIMIT]
            return wm.description("position_no_government", title=title)[:LABEL_LIMIT]
        return wm.description("Person")
    if e.parent in ents:
        return wm.description("body", parent=ents[e.parent].label)[:LABEL_LIMIT]
    return wm.description("Government")

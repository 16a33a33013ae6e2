"""``kg link``: propose Wikidata ids for persons and governments that have none.

Two sources, each proposal with a confidence from 0 to 1 and the reason for it:

* the gazetteer (offline): an entity whose label or alias is a gazetteer entry
  with a checked Wikidata id. 0.98 for the entry's own name, 0.95 for one of its
  aliases, 0.85 for a transliteration variant.
* Wikidata's search API (``wbsearchentities``, when the network allows): each
  candidate scores by name (:mod:`kg.wikidata.similarity`), times a type factor
  (a person must be an instance of human, P31 Q5, read with ``wbgetentities``),
  less when several candidates are equally good, plus a little when its
  description names one of the entity's posts or governments; capped at
  :data:`SEARCH_CAP`, since a search hit is never as sure as a checked id.

Nothing is written unless asked (``--apply``), and then only proposals at or
above the minimum confidence, as ``owl:sameAs`` with ``nkg:linkConfidence`` in
their own named graph (``{base}graph/links``), so they can be reviewed or
dropped as a whole.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyoxigraph import Literal, NamedNode

from .. import gazetteer as gazetteer_mod
from ..names import norm
from ..rdf import mapping as rdf_mapping
from ..store import NKG, KGStore
from .claims import Entity, entities
from .mapping import WD, WikidataMapping, load, qid_of
from .similarity import best

GAZETTEER = {"name": 0.98, "alias": 0.95, "transliteration": 0.85}
SEARCH_CAP = 0.95
WRONG_TYPE = 0.3  # factor for a candidate that is known to be the wrong kind of thing
AMBIGUOUS = 0.75  # factor when several candidates match the name equally well
CONTEXT_BONUS = 0.05
USER_AGENT = "newskg/0.1 (https://w3id.org/newskg; kg link)"

#: a transport takes the API's query parameters and returns its decoded JSON answer
Transport = Callable[[dict[str, str]], dict[str, Any]]


class Offline(Exception):
    """Wikidata's API cannot be reached (no network, timeout, HTTP error)."""


@dataclass(frozen=True)
class Proposal:
    iri: str
    kind: str
    label: str
    qid: str
    confidence: float
    source: str  # gazetteer | wikidata
    reason: str


def http_transport(api: str, timeout: float) -> Transport:
    """GET requests to the MediaWiki API at ``api``; any failure is :class:`Offline`."""
    def get(params: dict[str, str]) -> dict[str, Any]:
        url = api + "?" + urllib.parse.urlencode({**params, "format": "json"})
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.load(resp)
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise Offline(str(err)) from None
    return get


class WikidataSearch:
    """``wbsearchentities`` and the P31 values of the candidates, through a transport."""

    def __init__(self, transport: Transport, language: str = "en", limit: int = 5):
        self.transport = transport
        self.language = language
        self.limit = limit

    def search(self, text: str) -> list[dict[str, Any]]:
        data = self.transport({"action": "wbsearchentities", "search": text, "language": self.language,
                               "uselang": self.language, "type": "item", "limit": str(self.limit)})
        return list(data.get("search") or [])

    def instance_of(self, qids: list[str]) -> dict[str, set[str]]:
        if not qids:
            return {}
        data = self.transport({"action": "wbgetentities", "ids": "|".join(qids), "props": "claims"})
        out: dict[str, set[str]] = {}
        for qid, ent in (data.get("entities") or {}).items():
            values = set()
            for st in (ent.get("claims") or {}).get("P31", []):
                value = ((st.get("mainsnak") or {}).get("datavalue") or {}).get("value") or {}
                if isinstance(value, dict) and value.get("id"):
                    values.add(value["id"])
            out[qid] = values
        return out


def from_gazetteer(iri: str, e: Entity, gaz: gazetteer_mod.Gazetteer) -> Proposal | None:
    """The gazetteer entry with a Wikidata id that one of the entity's names is, if any."""
    found: list[Proposal] = []
    for name in (e.label, *sorted(e.aliases)):
        known = gaz.lookup(name, e.kind)
        if known is None or not known.wikidata:
            continue
        if norm(name) == norm(known.name):
            how = "name"
        elif norm(name) in {norm(a) for a in known.aliases}:
            how = "alias"
        else:
            how = "transliteration"
        found.append(Proposal(iri, e.kind, e.label, known.wikidata, GAZETTEER[how], "gazetteer",
                              f"{name!r} is the gazetteer's {how} of {known.name!r}"))
    return max(found, key=lambda p: p.confidence, default=None)


def from_wikidata(iri: str, e: Entity, client: WikidataSearch, expected: Iterable[str],
                  context: Iterable[str]) -> list[Proposal]:
    """Candidates from Wikidata's search for the entity's label, best first."""
    hits = [h for h in client.search(e.label) if qid_of(h.get("id"))]
    if not hits:
        return []
    expected = set(expected)
    types = client.instance_of([h["id"] for h in hits]) if expected else {}
    names = (e.label, *e.aliases)
    scored = []
    for h in hits:
        cand_names = [h.get("label") or "", *(h.get("aliases") or []),
                      ((h.get("match") or {}).get("text") or "")]
        cand_names = [n for n in cand_names if n]
        if not cand_names:
            continue
        m = best(names, cand_names[0], cand_names[1:])
        factor = 1.0
        if expected and h["id"] in types and not (types[h["id"]] & expected):
            factor = WRONG_TYPE
        scored.append([m.score * factor, h, m.how, factor])
    good = [s for s in scored if s[0] >= 0.9]
    out = []
    for s in scored:
        score, h, how, factor = s
        notes = [f"search hit {h.get('label')!r} ({h.get('description') or 'no description'}), "
                 f"name {how}"]
        if factor < 1:
            notes.append("not of the expected type")
        if len(good) > 1 and s in good:
            score *= AMBIGUOUS
            notes.append(f"{len(good)} candidates as good")
        desc = f" {norm(h.get('description') or '')} "
        if any(norm(c) and f" {norm(c)} " in desc for c in context):
            score += CONTEXT_BONUS
            notes.append("description fits")
        out.append(Proposal(iri, e.kind, e.label, h["id"], round(min(score, SEARCH_CAP), 2),
                            "wikidata", "; ".join(notes)))
    return sorted(out, key=lambda p: -p.confidence)


def propose(store: KGStore, transport: Transport | None = None, online: bool = True,
            mapping: WikidataMapping | None = None,
            on_offline: Callable[[str], None] | None = None) -> list[Proposal]:
    """The best proposal for each unlinked entity (gazetteer first, then Wikidata's search).

    Without a network the search is skipped after the first failure (``on_offline``
    is told why) and the gazetteer's proposals still come back.
    """
    wm = mapping or load()
    cfg = wm.link
    gaz = gazetteer_mod.load()
    ents = entities(store)
    client = None
    if online:
        client = WikidataSearch(transport or http_transport(cfg["api"], float(cfg["timeout"])),
                                wm.language, int(cfg["candidates"]))
    out = []
    for iri, e in sorted(ents.items()):
        if e.qid is not None:
            continue
        found = from_gazetteer(iri, e, gaz)
        if found is None and client is not None:
            context = [t for _, t, _ in e.positions] + [ents[g].label for _, _, g in e.positions if g in ents]
            if e.parent in ents:
                context.append(ents[e.parent].label)
            try:
                hits = from_wikidata(iri, e, client, cfg["expected_types"].get(e.kind, []), context)
            except Offline as err:
                client = None
                if on_offline:
                    on_offline(str(err))
                hits = []
            found = hits[0] if hits else None
        if found is not None:
            out.append(found)
    return out


def apply(store: KGStore, proposals: Iterable[Proposal], min_confidence: float, base: str,
          mapping: WikidataMapping | None = None) -> list[Proposal]:
    """Write ``owl:sameAs`` and ``nkg:linkConfidence`` for the proposals at or above
    ``min_confidence`` into the links graph, in one transaction; the ones written."""
    wm = mapping or load()
    graph = NamedNode(wm.graph("links", rdf_mapping(base).base))
    chosen = [p for p in proposals if p.confidence >= min_confidence and qid_of(p.qid)]
    if not chosen:
        return []
    same = NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    conf = NamedNode(NKG + "linkConfidence")
    decimal = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    parts = [f"DELETE WHERE {{ GRAPH {graph} {{ {NamedNode(p.iri)} ?p ?o }} }} ;" for p in chosen]
    body = " ".join(f"GRAPH {graph} {{ {NamedNode(p.iri)} {same} {NamedNode(WD + p.qid)} . "
                    f"{NamedNode(p.iri)} {conf} {Literal(str(Decimal(str(p.confidence))), datatype=decimal)} }}"
                    for p in chosen)
    store.store.update("\n".join(parts) + f"\nINSERT DATA {{ {body} }}")
    store.flush()
    return chosen


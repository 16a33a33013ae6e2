"""The W3C Reconciliation Service API (version 0.2, as OpenRefine 3.x speaks it) over the graph.

Framework-free: :class:`Index` answers query batches, suggest and preview from
an in-memory index of the store's persons and governments, built once from the
store (a few SPARQL queries), and the Flask blueprint in :mod:`kg.web.reconcile`
only moves JSON. Candidates are found through name keys (normalised words and
their transliteration skeletons), so a query scores only the entities that
share a word with it, however large the graph.

Identifiers are entity IRIs relative to the base IRI ("person/alexander-lukashenko");
types are ``Person`` and ``Government`` (``nkg:Person``, the full class IRI or
the Wikidata class, e.g. ``Q5``, are accepted in queries too).

Scores run from 0 to 100: the name (label, alias, transliteration, words,
fuzzy) gives the base, see :mod:`kg.wikidata.similarity`; properties add
evidence. A matching Wikidata id settles the match, a different one halves the
score; a matching position or government adds :data:`PROPERTY_BONUS`.
"""
from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..names import norm
from ..store import NKG, KGStore
from .claims import description, entities
from .mapping import WD, WikidataMapping, load, qid_of
from .similarity import NameMatch, keys, match

VERSIONS = ["0.2"]
TYPES = {"Person": "person", "Government": "government"}
PROPERTIES = {
    "wikidata": ("Wikidata id", "The entity's Wikidata item (owl:sameAs), e.g. Q7747."),
    "position": ("position held", "A post the person holds (nkg:holdsPosition), e.g. President."),
    "government": ("government", "The government of a post the person holds, or the government a body is part of."),
}
PROPERTY_ALIASES = {"p39": "position", "owl:sameas": "wikidata", "sameas": "wikidata"}
PROPERTY_BONUS = 10
MATCH_SCORE = 90  # a candidate this good, clear of the next by MATCH_MARGIN, is a match
MATCH_MARGIN = 10
DEFAULT_LIMIT = 5
MAX_LIMIT = 50


@dataclass(frozen=True)
class Candidate:
    iri: str
    kind: str
    label: str
    aliases: tuple[str, ...]
    qid: str | None
    description: str
    positions: tuple[str, ...]  # titles
    governments: tuple[str, ...]  # labels of the governments of its posts, or its parent
    government_iris: tuple[str, ...]
    articles: int


class Index:
    """The persons and governments of one store, ready for reconciliation."""

    def __init__(self, store: KGStore, base: str, mapping: WikidataMapping | None = None):
        self.base = base
        self.wm = mapping or load()
        ents = entities(store)
        self.items: dict[str, Candidate] = {}
        self.by_key: dict[str, set[str]] = defaultdict(set)
        for iri, e in ents.items():
            govs = [g for _, _, g in e.positions if g in ents] + ([e.parent] if e.parent in ents else [])
            cand = Candidate(iri, e.kind, e.label, tuple(sorted(e.aliases)), e.qid,
                             description(e, ents, self.wm), tuple(t for _, t, _ in e.positions),
                             tuple(ents[g].label for g in govs), tuple(govs), len(e.articles))
            self.items[iri] = cand
            for name in (e.label, *e.aliases):
                for k in keys(name):
                    self.by_key[k].add(iri)
        self._class_ids = {self._norm_type(k): k for k in TYPES}
        for kind in TYPES:
            for alias in (f"nkg:{kind}", NKG + kind, self.wm.instance_of(kind) or ""):
                if alias:
                    self._class_ids[self._norm_type(alias)] = kind

    # ------------------------------------------------------------------ ids
    def id_of(self, iri: str) -> str:
        return iri[len(self.base):] if iri.startswith(self.base) else iri

    def iri_of(self, ident: str) -> str:
        return ident if "://" in ident else self.base + ident

    @staticmethod
    def _norm_type(t: str) -> str:
        return t.strip().lower()

    def kinds(self, types: Any) -> set[str] | None:
        """The entity kinds a query's ``type`` allows; None when it sets none."""
        if not types:
            return None
        wanted = [types] if isinstance(types, str) else list(types)
        return {self._class_ids.get(self._norm_type(str(t)), "?") for t in wanted}

    # ------------------------------------------------------------------ manifest
    def manifest(self, service_url: str) -> dict[str, Any]:
        return {
            "versions": VERSIONS,
            "name": "newskg persons and governments",
            "identifierSpace": self.base,
            "schemaSpace": NKG,
            "documentation": "https://w3id.org/newskg/ontology",
            "view": {"url": self.base + "{{id}}"},
            "defaultTypes": [{"id": k, "name": v} for k, v in TYPES.items()],
            "preview": {"url": service_url + "/preview?id={{id}}", "width": 400, "height": 140},
            "suggest": {
                "entity": {"service_url": service_url, "service_path": "/suggest/entity"},
                "type": {"service_url": service_url, "service_path": "/suggest/type"},
                "property": {"service_url": service_url, "service_path": "/suggest/property"},
            },
        }

    # ------------------------------------------------------------------ reconcile
    def reconcile(self, queries: dict[str, Any]) -> dict[str, Any]:
        """Answer a batch: ``{"q0": {"query": ..., "type": ..., "limit": ..., "properties": [...]}}``."""
        return {key: {"result": self._one(q)} for key, q in queries.items()}

    def _one(self, q: dict[str, Any]) -> list[dict[str, Any]]:
        text = str(q.get("query") or "")
        kinds = self.kinds(q.get("type"))
        limit = max(1, min(int(q.get("limit") or DEFAULT_LIMIT), MAX_LIMIT))
        props = self._properties(q.get("properties") or [])
        pool = set().union(*(self.by_key.get(k, set()) for k in keys(text))) if text else set()
        if props.get("wikidata"):
            pool |= {iri for iri, c in self.items.items() if c.qid in props["wikidata"]}
        scored = []
        for iri in pool:
            cand = self.items[iri]
            if kinds is not None and cand.kind not in kinds:
                continue
            name = match(text, cand.label, cand.aliases) if text else NameMatch(0.0, "none")
            score, features, settled = self._evidence(cand, name, props)
            if score > 0:
                scored.append((score, settled, cand, features))
        scored.sort(key=lambda s: (-s[0], -s[2].articles, s[2].label))
        out = []
        for i, (score, settled, cand, features) in enumerate(scored[:limit]):
            runner_up = scored[i + 1][0] if i + 1 < len(scored) else 0
            is_match = i == 0 and (settled or (score >= MATCH_SCORE and score - runner_up >= MATCH_MARGIN))
            out.append({"id": self.id_of(cand.iri), "name": cand.label,
                        "description": cand.description, "score": score, "match": is_match,
                        "type": [{"id": cand.kind, "name": TYPES[cand.kind]}],
                        "features": features})
        return out

    def _properties(self, props: list[dict[str, Any]]) -> dict[str, set[str]]:
        """Query properties by kind, values normalised: Q-ids for wikidata, names or IRIs otherwise."""
        out: dict[str, set[str]] = defaultdict(set)
        for p in props:
            pid = str(p.get("pid", "")).strip()
            kind = PROPERTY_ALIASES.get(pid.lower(), pid)
            if kind not in PROPERTIES:
                continue
            values = p.get("v")
            for v in values if isinstance(values, list) else [values]:
                if isinstance(v, dict):  # a value reconciled earlier: {"id": ..., "name": ...}
                    v = v.get("id") or v.get("name") or ""
                v = str(v).strip()
                if kind == "wikidata":
                    if qid := qid_of(v):
                        out[kind].add(qid)
                elif v:
                    out[kind].add(self.iri_of(v) if self.iri_of(v) in self.items else norm(v))
        return out

    def _evidence(self, cand: Candidate, name: NameMatch,
                  props: dict[str, set[str]]) -> tuple[int, list[dict[str, Any]], bool]:
        score = 100 * name.score
        features: list[dict[str, Any]] = [{"id": "name", "value": round(name.score, 3)},
                                          {"id": f"name_{name.how}", "value": True}]
        settled = False
        if wanted := props.get("wikidata"):
            same = cand.qid in wanted
            features.append({"id": "wikidata", "value": same})
            if same:
                score, settled = 100, True
            elif cand.qid:
                score /= 2
        if wanted := props.get("position"):
            hit = bool(wanted & {norm(t) for t in cand.positions})
            features.append({"id": "position", "value": hit})
            score += PROPERTY_BONUS * hit
        if wanted := props.get("government"):
            hit = bool(wanted & ({norm(g) for g in cand.governments} | set(cand.government_iris)))
            features.append({"id": "government", "value": hit})
            score += PROPERTY_BONUS * hit
        return min(100, round(score)), features, settled

    # ------------------------------------------------------------------ suggest
    def suggest_entities(self, prefix: str, types: Any = None, limit: int = 10) -> dict[str, Any]:
        p = norm(prefix)
        kinds = self.kinds(types)
        hits = []
        for cand in self.items.values():
            if kinds is not None and cand.kind not in kinds:
                continue
            names = [norm(n) for n in (cand.label, *cand.aliases)]
            if not p or any(n.startswith(p) or f" {p}" in f" {n}" for n in names):
                hits.append((not names[0].startswith(p), -cand.articles, cand.label, cand))
        hits.sort(key=lambda h: h[:3])
        return {"result": [{"id": self.id_of(c.iri), "name": c.label, "description": c.description,
                            "notable": [{"id": c.kind, "name": TYPES[c.kind]}]}
                           for *_, c in hits[:limit]]}

    @staticmethod
    def suggest_types(prefix: str) -> dict[str, Any]:
        p = norm(prefix)
        return {"result": [{"id": k, "name": v} for k, v in TYPES.items()
                           if not p or k.lower().startswith(p) or v.startswith(p)]}

    @staticmethod
    def suggest_properties(prefix: str) -> dict[str, Any]:
        p = norm(prefix)
        return {"result": [{"id": k, "name": name, "description": desc}
                           for k, (name, desc) in PROPERTIES.items()
                           if not p or k.startswith(p) or norm(name).startswith(p)]}

    # ------------------------------------------------------------------ preview
    def preview(self, ident: str) -> str | None:
        """A small HTML card for OpenRefine's preview pane; None for an unknown id."""
        cand = self.items.get(self.iri_of(ident))
        if cand is None:
            return None
        e = html.escape
        rows = [f"<strong>{e(cand.label)}</strong> <small>({TYPES[cand.kind]})</small>",
                f"<div>{e(cand.description)}</div>"]
        if cand.aliases:
            rows.append(f"<div><small>also: {e(', '.join(cand.aliases[:8]))}</small></div>")
        if cand.qid:
            rows.append(f'<div><a href="{WD}{cand.qid}" target="_blank">Wikidata {cand.qid}</a></div>')
        rows.append(f"<div><small>named in {cand.articles} article(s)</small></div>")
        return ('<!doctype html><html><head><meta charset="utf-8"></head>'
                f'<body style="margin:0;font:13px sans-serif">{"".join(rows)}</body></html>')


"""The graph in the RDF shape of the Wikidata Query Service, so its query patterns run here.

Each claim of :mod:`kg.wikidata.claims` becomes what WDQS serves for a Wikibase
statement::

    <item> wdt:P39 <value> ;                       # the "truthy" shortcut
           p:P39 <statement> .
    <statement> a wikibase:Statement, wikibase:BestRank ;
           wikibase:rank wikibase:NormalRank ;
           ps:P39 <value> ; pq:P642 <government> ; pq:P585 "2020-08-15T00:00:00Z"^^xsd:dateTime ;
           prov:wasDerivedFrom <reference> .
    <reference> a wikibase:Reference ;
           pr:P854 <url> ; pr:P1476 "headline"@en ; pr:P577 ... ; pr:P813 ... .

An entity linked to Wikidata appears under its Wikidata IRI (``wd:Q7747``, with
an English ``rdfs:label``), so a query naming ``wd:`` items works unchanged; an
entity without an id appears under its own IRI, which already has its label.
Values follow the same rule (a post with a known item is ``wd:Q218295``). One
reference node stands for one article, shared by every statement it backs, as
Wikidata shares identical references. The view is materialised into its own
named graph (``kg wikibase``) or written out (``kg export --format wikibase``).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store

from ..rdf import DEFAULT_BASE, mapping as rdf_mapping
from ..store import KGStore
from .claims import Claim, Item, Source, Subject, Value, read
from .mapping import WikidataMapping, load

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def _day(d: date) -> Literal:
    return Literal(f"{d.isoformat()}T00:00:00Z", datatype=XSD_DATETIME)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


class View:
    """Builds the view's quads for one base IRI and mapping."""

    def __init__(self, base: str = DEFAULT_BASE, mapping: WikidataMapping | None = None):
        self.base = rdf_mapping(base).base
        self.wm = mapping or load()
        self.graph_name = NamedNode(self.wm.graph("wikibase", self.base))

    def term(self, prefix: str, local: str) -> NamedNode:
        """``wdt:P39`` and the like, from the namespaces of the mapping."""
        return NamedNode(self.wm.ns[prefix] + local)

    @property
    def prefixes(self) -> dict[str, str]:
        return {**self.wm.ns, "xsd": "http://www.w3.org/2001/XMLSchema#",
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}

    def quads(self, subjects: list[Subject], retrieved: date, graph=None) -> Iterator[Quad]:
        g = graph if graph is not None else DefaultGraph()
        t = self.term
        seen_refs: set[str] = set()
        for subj in subjects:
            item = NamedNode(Item(subj.iri, subj.qid).wikibase_iri)
            yield Quad(item, RDF_TYPE, t("wikibase", "Item"), g)
            if subj.qid:
                yield Quad(item, RDFS_LABEL, Literal(subj.label, language=self.wm.language), g)
            for claim in subj.claims:
                yield from self._claim(item, claim, retrieved, seen_refs, g)

    def _value(self, v: Value):
        return NamedNode(v.wikibase_iri) if isinstance(v, Item) else _day(v)

    def _claim(self, item: NamedNode, claim: Claim, retrieved: date, seen_refs: set[str],
               g) -> Iterator[Quad]:
        t, p = self.term, claim.prop
        value = self._value(claim.value)
        st = NamedNode(f"{self.base}wikibase/statement/" + _digest(
            item.value, p, str(value), *(f"{q}={self._value(v)}" for q, v in claim.qualifiers)))
        yield Quad(item, t("wdt", p), value, g)
        yield Quad(item, t("p", p), st, g)
        yield Quad(st, RDF_TYPE, t("wikibase", "Statement"), g)
        yield Quad(st, RDF_TYPE, t("wikibase", "BestRank"), g)
        yield Quad(st, t("wikibase", "rank"), t("wikibase", "NormalRank"), g)
        yield Quad(st, t("ps", p), value, g)
        for q, v in claim.qualifiers:
            yield Quad(st, t("pq", q), self._value(v), g)
        for src in claim.sources:
            ref = NamedNode(f"{self.base}wikibase/reference/" + _digest(src.iri))
            yield Quad(st, t("prov", "wasDerivedFrom"), ref, g)
            if ref.value not in seen_refs:
                seen_refs.add(ref.value)
                yield from self._reference(ref, src, retrieved, g)

    def _reference(self, ref: NamedNode, src: Source, retrieved: date, g) -> Iterator[Quad]:
        t, refs = self.term, self.wm.refs
        yield Quad(ref, RDF_TYPE, t("wikibase", "Reference"), g)
        if src.url:
            yield Quad(ref, t("pr", refs["url"]), NamedNode(src.url), g)
        if src.title:
            yield Quad(ref, t("pr", refs["title"]), Literal(src.title, language=self.wm.language), g)
        if src.published:
            yield Quad(ref, t("pr", refs["published"]), _day(src.published), g)
        yield Quad(ref, t("pr", refs["retrieved"]), _day(retrieved), g)


def materialise(store: KGStore, retrieved: date, base: str = DEFAULT_BASE,
                mapping: WikidataMapping | None = None) -> int:
    """Replace the view's named graph in ``store`` in one transaction; the number of quads."""
    view = View(base, mapping)
    quads = list(view.quads(read(store, mapping), retrieved, view.graph_name))
    store.replace_article(view.graph_name, quads, [])
    store.flush()
    return len(quads)


def write(out, subjects: list[Subject], retrieved: date, base: str = DEFAULT_BASE,
          mapping: WikidataMapping | None = None) -> None:
    """The view as Turtle on the binary file ``out``."""
    view = View(base, mapping)
    grouped = Store()  # dumping from a store writes each subject's triples together
    grouped.extend(view.quads(subjects, retrieved))
    grouped.dump(out, RdfFormat.TURTLE, from_graph=DefaultGraph(), prefixes=view.prefixes)

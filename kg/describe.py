"""What the graph says about one node: the data behind every dereferenceable IRI.

A description holds the node's own triples (from every graph), the links that point
at it (bounded, so a hub such as a country stays cheap to show), and a summary of each
node at the other end of a link (types, label, evidence sentence and offsets), so that
pages can name their links without one query per link. Two SPARQL queries in all.

The properties it looks for (label, title, evidence, offsets, source article) are read
from ``mappings/rdf.yaml``, so a property changed there is followed here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from .rdf import RDF_TYPE, Mapping
from .resources import ontology_dir
from .store import KGStore

#: most incoming links a description carries; the rest is left to SPARQL
MAX_INCOMING = 500


@dataclass(frozen=True)
class Vocabulary:
    """The properties pages need, as the mapping names them."""

    labels: tuple[NamedNode, ...]
    evidence: NamedNode
    begin: NamedNode
    end: NamedNode
    source: NamedNode
    content: NamedNode
    same_as: tuple[NamedNode, ...]

    @classmethod
    def of(cls, m: Mapping) -> Vocabulary:
        def prop(record: str, path: str) -> NamedNode:
            return next(f.prop for f in m.records[record].fields if f.path == path)

        labels = {prop("Person", "name"), prop("Government", "name"), prop("Position", "title"),
                  prop("Article", "title")}
        same_as = {f.prop for r in m.records.values() for f in r.fields if f.path == "wikidata"}
        return cls(tuple(sorted(labels, key=str)), prop("Provenance", "evidence.sentence"),
                   prop("Provenance", "evidence.start"), prop("Provenance", "evidence.end"),
                   prop("Provenance", "article"), prop("Article", "text"),
                   tuple(sorted(same_as, key=str)))

    def summary_properties(self) -> tuple[NamedNode, ...]:
        return (RDF_TYPE, *self.labels, self.evidence, self.begin, self.end)


@dataclass
class Summary:
    """How a linked node is named on a page: its types, label and evidence."""

    types: list[NamedNode] = field(default_factory=list)
    label: str | None = None
    evidence: str | None = None
    begin: int | None = None
    end: int | None = None


@dataclass
class Description:
    iri: NamedNode
    outgoing: list[Triple]
    incoming: list[Triple]
    #: more links point at the node than ``incoming`` holds
    truncated: bool
    summaries: dict[NamedNode, Summary]
    #: label triples of the linked nodes, so an RDF document names its links too
    labels: list[Triple]

    def values(self, prop: NamedNode) -> list:
        return [t.object for t in self.outgoing if t.predicate == prop]

    def triples(self) -> list[Triple]:
        return [*self.outgoing, *self.incoming, *self.labels]


def holds(store: KGStore, iri: str) -> bool:
    """Whether any triple of the store has ``iri`` as its subject or object."""
    n = str(NamedNode(iri))
    return bool(store.query(f"ASK {{ {{ {n} ?p ?o }} UNION {{ ?s ?p {n} }} }}"))


def describe(store: KGStore, iri: str, vocab: Vocabulary,
             max_incoming: int = MAX_INCOMING) -> Description | None:
    """The description of ``iri``, or None when no triple of the store mentions it.

    Triples held by several graphs (the union default graph is a bag) appear once.
    """
    node = NamedNode(iri)
    n = str(node)
    rows = store.query(f"""SELECT DISTINCT ?s ?p ?o WHERE {{
      {{ {n} ?p ?o BIND({n} AS ?s) }}
      UNION
      {{ {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {n} FILTER(?s != {n}) }}
           ORDER BY ?p ?s LIMIT {max_incoming + 1} }} BIND({n} AS ?o) }}
    }}""")
    outgoing: list[Triple] = []
    incoming: list[Triple] = []
    for r in rows:
        t = Triple(r["s"], r["p"], r["o"])
        (outgoing if r["s"] == node else incoming).append(t)
    if not outgoing and not incoming:
        return None
    truncated = len(incoming) > max_incoming
    incoming = incoming[:max_incoming]
    outgoing.sort(key=lambda t: (str(t.predicate), str(t.object)))
    neighbours = {t.object for t in outgoing if isinstance(t.object, NamedNode)} | {
        t.subject for t in incoming if isinstance(t.subject, NamedNode)}
    neighbours.discard(node)
    summaries, labels = _summaries(store, neighbours, vocab)
    return Description(node, outgoing, incoming, truncated, summaries, labels)


def _summaries(store: KGStore, nodes: set[NamedNode], vocab: Vocabulary
               ) -> tuple[dict[NamedNode, Summary], list[Triple]]:
    summaries = {n: Summary() for n in nodes}
    if not nodes:
        return summaries, []
    values = " ".join(sorted(map(str, nodes)))
    props = " ".join(map(str, vocab.summary_properties()))
    labels: list[Triple] = []
    for r in store.query(f"SELECT DISTINCT ?n ?p ?v WHERE {{ VALUES ?n {{ {values} }} "
                         f"VALUES ?p {{ {props} }} ?n ?p ?v }}"):
        s, p, v = summaries[r["n"]], r["p"], r["v"]
        if p == RDF_TYPE:
            s.types.append(v)
        elif p in vocab.labels:
            s.label = s.label or v.value
            labels.append(Triple(r["n"], p, v))
        elif p == vocab.evidence:
            s.evidence = v.value
        elif p in (vocab.begin, vocab.end) and isinstance(v, Literal) and v.value.isdigit():
            setattr(s, "begin" if p == vocab.begin else "end", int(v.value))
    for s in summaries.values():
        s.types.sort(key=str)
    labels.sort(key=str)
    return summaries, labels


@lru_cache(maxsize=1)
def jsonld_context() -> dict:
    """The project's JSON-LD context (``ontology/context.jsonld``)."""
    with open(ontology_dir() / "context.jsonld", encoding="utf-8") as fh:
        return json.load(fh)["@context"]


def serialize_description(desc: Description, fmt: RdfFormat, prefixes: dict[str, str]) -> bytes:
    """The description as an RDF document; JSON-LD is compacted with the project's context.

    Oxigraph writes JSON-LD in expanded form only, so compaction goes through rdflib,
    which is fine for one node's few hundred triples.
    """
    triples = desc.triples()
    if fmt != RdfFormat.JSON_LD:
        return serialize(triples, format=fmt, prefixes=prefixes)
    from rdflib import Graph

    graph = Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8"),
                          format="nt")
    return graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True,
                           encoding="utf-8")

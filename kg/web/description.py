"""What the endpoint says about itself: a SPARQL 1.1 Service Description and VoID.

The service description answers ``GET /sparql`` without a query (as the Service
Description recommendation asks); the VoID description of the dataset is at
``/.well-known/void`` (the well-known location VoID registers). Both carry real
numbers, counted by Oxigraph through the query engine (so a huge store cannot stall
the server): distinct triples, subjects, objects, properties and classes of the
default graph (the union of all graphs), entities per class, triples per property,
and the size of every named graph. The counts are computed once per state of the
store and kept until the next write.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from pyoxigraph import Literal, NamedNode, Store, Triple, serialize

from .formats import DATASETS, GRAPHS, RESULTS
from .responses import accept, plain
from .settings import Settings

bp = Blueprint("description", __name__)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
NKG = "https://w3id.org/newskg/ontology#"
PREFIXES = {"sd": SD, "void": VOID, "dcterms": DCTERMS, "xsd": XSD, "nkg": NKG,
            "formats": "http://www.w3.org/ns/formats/"}

_DISTINCT = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
COUNTS = {
    "dataset": f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
        (COUNT(DISTINCT ?o) AS ?objects) (COUNT(DISTINCT ?p) AS ?properties) WHERE {_DISTINCT}""",
    "properties": f"""SELECT ?p (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
        (COUNT(DISTINCT ?o) AS ?objects) WHERE {_DISTINCT} GROUP BY ?p""",
    "classes": f"SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE {{ ?s <{RDF}type> ?class }} GROUP BY ?class",
    "graphs": "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph",
}


@dataclass(frozen=True)
class StatsJob:
    """Count the dataset (see the module docstring); runs in a query worker."""
    base_iri: str
    timeout: float | None = None

    def queries(self) -> dict[str, str]:
        entities = f"""SELECT (COUNT(DISTINCT ?s) AS ?entities) WHERE {{ ?s ?p ?o
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), {json.dumps(self.base_iri)})) }}"""
        return {**COUNTS, "entities": entities}

    def run(self, store: Store, out, limits) -> tuple[int, str, str]:
        counts = {}
        for name, sparql in self.queries().items():
            rows = store.query(sparql, use_default_graph_as_union=True)
            names = [v.value for v in rows.variables]
            counts[name] = [{n: _number_or_text(row[n]) for n in names} for row in rows]
        out.write(json.dumps(counts).encode("utf-8"))
        return 200, "application/json", ""


def _number_or_text(term) -> int | str | None:
    if term is None:
        return None
    return int(term.value) if isinstance(term, Literal) and term.datatype.value == XSD + "integer" else term.value


# ---------------------------------------------------------------- the counts, cached
_lock = threading.Lock()


def stats() -> dict:
    """The counts for the store as it is now; computed once per state of the store.

    Raises :class:`RuntimeError` with the engine's message when they cannot be computed.
    """
    engine = current_app.extensions["kg.engine"]
    settings: Settings = current_app.extensions["kg.settings"]
    state = current_app.extensions.setdefault("kg.stats", {})
    key = engine.generation
    with _lock:
        if state.get("key") != key:
            outcome = engine.run(StatsJob(settings.base_iri, settings.stats_timeout))
            if outcome.status != 200:
                raise RuntimeError(outcome.message)
            state.update(key=key, counts=json.loads(outcome.body.body()))
        return state["counts"]


# ---------------------------------------------------------------- descriptions
def _node(iri: str) -> NamedNode:
    return NamedNode(iri)


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


class _Graph(list):
    """Triples being written; parts get fragment IRIs (no blank nodes), so they can be cited."""

    def add(self, s, p: str, o) -> None:
        self.append(Triple(s, NamedNode(p), o))


def dataset_iri(root: str) -> str:
    return root + ".well-known/void#dataset"


def _dataset_core(g: _Graph, root: str, counts: dict) -> NamedNode:
    """The dataset with its graphs, shared by the service description and VoID."""
    ds = _node(dataset_iri(root))
    g.add(ds, RDF + "type", _node(SD + "Dataset"))
    g.add(ds, RDF + "type", _node(VOID + "Dataset"))
    default = _node(root + ".well-known/void#default-graph")
    g.add(ds, SD + "defaultGraph", default)
    g.add(default, RDF + "type", _node(SD + "Graph"))
    g.add(default, VOID + "triples", _int(counts["dataset"][0]["triples"]))
    for i, row in enumerate(sorted(counts["graphs"], key=lambda r: r["graph"])):
        named = _node(f"{root}.well-known/void#graph-{i + 1}")
        graph = _node(f"{root}.well-known/void#graph-{i + 1}-content")
        g.add(ds, SD + "namedGraph", named)
        g.add(named, RDF + "type", _node(SD + "NamedGraph"))
        g.add(named, SD + "name", _node(row["graph"]))
        g.add(named, SD + "graph", graph)
        g.add(graph, RDF + "type", _node(SD + "Graph"))
        g.add(graph, VOID + "triples", _int(row["triples"]))
        g.add(ds, VOID + "subset", graph)
    return ds


def service_description(root: str, settings: Settings, counts: dict) -> list[Triple]:
    g = _Graph()
    service = _node(root + "sparql#service")
    endpoint = _node(root + "sparql")
    g.add(service, RDF + "type", _node(SD + "Service"))
    g.add(service, SD + "endpoint", endpoint)
    g.add(service, SD + "supportedLanguage", _node(SD + "SPARQL11Query"))
    if settings.write_token:
        g.add(service, SD + "supportedLanguage", _node(SD + "SPARQL11Update"))
    g.add(service, SD + "feature", _node(SD + "UnionDefaultGraph"))
    if settings.allow_service:
        g.add(service, SD + "feature", _node(SD + "BasicFederatedQuery"))
    for fmt in (*RESULTS.formats, *GRAPHS.formats):
        g.add(service, SD + "resultFormat", _node(fmt.oxigraph.iri))
    g.add(service, SD + "defaultDataset", _dataset_core(g, root, counts))
    return g


def void_description(root: str, settings: Settings, counts: dict) -> list[Triple]:
    g = _Graph()
    ds = _dataset_core(g, root, counts)
    whole = counts["dataset"][0]
    g.add(ds, DCTERMS + "title", Literal("newskg: a knowledge graph of news articles"))
    g.add(ds, VOID + "sparqlEndpoint", _node(root + "sparql"))
    for fmt in DATASETS.formats:
        g.add(ds, VOID + "dataDump", _node(f"{root}export?format={fmt.extension}"))
    for fmt in (*RESULTS.formats, *GRAPHS.formats):
        g.add(ds, VOID + "feature", _node(fmt.oxigraph.iri))
    g.add(ds, VOID + "uriSpace", Literal(settings.base_iri))
    g.add(ds, VOID + "triples", _int(whole["triples"]))
    g.add(ds, VOID + "distinctSubjects", _int(whole["subjects"]))
    g.add(ds, VOID + "distinctObjects", _int(whole["objects"]))
    g.add(ds, VOID + "properties", _int(whole["properties"]))
    g.add(ds, VOID + "classes", _int(len(counts["classes"])))
    g.add(ds, VOID + "entities", _int(counts["entities"][0]["entities"]))
    vocabularies = set()
    for i, row in enumerate(sorted(counts["classes"], key=lambda r: r["class"])):
        part = _node(f"{root}.well-known/void#class-{i + 1}")
        g.add(ds, VOID + "classPartition", part)
        g.add(part, VOID + "class", _node(row["class"]))
        g.add(part, VOID + "entities", _int(row["entities"]))
        vocabularies.add(_namespace(row["class"]))
    for i, row in enumerate(sorted(counts["properties"], key=lambda r: r["p"])):
        part = _node(f"{root}.well-known/void#property-{i + 1}")
        g.add(ds, VOID + "propertyPartition", part)
        g.add(part, VOID + "property", _node(row["p"]))
        g.add(part, VOID + "triples", _int(row["triples"]))
        g.add(part, VOID + "distinctSubjects", _int(row["subjects"]))
        g.add(part, VOID + "distinctObjects", _int(row["objects"]))
        vocabularies.add(_namespace(row["p"]))
    for vocabulary in sorted(v for v in vocabularies if v):
        g.add(ds, VOID + "vocabulary", _node(vocabulary))
    return g


def _namespace(iri: str) -> str:
    """The namespace of a term: up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1] if cut > iri.find("//") + 1 else ""


def rdf_response(triples: list[Triple]) -> Response:
    """Triples as the client's choice of RDF format (``format=`` or ``Accept``)."""
    fmt = GRAPHS.choose(accept(), request.args.get("format"))
    if fmt is None:
        return plain(406, f"acceptable formats: {GRAPHS.describe()}")
    body = serialize(triples, format=fmt.oxigraph, prefixes=PREFIXES)
    return Response(body, 200, content_type=fmt.content_type, headers={"Vary": "Accept"})


def described(build) -> Response:
    """A description built by ``build(root, settings, counts)``, or 503 if counting failed."""
    try:
        counts = stats()
    except RuntimeError as err:
        return plain(503, f"the dataset statistics could not be computed: {err}")
    return rdf_response(build(request.host_url, current_app.extensions["kg.settings"], counts))


@bp.get("/.well-known/void")
def void():
    return described(void_description)

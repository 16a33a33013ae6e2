"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (pySHACL)."""
from __future__ import annotations

from rdflib import Graph

from .resources import ontology_dir
from .store import KGStore, format_for


def validate(graph_file: str | None = None, store: KGStore | None = None) -> tuple[bool, str]:
    """(conforms, report text) for a graph file or the union graph of a store."""
    import pyshacl

    data = Graph()
    if graph_file:
        data.parse(graph_file, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld",
                                       "trig": "trig", "nq": "nquads"}.get(graph_file.rsplit(".", 1)[-1], "turtle"))
    elif store is not None:
        nt = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(format=format_for("nt"))
        data.parse(data=nt, format="nt")
    shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return bool(conforms), text

"""The SPARQL 1.1 endpoint at ``/sparql``, evaluated and serialised by Oxigraph.

GET and POST queries, results as JSON, XML, CSV or TSV (SELECT/ASK) and RDF
formats (graphs), chosen by ``Accept`` or a ``format`` parameter.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from .context import store

bp = Blueprint("sparql", __name__)

RESULTS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPHS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
SHORT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
         "turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json"}



def _choose(accept: str, options: dict, fmt: str | None) -> str | None:
    if fmt:
        mime = SHORT.get(fmt, fmt)
        return mime if mime in options else None
    best = request.accept_mimetypes.best_match(list(options)) if accept else None
    return best or next(iter(options))


@bp.get("/health")
def health():
    return jsonify(status="ok", quads=len(store()))


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        query = request.get_data(as_text=True)
    else:
        query = request.values.get("query")
    if not query:
        return Response("missing 'query' parameter\n", 400, mimetype="text/plain")
    try:
        result = store().query(query)
    except SyntaxError as err:
        return Response(f"malformed query: {err}\n", 400, mimetype="text/plain")
    fmt = request.values.get("format")
    accept = request.headers.get("Accept", "")
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        mime = _choose(accept, RESULTS, fmt)
        if mime is None:
            return Response("no acceptable result format\n", 406, mimetype="text/plain")
        body = result.serialize(format=RESULTS[mime])
    else:
        mime = _choose(accept, GRAPHS, fmt)
        if mime is None:
            return Response("no acceptable graph format\n", 406, mimetype="text/plain")
        body = result.serialize(format=GRAPHS[mime])
    return Response(body, 200, mimetype=mime, headers={"Access-Control-Allow-Origin": "*"})

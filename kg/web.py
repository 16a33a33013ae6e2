"""The HTTP face of the store: an app factory serving a SPARQL endpoint.

``create_app(store_path=...)`` opens the store read-only; queries are evaluated and
serialised by Oxigraph. This is the first, minimal endpoint: GET and POST queries,
results as JSON, XML, CSV or TSV (SELECT/ASK) and Turtle or N-Triples (graphs),
chosen by ``Accept`` or a ``format`` parameter.
"""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template_string, request
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from .rdf import DEFAULT_BASE
from .store import KGStore

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

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>newskg SPARQL</title></head>
<body><h1>newskg</h1><p>SPARQL endpoint: <code>{{ url }}</code></p>
<form method="get" action="sparql"><textarea name="query" rows="10" cols="90">{{ example }}</textarea>
<input type="hidden" name="format" value="json"><br><button type="submit">Run</button></form></body></html>"""
EXAMPLE = """PREFIX nkg: <https://w3id.org/newskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?speaker (COUNT(?s) AS ?statements) WHERE {
  ?s a nkg:Statement ; nkg:speaker/rdfs:label ?speaker .
} GROUP BY ?speaker ORDER BY DESC(?statements) LIMIT 10"""


def _choose(accept: str, options: dict, fmt: str | None) -> str | None:
    if fmt:
        mime = SHORT.get(fmt, fmt)
        return mime if mime in options else None
    best = request.accept_mimetypes.best_match(list(options)) if accept else None
    return best or next(iter(options))


def create_app(store_path: str | None = None, store: KGStore | None = None,
               base_iri: str = DEFAULT_BASE) -> Flask:
    app = Flask(__name__)
    kg = store or KGStore(store_path, read_only=True)
    app.config["KG_BASE_IRI"] = base_iri

    @app.get("/")
    def index():
        return render_template_string(PAGE, url=request.host_url + "sparql", example=EXAMPLE)

    @app.get("/health")
    def health():
        return jsonify(status="ok", quads=len(kg))

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql():
        if request.method == "POST" and request.mimetype == "application/sparql-query":
            query = request.get_data(as_text=True)
        else:
            query = request.values.get("query")
        if not query:
            return Response("missing 'query' parameter\n", 400, mimetype="text/plain")
        try:
            result = kg.query(query)
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

    return app

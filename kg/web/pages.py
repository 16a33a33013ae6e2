"""Pages for people: the query page at ``/``."""
from __future__ import annotations

from flask import Blueprint, render_template_string, request

bp = Blueprint("pages", __name__)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>newskg SPARQL</title></head>
<body><h1>newskg</h1><p>SPARQL endpoint: <code>{{ url }}</code></p>
<form method="get" action="sparql"><textarea name="query" rows="10" cols="90">{{ example }}</textarea>
<input type="hidden" name="format" value="json"><br><button type="submit">Run</button></form></body></html>"""
EXAMPLE = """PREFIX nkg: <https://w3id.org/newskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?speaker (COUNT(?s) AS ?statements) WHERE {
  ?s a nkg:Statement ; nkg:speaker/rdfs:label ?speaker .
} GROUP BY ?speaker ORDER BY DESC(?statements) LIMIT 10"""


@bp.get("/")
def index():
    return render_template_string(PAGE, url=request.host_url + "sparql", example=EXAMPLE)

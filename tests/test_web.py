"""kg.web: the SPARQL endpoint, through Flask's test client and once over a socket."""
from __future__ import annotations

import csv
import io
import json
import threading

import pytest
from conftest import PREFIXES, sample_files
from rdflib import Graph

from kg.web import create_app

SELECT_IDS = PREFIXES + "SELECT ?id WHERE { ?a a nkg:Article ; dcterms:identifier ?id } ORDER BY ?id"
ASK_STATEMENT = PREFIXES + "ASK { ?s a nkg:Statement ; nkg:speaker ?p }"
ASK_NOTHING = PREFIXES + "ASK { ?s a nkg:NoSuchClass }"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?a dcterms:identifier ?id } WHERE { ?a a nkg:Article ; dcterms:identifier ?id }"
NAMES = [p.name for p in sample_files()]


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(store=sample_store)


@pytest.fixture()
def client(app):
    return app.test_client()


def ids_from_json(resp) -> list[str]:
    data = json.loads(resp.get_data(as_text=True))
    return [b["id"]["value"] for b in data["results"]["bindings"]]


def test_get_select_defaults_to_sparql_json(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS})
    assert resp.status_code == 200
    assert resp.mimetype == "application/sparql-results+json"
    assert ids_from_json(resp) == NAMES
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_csv_by_accept_header(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS}, headers={"Accept": "text/csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["id"] and [r[0] for r in rows[1:]] == NAMES


def test_csv_by_format_parameter(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS, "format": "csv"},
                      headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.get_data(as_text=True).splitlines()[1] == NAMES[0]


def test_post_form(client):
    resp = client.post("/sparql", data={"query": SELECT_IDS})
    assert resp.status_code == 200
    assert ids_from_json(resp) == NAMES


def test_post_sparql_query_body(client):
    resp = client.post("/sparql", data=SELECT_IDS.encode("utf-8"),
                       content_type="application/sparql-query",
                       headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200
    assert ids_from_json(resp) == NAMES


@pytest.mark.parametrize("query,expected", [(ASK_STATEMENT, True), (ASK_NOTHING, False)])
def test_ask_gives_boolean(client, query, expected):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 200
    assert json.loads(resp.get_data(as_text=True))["boolean"] is expected


def test_construct_gives_turtle(client):
    resp = client.get("/sparql", query_string={"query": CONSTRUCT})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    g = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    assert sorted(str(o) for o in g.objects()) == NAMES


def test_construct_as_ntriples_by_accept(client):
    resp = client.get("/sparql", query_string={"query": CONSTRUCT},
                      headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200 and resp.mimetype == "application/n-triples"
    assert len(Graph().parse(data=resp.get_data(as_text=True), format="nt")) == len(NAMES)


def test_malformed_query_is_400_with_message(client):
    resp = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert body.startswith("malformed query")
    assert "Traceback" not in body


@pytest.mark.parametrize("method", ["get", "post"])
def test_missing_query_is_400(client, method):
    resp = getattr(client, method)("/sparql")
    assert resp.status_code == 400
    assert "query" in resp.get_data(as_text=True)


def test_unacceptable_format_is_406(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS, "format": "ttl"})
    assert resp.status_code == 406


def test_health_is_json(client, sample_store):
    resp = client.get("/health")
    assert resp.status_code == 200 and resp.is_json
    assert resp.get_json() == {"status": "ok", "quads": len(sample_store)}


def test_index_is_html_query_page(client):
    resp = client.get("/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    body = resp.get_data(as_text=True)
    assert "<form" in body and "sparql" in body and "SELECT" in body


def test_real_server_with_sparqlwrapper(app):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        sw = SPARQLWrapper(f"http://127.0.0.1:{server.effective_port}/sparql")
        sw.setQuery(SELECT_IDS)
        sw.setReturnFormat(JSON)
        result = sw.query().convert()
        assert [b["id"]["value"] for b in result["results"]["bindings"]] == NAMES
    finally:
        server.close()
        thread.join(timeout=5)

"""`kg serve --inline` (granian processes evaluating in the request thread) and the
WSGI shortcut for plain GET queries that both servers use.

The shortcut must answer exactly as the Flask route does, or send the request on
to it; `--inline` must speak the same protocol as the default server, stay
read-only, and say plainly what it does not do (time limits, writes).
"""
from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import PREFIXES, kg_command, kg_serving, sample_files
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, POST, TURTLE, SPARQLWrapper

from kg.web import create_app

NAMES = [p.name for p in sample_files()]
SELECT_IDS = PREFIXES + "SELECT ?id WHERE { ?a a nkg:Article ; dcterms:identifier ?id } ORDER BY ?id"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?a dcterms:identifier ?id } WHERE { ?a a nkg:Article ; dcterms:identifier ?id }"


# ---------------------------------------------------------------- the shortcut, in-process
@pytest.fixture(scope="module")
def client(sample_store):
    return create_app(store=sample_store, result_cache_bytes=0).test_client()


@pytest.mark.parametrize("query,accept", [
    (SELECT_IDS, "application/sparql-results+json"),
    (SELECT_IDS, "text/csv;q=0.9, application/sparql-results+xml;q=0.5"),
    (PREFIXES + "ASK { ?s a nkg:Statement }", None),
    (CONSTRUCT, "text/turtle"),
    (CONSTRUCT, "application/n-triples"),
    ("SELECT ?x WHERE { ?x", None),                           # malformed: 400
    ("SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }", None),  # refused: 400
])
def test_shortcut_answers_as_the_flask_route_does(client, query, accept):
    headers = {"Accept": accept} if accept else {}
    short = client.get("/sparql", query_string={"query": query}, headers=headers)
    full = client.post("/sparql", data={"query": query}, headers=headers)  # a form POST takes the Flask route
    assert short.status_code == full.status_code
    assert short.data == full.data
    assert sorted(short.headers.items()) == sorted(full.headers.items())


def test_shortcut_streams_a_large_answer_with_its_length():
    """An answer past the spool's memory part (1 MiB) comes from a file, in chunks."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.store import KGStore

    store = KGStore()
    store.store.add(Quad(NamedNode("urn:big"), NamedNode("urn:text"), Literal("x" * 3_000_000)))
    client = create_app(store=store, result_cache_bytes=0).test_client()
    query = "SELECT ?t WHERE { <urn:big> <urn:text> ?t }"
    short = client.get("/sparql", query_string={"query": query})
    full = client.post("/sparql", data={"query": query})
    assert short.status_code == 200 and int(short.headers["Content-Length"]) > 3_000_000
    assert short.data == full.data and sorted(short.headers.items()) == sorted(full.headers.items())


def test_shortcut_is_taken_only_for_plain_queries(client):
    app = client.application
    view = app.view_functions["sparql.sparql"]
    calls = []
    app.view_functions["sparql.sparql"] = lambda: calls.append(1) or view()
    try:
        assert client.get("/sparql", query_string={"query": SELECT_IDS, "format": "csv"}).status_code == 200
        assert calls == []
        for extra in ({"default-graph-uri": "https://w3id.org/newskg/id/graph/entities"},  # dataset: Flask
                      {"query": "ASK {}"},                                                   # twice: 400 there
                      {"format": "nonsense"}):                                               # 406 there
            params = [("query", SELECT_IDS), *extra.items()]
            client.get("/sparql?" + urllib.parse.urlencode(params))
        assert len(calls) == 3
        assert client.get("/sparql?query=ASK%20%7B%7D&format=nonsense").status_code == 406  # Flask: 406
        assert len(calls) == 4
        # raw bytes in the query string are left to Werkzeug's decoding (WSGI gives them as latin-1)
        utf8 = "query=ASK { FILTER(\"\u00e9\" = \"\u00e9\") }".encode().decode("latin-1")
        answer = client.get("/sparql", environ_overrides={"QUERY_STRING": utf8}, headers={"Accept": "text/csv"})
        assert len(calls) == 5 and answer.status_code == 200 and answer.data == b"true"
        broken = client.get("/sparql", environ_overrides={"QUERY_STRING": "query=ASK { FILTER(\u00e9) }"})
        assert len(calls) == 6 and broken.status_code == 400 and b"not UTF-8" in broken.data
    finally:
        app.view_functions["sparql.sparql"] = view


# ---------------------------------------------------------------- kg serve --inline
@pytest.fixture(scope="module")
def inline(store_dir):
    with kg_serving("--store", str(store_dir), "--inline", "--workers", "2") as (root, proc):
        yield root
    assert "no query time limit" in proc.stderr.read()


def test_inline_protocol_with_real_clients(inline):
    for method in (GET, POST):
        client = SPARQLWrapper(inline + "/sparql")
        client.setMethod(method)
        client.setQuery(SELECT_IDS)
        client.setReturnFormat(JSON)
        rows = client.query().convert()["results"]["bindings"]
        assert [r["id"]["value"] for r in rows] == NAMES
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[1:] == NAMES
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == len(NAMES)
    store = Graph(SPARQLStore(inline + "/sparql"))
    assert store.query("ASK { ?s ?p ?o }").askAnswer is True


def test_inline_serves_pages_health_and_security_headers(inline):
    with urllib.request.urlopen(inline + "/health", timeout=10) as resp:
        assert json.load(resp)["engine"] == "in-process"
    with urllib.request.urlopen(inline + "/", timeout=10) as resp:
        assert resp.status == 200 and "text/html" in resp.headers["Content-Type"]
    url = inline + "/sparql?" + urllib.parse.urlencode({"query": SELECT_IDS})
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in resp.headers["Content-Security-Policy"]


def test_inline_is_read_only(inline):
    req = urllib.request.Request(inline + "/sparql", method="POST", data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                 headers={"Content-Type": "application/sparql-update"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403


@pytest.mark.parametrize("args,env,message", [
    (["--inline"], {"KG_WRITE_TOKEN": "secret"}, "--inline serves read-only"),
    (["--inline", "--timeout", "5"], {}, "--inline has no query time limit"),
])
def test_inline_refuses_what_it_cannot_do(store_dir, args, env, message):
    import os

    res = subprocess.run([*kg_command(), "serve", "--store", str(store_dir), "--port", "0", *args],
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and message in res.stderr and "Traceback" not in res.stderr

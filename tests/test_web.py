"""The SPARQL endpoint's protocol through Flask's test client, on the in-memory sample store.

What a client relies on: each way of sending a query, each result format (parsed
back), content negotiation, the dataset parameters, the status codes of errors,
writes behind the token, exports, the service description and VoID (parsed with
rdflib, their counts checked against the store), CORS and security headers.
Over a real socket, with worker processes and time limits: test_web_socket.py.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import NKG, PREFIXES, sample_files
from pyoxigraph import NamedNode, QueryResultsFormat, parse_query_results
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from kg.store import KGStore
from kg.web import create_app

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
ENTITIES = "https://w3id.org/newskg/id/graph/entities"
SELECT_IDS = PREFIXES + "SELECT ?id WHERE { ?a a nkg:Article ; dcterms:identifier ?id } ORDER BY ?id"
ASK_STATEMENT = PREFIXES + "ASK { ?s a nkg:Statement ; nkg:speaker ?p }"
ASK_NOTHING = PREFIXES + "ASK { ?s a nkg:NoSuchClass }"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?a dcterms:identifier ?id } WHERE { ?a a nkg:Article ; dcterms:identifier ?id }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMES = [p.name for p in sample_files()]
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(store=sample_store)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def private_store(sample_store) -> KGStore:
    """A copy of the samples that a test may write to."""
    copy = KGStore()
    copy.store.bulk_extend(sample_store.store.quads_for_pattern(None, None, None, None))
    return copy


@pytest.fixture()
def writer(private_store):
    return create_app(store=private_store, write_token=TOKEN).test_client()


def ids_from_json(resp) -> list[str]:
    data = json.loads(resp.get_data(as_text=True))
    return [b["id"]["value"] for b in data["results"]["bindings"]]


def count(client, query: str, **params) -> int:
    resp = client.get("/sparql", query_string={"query": query, **params})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return int(json.loads(resp.data)["results"]["bindings"][0]["n"]["value"])


def quads(store: KGStore, graph=None) -> int:
    return sum(1 for _ in store.store.quads_for_pattern(None, None, None, graph))


# ---------------------------------------------------------------- three ways to send a query
def test_get_select_defaults_to_sparql_json(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS})
    assert resp.status_code == 200
    assert resp.mimetype == "application/sparql-results+json"
    assert ids_from_json(resp) == NAMES
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert int(resp.headers["Content-Length"]) == len(resp.data)


def test_post_form(client):
    resp = client.post("/sparql", data={"query": SELECT_IDS})
    assert resp.status_code == 200
    assert ids_from_json(resp) == NAMES


def test_post_sparql_query_body(client):
    resp = client.post("/sparql", data=SELECT_IDS.encode("utf-8"), content_type="application/sparql-query",
                       headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200
    assert ids_from_json(resp) == NAMES


@pytest.mark.parametrize("query,expected", [(ASK_STATEMENT, True), (ASK_NOTHING, False)])
def test_ask_gives_boolean(client, query, expected):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 200
    assert json.loads(resp.get_data(as_text=True))["boolean"] is expected


# ---------------------------------------------------------------- result formats
@pytest.mark.parametrize("accept,fmt", [
    ("application/sparql-results+json", QueryResultsFormat.JSON),
    ("application/sparql-results+xml", QueryResultsFormat.XML),
    ("text/tab-separated-values", QueryResultsFormat.TSV),
])
def test_select_formats_parse_back(client, accept, fmt):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS}, headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == accept
    assert [row["id"].value for row in parse_query_results(resp.data, fmt)] == NAMES


def test_csv_by_accept_header(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS}, headers={"Accept": "text/csv"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["id"] and [r[0] for r in rows[1:]] == NAMES


@pytest.mark.parametrize("fmt,mime", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                      ("xml", "application/sparql-results+xml"),
                                      ("text/csv", "text/csv")])
def test_format_parameter_beats_accept(client, fmt, mime):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS, "format": fmt},
                      headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200 and resp.mimetype == mime


@pytest.mark.parametrize("accept,mime", [
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    ("text/html, */*;q=0.1", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
])
def test_accept_q_values(client, accept, mime):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS}, headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == mime
    assert resp.headers["Vary"] == "Accept"


@pytest.mark.parametrize("accept,fmt,rdflib_format", [
    ("text/turtle", "ttl", "turtle"), ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "rdf", "xml"), ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-quads", "nq", "nquads"), ("application/trig", "trig", "trig"),
])
def test_construct_in_every_graph_format(client, accept, fmt, rdflib_format):
    for headers, params in (({"Accept": accept}, {}), ({}, {"format": fmt})):
        resp = client.get("/sparql", query_string={"query": CONSTRUCT, **params}, headers=headers)
        assert resp.status_code == 200 and resp.mimetype == accept
        g = Dataset() if rdflib_format in ("nquads", "trig") else Graph()
        g.parse(data=resp.get_data(as_text=True), format=rdflib_format)
        assert sorted(str(o) for _, _, o, *_ in (g.quads() if isinstance(g, Dataset) else g)) == NAMES


def test_construct_defaults_to_turtle(client):
    resp = client.get("/sparql", query_string={"query": CONSTRUCT})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"


def test_describe_gives_the_resource(client):
    who = "https://w3id.org/newskg/id/person/alexander-lukashenko"
    resp = client.get("/sparql", query_string={"query": f"DESCRIBE <{who}>"}, headers={"Accept": "text/turtle"})
    assert resp.status_code == 200
    g = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    assert (URIRef(who), RDF.type, URIRef(NKG + "Person")) in g


# ---------------------------------------------------------------- the dataset
def test_default_graph_is_the_union_and_graphs_are_queryable(client, sample_store):
    assert count(client, COUNT_ALL) == quads(sample_store)
    per_graph = count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert per_graph == quads(sample_store)
    articles = count(client, PREFIXES + "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a nkg:Article } }")
    assert articles == len(NAMES)


def test_default_graph_uri_restricts_the_default_graph(client, sample_store):
    only = count(client, COUNT_ALL, **{"default-graph-uri": ENTITIES})
    assert only == quads(sample_store, NamedNode(ENTITIES)) > 0
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                 **{"default-graph-uri": ENTITIES}) == 0  # the protocol's dataset has no named graphs


def test_named_graph_uri_limits_graph(client, sample_store):
    n = count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": ENTITIES})
    assert n == quads(sample_store, NamedNode(ENTITIES))
    assert count(client, COUNT_ALL, **{"named-graph-uri": ENTITIES}) == 0  # empty default graph


def test_dataset_parameters_work_with_post_body(client, sample_store):
    resp = client.post("/sparql?default-graph-uri=" + ENTITIES, data=COUNT_ALL,
                       content_type="application/sparql-query")
    assert int(json.loads(resp.data)["results"]["bindings"][0]["n"]["value"]) == \
        quads(sample_store, NamedNode(ENTITIES))


# ---------------------------------------------------------------- errors
def test_malformed_query_is_400_with_message(client):
    resp = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert resp.status_code == 400 and resp.mimetype == "text/plain"
    body = resp.get_data(as_text=True)
    assert body.startswith("malformed query: error at 1:")
    assert "Traceback" not in body and len(body) < 500


@pytest.mark.parametrize("how", [{"query_string": {"default-graph-uri": ENTITIES}},
                                 {"data": {"default-graph-uri": ENTITIES}, "method": "POST"}])
def test_missing_query_is_400(client, how):
    resp = client.open("/sparql", **how)
    assert resp.status_code == 400
    assert "query" in resp.get_data(as_text=True)


def test_query_given_twice_is_400(client):
    resp = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert resp.status_code == 400


def test_bad_graph_iri_is_400(client):
    resp = client.get("/sparql", query_string={"query": COUNT_ALL, "default-graph-uri": "not an iri"})
    assert resp.status_code == 400 and "default-graph-uri" in resp.get_data(as_text=True)


@pytest.mark.parametrize("params,headers", [
    ({"format": "ttl"}, {}),                                # a graph format for a table
    ({}, {"Accept": "image/png"}),                           # nothing acceptable at all
])
def test_unacceptable_format_is_406(client, params, headers):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS, **params}, headers=headers)
    assert resp.status_code == 406
    assert "text/csv" in resp.get_data(as_text=True)  # the message lists what is on offer


def test_table_format_for_a_graph_is_406(client):
    resp = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert resp.status_code == 406 and "CONSTRUCT" in resp.get_data(as_text=True)


def test_post_with_other_content_type_is_415(client):
    resp = client.post("/sparql", data=json.dumps({"query": ASK_STATEMENT}), content_type="application/json")
    assert resp.status_code == 415


def test_update_by_get_is_refused(client):
    assert client.get("/sparql", query_string={"update": "CLEAR ALL"}).status_code == 400


def test_oversized_query_is_413(sample_store):
    small = create_app(store=sample_store, max_request_bytes=2000).test_client()
    resp = small.post("/sparql", data={"query": SELECT_IDS + "#" * 5000})
    assert resp.status_code == 413 and "2000" in resp.get_data(as_text=True)
    assert small.post("/sparql", data={"query": SELECT_IDS}).status_code == 200


def test_result_over_the_limit_is_refused(sample_store):
    tight = create_app(store=sample_store, max_result_bytes=1000).test_client()
    resp = tight.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert resp.status_code == 422
    assert "1000 bytes" in resp.get_data(as_text=True)
    assert tight.get("/sparql", query_string={"query": ASK_STATEMENT}).status_code == 200


# ---------------------------------------------------------------- SERVICE
@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "PREFIX e: <http://169.254.169.254/> SELECT * WHERE { SERVICE e:x { ?s ?p ?o } }",
    "BASE <http://localhost:1/> SELECT * WHERE { OPTIONAL { SERVICE SILENT <q> { ?s ?p ?o } } }",
    "SELECT * WHERE { BIND(<http://x/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { FILTER EXISTS { sErViCe <http://x/> { ?s ?p ?o } } }",
])
def test_service_is_refused_unless_allowed(client, query):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 400
    assert "SERVICE" in resp.get_data(as_text=True)


def test_the_word_service_elsewhere_is_fine(client):
    resp = client.get("/sparql", query_string={"query": 'ASK { ?s <http://x/service> "SERVICE <http://a/>" }'})
    assert resp.status_code == 200


# ---------------------------------------------------------------- writes
def test_writes_are_off_without_a_token(client):
    resp = client.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update")
    assert resp.status_code == 403 and "read-only" in resp.get_data(as_text=True)
    assert client.put("/store?graph=http://example.org/g", data="<a:a> <a:b> <a:c> .",
                      content_type="application/n-triples").status_code == 403


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_writes_need_the_right_token(writer, auth, private_store):
    before = quads(private_store)
    headers = {"Authorization": auth} if auth else {}
    resp = writer.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update", headers=headers)
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert quads(private_store) == before


def test_update_with_token_is_seen_by_queries(writer):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ask = "ASK { GRAPH <http://example.org/g> { <http://example.org/a> ?p ?o } }"
    assert json.loads(writer.get("/sparql", query_string={"query": ask}).data)["boolean"] is False
    resp = writer.post("/sparql", data={"update": "INSERT DATA { GRAPH <http://example.org/g> "
                                                  "{ <http://example.org/a> <http://example.org/b> 1 } }"},
                       headers=auth)
    assert resp.status_code == 204
    assert json.loads(writer.get("/sparql", query_string={"query": ask}).data)["boolean"] is True
    bad = writer.post("/sparql", data="INSERT DATA {", content_type="application/sparql-update", headers=auth)
    assert bad.status_code == 400 and "malformed update" in bad.get_data(as_text=True)


def test_graph_store_put_get_post_delete(writer):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    url = "/store?graph=http://example.org/g"
    one = "<http://example.org/a> <http://example.org/b> <http://example.org/c> ."
    two = "<http://example.org/a> <http://example.org/b> <http://example.org/d> ."
    assert writer.get(url).status_code == 404
    assert writer.put(url, data=one, content_type="application/n-triples", headers=auth).status_code == 201
    assert writer.post(url, data=two, content_type="text/turtle", headers=auth).status_code == 204
    got = writer.get(url, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and len(Graph().parse(data=got.get_data(as_text=True), format="nt")) == 2
    assert writer.put(url, data=one, content_type="application/n-triples", headers=auth).status_code == 204
    got = writer.get(url, headers={"Accept": "application/n-triples"})
    assert len(Graph().parse(data=got.get_data(as_text=True), format="nt")) == 1  # PUT replaced
    assert writer.put(url, data="not turtle", content_type="text/turtle", headers=auth).status_code == 400
    assert writer.put(url, data=one, content_type="application/x-unknown", headers=auth).status_code == 415
    assert writer.delete(url, headers=auth).status_code == 204
    assert writer.get(url).status_code == 404
    assert writer.delete("/store?default", headers=auth).status_code == 405


@pytest.mark.parametrize("path", ["/store?default", "/export?format=ttl", f"/store?graph={ENTITIES}"])
def test_head_gives_headers_only(client, path):
    resp = client.head(path)
    assert resp.status_code == 200 and resp.data == b""
    assert resp.mimetype in ("text/turtle", "application/trig")


def test_upload_over_the_limit_is_413(private_store):
    small = create_app(store=private_store, write_token=TOKEN, max_upload_bytes=100).test_client()
    resp = small.put("/store?graph=http://example.org/g", data="<a:a> <a:b> <a:c> .\n" * 20,
                     content_type="application/n-triples", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 413 and resp.mimetype == "text/plain"


def test_graph_store_get_default_is_the_union(client, sample_store):
    resp = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200
    assert len(Graph().parse(data=resp.get_data(as_text=True), format="nt")) == quads(sample_store)


# ---------------------------------------------------------------- exports
@pytest.mark.parametrize("fmt,rdflib_format,graphs", [("trig", "trig", True), ("nq", "nquads", True),
                                                      ("ttl", "turtle", False), ("nt", "nt", False),
                                                      ("jsonld", "json-ld", False)])
def test_export_whole_store(client, sample_store, fmt, rdflib_format, graphs):
    resp = client.get("/export", query_string={"format": fmt})
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == f'attachment; filename="newskg.{fmt}"'
    data = Dataset() if graphs else Graph()
    data.parse(data=resp.get_data(as_text=True), format=rdflib_format)
    assert len(list(data.quads()) if graphs else data) == quads(sample_store)
    if graphs:
        names = {str(q[3].identifier if hasattr(q[3], "identifier") else q[3]) for q in data.quads()}
        assert ENTITIES in names and sum("/article/" in n for n in names) == len(NAMES)


def test_export_one_article(client, sample_store):
    resp = client.get("/export", query_string={"format": "nt", "article": NAMES[0]})
    assert resp.status_code == 200
    g = Graph().parse(data=resp.get_data(as_text=True), format="nt")
    assert {str(o) for o in g.objects(None, URIRef("http://purl.org/dc/terms/identifier"))} == {NAMES[0]}
    assert client.get("/export", query_string={"article": "no-such-article"}).status_code == 404


def test_export_defaults_to_trig(client):
    resp = client.get("/export")
    assert resp.status_code == 200 and resp.mimetype == "application/trig"


# ---------------------------------------------------------------- descriptions
def test_service_description(client):
    resp = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    g = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    service = g.value(None, RDF.type, SD.Service)
    assert g.value(service, SD.endpoint) == URIRef("http://localhost/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g  # read-only
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.feature, SD.BasicFederatedQuery) not in g
    formats = set(g.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    named = {g.value(n, SD.name) for n in g.objects(g.value(service, SD.defaultDataset), SD.namedGraph)}
    assert URIRef(ENTITIES) in named and len(named) == len(NAMES) + 1


def test_service_description_mentions_updates_when_writable(writer):
    g = Graph().parse(data=writer.get("/sparql").get_data(as_text=True), format="turtle")
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in g


def test_void_counts_are_the_stores(client, sample_store):
    resp = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200
    g = Graph().parse(data=resp.get_data(as_text=True), format="turtle")
    ds = next(g.subjects(VOID.sparqlEndpoint, None))
    triples = {(q.subject, q.predicate, q.object) for q in sample_store.store.quads_for_pattern(None, None, None)}
    assert g.value(ds, VOID.triples) == Literal(len(triples))
    assert g.value(ds, VOID.distinctSubjects) == Literal(len({t[0] for t in triples}))
    assert g.value(ds, VOID.distinctObjects) == Literal(len({t[2] for t in triples}))
    assert g.value(ds, VOID.properties) == Literal(len({t[1] for t in triples}))
    rdf_type = NamedNode(str(RDF.type))
    persons = {s for s, p, o in triples if p == rdf_type and o == NamedNode(NKG + "Person")}
    parts = {g.value(p, VOID["class"]): g.value(p, VOID.entities) for p in g.objects(ds, VOID.classPartition)}
    assert parts[URIRef(NKG + "Person")] == Literal(len(persons)) and len(persons) > 0
    sizes = {}
    for sub in g.objects(ds, VOID.subset):
        name = g.value(g.value(None, SD.graph, sub), SD.name)
        sizes[str(name)] = int(g.value(sub, VOID.triples))
    assert sizes[ENTITIES] == quads(sample_store, NamedNode(ENTITIES))
    assert sum(sizes.values()) == quads(sample_store)


def test_void_counts_follow_writes(writer, private_store):
    def triples() -> int:
        g = Graph().parse(data=writer.get("/.well-known/void").get_data(as_text=True), format="turtle")
        return int(g.value(next(g.subjects(VOID.sparqlEndpoint, None)), VOID.triples))

    before = triples()
    writer.post("/sparql", data="INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
                content_type="application/sparql-update", headers={"Authorization": f"Bearer {TOKEN}"})
    assert triples() == before + 1


# ---------------------------------------------------------------- headers
def test_cors_preflight_allows_reads_only(client):
    resp = client.options("/sparql", headers={"Origin": "https://example.org",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert "authorization" not in resp.headers["Access-Control-Allow-Headers"].lower()


def test_security_headers(client):
    resp = client.get("/sparql", query_string={"query": SELECT_IDS})
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_health(client):
    resp = client.get("/health")
    assert resp.status_code == 200 and resp.is_json
    assert resp.get_json()["status"] == "ok"

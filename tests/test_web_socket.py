"""The endpoint over a real HTTP socket, on a store folder queried by worker processes.

Clients as users run them: SPARQLWrapper and rdflib's SPARQLStore for the protocol
matrix, raw HTTP for the error cases; then what only worker processes give: a
pathological query stopped at the time limit while other clients are served,
writes seen through checkpoints, federation with an allowed endpoint, ``kg serve``
itself, and a short load of concurrent clients.
"""
from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import urllib.parse

import pytest
from conftest import NKG, PREFIXES, ROOT, kg_serving, sample_files, serving
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kg.web import create_app

NAMES = [p.name for p in sample_files()]
ENTITIES = "https://w3id.org/newskg/id/graph/entities"
SELECT_IDS = PREFIXES + "SELECT ?id WHERE { ?a a nkg:Article ; dcterms:identifier ?id } ORDER BY ?id"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?a dcterms:identifier ?id } WHERE { ?a a nkg:Article ; dcterms:identifier ?id }"
ASK = PREFIXES + "ASK { ?s a nkg:Statement }"
#: 2859^3 rows to count: runs for hours unless stopped
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: a property path that walks the whole graph, both ways, from every node (about 20 s here)
DEEP_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?x (<urn:p>|^<urn:p>|!<urn:p>|!^<urn:p>)* ?y }"
TIMEOUT = 2.0
TOKEN = "socket-token"


@pytest.fixture(scope="module")
def app(store_dir):
    app = create_app(store_path=str(store_dir), query_workers=2, query_timeout=TIMEOUT, result_cache_bytes=0)
    yield app
    app.extensions["kg.engine"].close()


@pytest.fixture(scope="module")
def url(app):
    with serving(app) as root:
        yield root


def request(root: str, method: str, path: str, body: bytes | str | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    parts = urllib.parse.urlsplit(root)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def query_path(query: str, **params) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query, **params})


# ---------------------------------------------------------------- SPARQLWrapper
@pytest.mark.parametrize("method,direct", [(GET, False), (POST, False), (POST, True)])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(url, method, direct, fmt):
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(SELECT_IDS)
    sw.setMethod(method)
    if direct:
        sw.setRequestMethod(POSTDIRECTLY)
    sw.setReturnFormat(fmt)
    result = sw.query().convert()
    if fmt == JSON:
        ids = [b["id"]["value"] for b in result["results"]["bindings"]]
    elif fmt == XML:
        ids = [n.firstChild.firstChild.data for n in result.getElementsByTagName("binding")]
    else:
        text = result.decode("utf-8")
        ids = [line.strip().strip('"') for line in text.splitlines()[1:]]
    assert ids == NAMES


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(url, fmt):
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(ASK)
    sw.setReturnFormat(fmt)
    result = sw.query().convert()
    value = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data
    assert value in (True, "true")


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
def test_sparqlwrapper_construct(url, method, fmt):
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(CONSTRUCT)
    sw.setMethod(method)
    sw.setReturnFormat(fmt)
    g = sw.queryAndConvert()
    if isinstance(g, bytes):  # SPARQLWrapper leaves Turtle and N3 for the caller to parse
        g = Graph().parse(data=g.decode("utf-8"), format="n3" if fmt == N3 else "turtle")
    assert sorted(str(o) for o in g.objects()) == NAMES


def test_sparqlwrapper_dataset_parameters(url, sample_store):
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sw.addDefaultGraph(ENTITIES)
    sw.setReturnFormat(JSON)
    n = int(sw.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n == sum(1 for _ in sample_store.store.quads_for_pattern(None, None, None, None)
                    if str(_.graph_name.value) == ENTITIES)


# ---------------------------------------------------------------- rdflib's SPARQLStore
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparqlstore_select_and_ask(url, method, fmt):
    g = Graph(SPARQLStore(url + "/sparql", method=method, returnFormat=fmt))
    assert [str(r.id) for r in g.query(SELECT_IDS)] == NAMES
    assert g.query(ASK).askAnswer is True


def test_sparqlstore_construct_and_graphs(url):
    g = Graph(SPARQLStore(url + "/sparql"))
    constructed = g.query(CONSTRUCT).graph
    assert sorted(str(o) for o in constructed.objects()) == NAMES
    rows = g.query(PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a nkg:Article } }")
    assert len(rows) == len(NAMES)
    who = URIRef("https://w3id.org/newskg/id/person/alexander-lukashenko")
    assert (who, RDF.type, URIRef(NKG + "Person")) in g  # a triple lookup is an ASK on the endpoint


# ---------------------------------------------------------------- raw HTTP: formats and errors
@pytest.mark.parametrize("accept,rdflib_format", [("application/n-triples", "nt"),
                                                  ("application/n-quads", "nquads"),
                                                  ("application/trig", "trig")])
def test_raw_construct_formats(url, accept, rdflib_format):
    status, headers, body = request(url, "GET", query_path(CONSTRUCT), headers={"Accept": accept})
    assert status == 200 and headers["content-type"] == accept
    ds = Dataset().parse(data=body.decode("utf-8"), format=rdflib_format)
    assert sorted(str(q[2]) for q in ds.quads()) == NAMES


@pytest.mark.parametrize("method,path,body,headers,status", [
    ("GET", query_path("SELECT * WHERE {"), None, {}, 400),
    ("GET", query_path(SELECT_IDS), None, {"Accept": "image/png"}, 406),
    ("POST", "/sparql", SELECT_IDS, {"Content-Type": "text/plain"}, 415),
    ("POST", "/sparql", "query=" + "x" * 1_100_000, {"Content-Type": "application/x-www-form-urlencoded"}, 413),
    ("PUT", "/sparql", "", {}, 405),
    ("POST", "/sparql", "CLEAR ALL", {"Content-Type": "application/sparql-update"}, 403),
    ("GET", query_path("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"), None, {}, 400),
])
def test_raw_errors(url, method, path, body, headers, status):
    got, got_headers, text = request(url, method, path, body, headers)
    assert got == status
    if status != 405:
        assert got_headers["content-type"].startswith("text/plain") and b"Traceback" not in text


def test_oversized_requests_are_refused(url):
    assert request(url, "GET", "/sparql?query=" + "A" * 300_000)[0] == 431  # waitress's header limit
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("POST", "/sparql")
    conn.putheader("Content-Type", "application/sparql-query")
    conn.putheader("Transfer-Encoding", "chunked")  # no Content-Length to check up front
    conn.endheaders()
    for _ in range(20):
        conn.send(b"10000\r\n" + b"#" * 0x10000 + b"\r\n")
    conn.send(b"0\r\n\r\n")
    resp = conn.getresponse()
    assert resp.status == 413 and b"1000000 bytes" in resp.read()
    conn.close()


def test_export_streams_over_http(url, sample_store):
    status, headers, body = request(url, "GET", "/export?format=nq")
    assert status == 200 and "attachment" in headers["content-disposition"]
    assert len(body.decode("utf-8").splitlines()) == sum(1 for _ in sample_store.store.quads_for_pattern(
        None, None, None, None))


# ---------------------------------------------------------------- time limits
@pytest.mark.parametrize("pathological", [CARTESIAN, DEEP_PATH])
def test_pathological_query_is_stopped_while_others_are_served(url, pathological):
    outcome = {}

    def slow():
        started = time.monotonic()
        outcome["status"], _, outcome["body"] = request(url, "GET", query_path(pathological))
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    served = 0
    while thread.is_alive():
        status, _, _ = request(url, "GET", query_path(SELECT_IDS, nocache=str(served)), timeout=TIMEOUT)
        assert status == 200
        served += 1
    thread.join()
    assert outcome["status"] == 503 and b"stopped after 2 s" in outcome["body"]
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + 3
    assert served >= 5  # the other worker kept answering meanwhile
    deadline = time.monotonic() + 30
    while json.loads(request(url, "GET", "/health")[2])["workers"] < 2:  # the killed worker is replaced
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_every_worker_busy_gives_503_not_a_hang(store_dir):
    app = create_app(store_path=str(store_dir), query_workers=1, query_timeout=1, result_cache_bytes=0)
    try:
        with serving(app) as root:
            results = []
            threads = [threading.Thread(target=lambda: results.append(request(root, "GET", query_path(CARTESIAN))))
                       for _ in range(2)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert [r[0] for r in results] == [503, 503]
            assert time.monotonic() - started < 6
    finally:
        app.extensions["kg.engine"].close()


# ---------------------------------------------------------------- writes through checkpoints
def test_writes_reach_the_workers(store_dir, tmp_path):
    import shutil

    folder = tmp_path / "writable"
    shutil.copytree(store_dir, folder)
    app = create_app(store_path=str(folder), query_workers=2, write_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ask = "ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }"
    try:
        with serving(app) as root:
            assert json.loads(request(root, "GET", query_path(ask))[2])["boolean"] is False
            status, _, _ = request(root, "PUT", "/store?graph=http://example.org/g",
                                   "<http://example.org/a> <http://example.org/b> 1 .",
                                   {"Content-Type": "text/turtle", **auth})
            assert status == 201
            for _ in range(4):  # every worker sees it, whichever answers
                assert json.loads(request(root, "GET", query_path(ask, n=str(_)))[2])["boolean"] is True
            assert request(root, "POST", "/sparql", "DROP GRAPH <http://example.org/g>",
                           {"Content-Type": "application/sparql-update", **auth})[0] == 204
            assert json.loads(request(root, "GET", query_path(ask, n="after"))[2])["boolean"] is False
            checkpoints = list(folder.parent.glob(".writable-checkpoints-*"))
            assert len(checkpoints) == 1 and len(list(checkpoints[0].iterdir())) <= 3
    finally:
        app.extensions["kg.engine"].close()
    assert not list(folder.parent.glob(".writable-checkpoints-*"))  # removed with the server


# ---------------------------------------------------------------- federation, when allowed
def test_service_to_an_allowed_endpoint(store_dir, sample_store):
    remote = create_app(store=sample_store)
    with serving(remote) as other:
        target = other + "/sparql"
        app = create_app(store_path=str(store_dir), query_workers=1, allow_service=target)
        try:
            with serving(app) as root:
                query = PREFIXES + f"SELECT ?id WHERE {{ SERVICE <{target}> {{ ?a a nkg:Article ; " \
                                   "dcterms:identifier ?id } } ORDER BY ?id"
                status, _, body = request(root, "GET", query_path(query))
                assert status == 200, body
                assert [b["id"]["value"] for b in json.loads(body)["results"]["bindings"]] == NAMES
                other_target = query.replace(target, target + "x")
                assert request(root, "GET", query_path(other_target))[0] == 400
        finally:
            app.extensions["kg.engine"].close()


# ---------------------------------------------------------------- kg serve
def test_kg_serve(store_dir):
    with kg_serving("--store", str(store_dir), "--workers", "1", env={"KG_QUERY_TIMEOUT": "5"}) as (root, proc):
        status, _, body = request(root, "GET", "/health")
        assert status == 200 and json.loads(body)["workers"] == 1
        status, headers, body = request(root, "GET", query_path(SELECT_IDS), headers={"Accept": "text/csv"})
        assert status == 200 and body.decode().splitlines()[1:] == NAMES
        assert headers["server"] == "newskg"
    assert "query timeout 5 s" in proc.stderr.read()


# ---------------------------------------------------------------- load
def test_short_load_of_concurrent_clients(url):
    """A few seconds of the load benchmark (benchmarks/endpoint_load.py runs the full one)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from endpoint_load import run_load
    finally:
        sys.path.pop(0)
    report = run_load(url + "/sparql", clients=8, seconds=3)
    assert report.errors == 0 and report.requests > 50


def test_memory_hungry_query_kills_only_its_worker(store_dir):
    app = create_app(store_path=str(store_dir), query_workers=1, worker_memory=900_000_000, query_timeout=60,
                     result_cache_bytes=0)
    client = app.test_client()
    try:
        hungry = "SELECT (STRLEN(GROUP_CONCAT(STR(?o))) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?o }"
        resp = client.get("/sparql", query_string={"query": hungry})
        assert resp.status_code == 500 and "memory" in resp.get_data(as_text=True)
        assert client.get("/sparql", query_string={"query": ASK}).status_code == 200  # a fresh worker answers
        assert client.get("/health").get_json()["stopped_queries"] == 1
    finally:
        app.extensions["kg.engine"].close()


def test_closing_while_a_worker_restarts_is_quiet(store_dir, monkeypatch):
    """Ctrl-C on `kg serve` just after a query was stopped: the replacement worker is
    killed while it starts, and the thread waiting for it must end without a traceback."""
    from kg.web.engine import WorkerPool
    from kg.web.settings import Settings

    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    pool = WorkerPool(store_dir, Settings(query_workers=1))
    pool._replace(next(iter(pool._live)))  # as at the time limit: kill, restart in the background
    pool.close()
    for thread in threading.enumerate():
        if thread.name == "kg-worker-start":
            thread.join(timeout=30)
    assert failures == []

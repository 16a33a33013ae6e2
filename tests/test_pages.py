"""Pages for people and linked data: the query page, 303 dereferencing with content
negotiation, what each description holds, escaping and the absence of path traversal."""
from __future__ import annotations

import http.client
import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from conftest import NKG, ROOT, serving, write
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg.rdf import RDF_TYPE, Mapping
from kg.store import KGStore
from kg.web import create_app

BASE = "https://w3id.org/newskg/id/"
ID = "/newskg/id/"  # the default base IRI's path, where this server answers
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PERSON = "person/alexander-lukashenko"
BELARUS = "government/belarus"
QUERIES = sorted((ROOT / "kg" / "queries").glob("*.rq"))


class Page(HTMLParser):
    """The tags, attributes and text of an HTML page, as a browser would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def links(self) -> list[tuple[str, str]]:
        return [(a["href"], a.get("title") or "") for t, a in self.tags if t == "a" and a.get("href")]

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}


@pytest.fixture(scope="module")
def app(sample_store):
    return create_app(store=sample_store)


@pytest.fixture()
def client(app):
    return app.test_client()


def page(client, path: str) -> tuple[Page, str]:
    resp = client.get(path, headers={"Accept": "text/html"})
    assert resp.status_code == 200, (path, resp.status_code)
    assert resp.mimetype == "text/html"
    body = resp.get_data(as_text=True)
    return Page(body), body


def assert_inert(html: str) -> None:
    """Nothing in ``html`` runs but the page's own script from its own static folder."""
    parsed = Page(html)
    for tag, attrs in parsed.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert tag != "img", attrs
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json"
        for key in ("href", "src", "action"):
            assert not (attrs.get(key) or "").lower().startswith(("javascript:", "data:")), attrs


# ------------------------------------------------------------------ the query page
def test_query_page_offers_every_example_query(client):
    parsed, body = page(client, "/")
    examples = json.loads(next(
        d for d in parsed.text if d.strip().startswith("[{")))  # the application/json block
    assert [e["query"] for e in examples] == [p.read_text(encoding="utf-8") for p in QUERIES]
    options = [a.get("value") for t, a in parsed.tags if t == "option" and a.get("value")]
    assert len(options) == len(QUERIES) >= 4
    assert "Which government sanctioned whom" in body  # a title, from the .rq's first comment


def test_query_page_needs_nothing_from_other_sites(client):
    parsed, _ = page(client, "/")
    resources = [a.get("src") or a.get("href") for t, a in parsed.tags
                 if t == "script" and a.get("src") or t == "link"]
    assert resources and all(r.startswith("/static/") for r in resources)
    for r in resources:
        resp = client.get(r)
        assert resp.status_code == 200 and resp.mimetype in ("text/javascript", "text/css")


def test_query_page_takes_a_query_from_the_url(client):
    parsed, body = page(client, "/?query=" + "SELECT%20%3Cx%3E%20%3Cscript%3E")
    assert "SELECT &lt;x&gt; &lt;script&gt;" in body
    assert_inert(body)


def test_browse_links_run_queries_that_list_each_class(client):
    parsed, _ = page(client, "/")
    browse = [h for h, _ in parsed.links() if h.startswith("/?query=")]
    assert len(browse) >= 5
    from urllib.parse import parse_qs
    query = parse_qs(urlsplit(next(h for h in browse if "Person" in h)).query)["query"][0]
    resp = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    names = [b["name"]["value"] for b in resp.get_json()["results"]["bindings"] if "name" in b]
    assert "Alexander Lukashenko" in names


def test_html_pages_carry_security_headers(client):
    for path in ("/", ID + PERSON + ".html"):
        resp = client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"]


# ------------------------------------------------------------------ dereferencing
@pytest.mark.parametrize("accept,suffix", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),  # a browser
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("text/html;q=0.1, application/n-triples;q=0.8", "nt"),
    ("*/*", "ttl"),
    (None, "ttl"),
])
def test_iri_answers_303_to_the_negotiated_document(client, accept, suffix):
    resp = client.get(ID + PERSON, headers={"Accept": accept} if accept else {})
    assert resp.status_code == 303
    assert urlsplit(resp.headers["Location"]).path == f"{ID}{PERSON}.{suffix}"
    assert "Accept" in resp.headers["Vary"]


def test_format_parameter_overrides_accept(client):
    resp = client.get(ID + PERSON + "?format=nt", headers={"Accept": "text/html"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(PERSON + ".nt")


def test_unacceptable_type_is_406(client):
    resp = client.get(ID + PERSON, headers={"Accept": "image/png"})
    assert resp.status_code == 406


def test_following_the_redirect_gives_the_document(client):
    resp = client.get(ID + PERSON, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    assert "Alexander Lukashenko" in resp.get_data(as_text=True)
    assert "alternate" in resp.headers["Link"] and resp.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", [ID + "person/nobody-at-all", ID + "person/nobody-at-all.ttl",
                                  ID + PERSON + ".exe", ID + "person/a%20b%3Ec"])
def test_what_the_graph_does_not_hold_is_404(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
    resp = client.get(path, headers={"Accept": "text/html"})
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def triples(client, path: str, fmt: RdfFormat) -> set:
    resp = client.get(path)
    assert resp.status_code == 200
    return {q.triple for q in parse(resp.get_data(), format=fmt, base_iri=BASE)}


def test_rdf_document_holds_the_node_its_links_and_their_labels(client, sample_store):
    got = triples(client, ID + PERSON + ".ttl", RdfFormat.TURTLE)
    me = NamedNode(BASE + PERSON)
    assert {t.predicate.value for t in got if t.subject == me} >= {
        RDF_TYPE.value, RDFS_LABEL.value, NKG + "mentionedIn", NKG + "holdsPosition"}
    speakers = {r["s"] for r in sample_store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s <{NKG}speaker> <{BASE}{PERSON}> }}")}
    assert speakers and speakers <= {t.subject for t in got if t.object == me}
    president = NamedNode(BASE + "position/belarus/president")
    assert any(t.subject == president and t.predicate == RDFS_LABEL for t in got)


def test_every_rdf_format_says_the_same(client):
    nt = triples(client, ID + BELARUS + ".nt", RdfFormat.N_TRIPLES)
    assert len(nt) > 20
    assert triples(client, ID + BELARUS + ".ttl", RdfFormat.TURTLE) == nt
    assert triples(client, ID + BELARUS + ".rdf", RdfFormat.RDF_XML) == nt
    assert triples(client, ID + BELARUS + ".jsonld", RdfFormat.JSON_LD) == nt


def test_jsonld_is_compacted_with_the_project_context(client):
    doc = client.get(ID + BELARUS + ".jsonld").get_json()
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text())["@context"]
    assert doc["@context"]["speaker"] == context["speaker"]
    node = next(n for n in doc["@graph"] if n["id"] == BASE + BELARUS)
    assert node["type"] == "Government" and node["label"] == "Belarus"
    assert node["sameAs"] == "wd:Q184"  # the context's prefix for Wikidata entities


# ------------------------------------------------------------------ what pages show
def test_entity_page_shows_label_types_wikidata_and_links(client):
    parsed, body = page(client, ID + BELARUS + ".html")
    h1 = body.split("<h1>")[1].split("</h1>")[0]
    assert h1 == "Belarus"
    links = dict(parsed.links())
    assert "http://www.wikidata.org/entity/Q184" in links
    assert any(h.endswith(".ttl") for h in links)
    local = [h for h in links if h.startswith(ID)]
    assert len(local) > 10
    for href in local[:15]:  # links to related nodes dereference on this server
        assert client.get(href).status_code == 200, href
    assert "Links to this" in body and "nkg:imposedBy" in body


def fact_with_evidence(store: KGStore, cls: str = "Sanction") -> tuple[str, str, str]:
    row = next(iter(store.query(f"""SELECT ?f ?e ?a WHERE {{ ?f a <{NKG}{cls}> ;
        <{NKG}evidence> ?e ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?a }} ORDER BY ?f LIMIT 1""")))
    return row["f"].value, row["e"].value, row["a"].value


def test_fact_page_shows_evidence_and_links_to_it_in_the_article(client, sample_store):
    fact, evidence, article = fact_with_evidence(sample_store)
    parsed, body = page(client, ID + fact[len(BASE):] + ".html")
    assert evidence in "".join(parsed.text)
    source = next(h for h in dict(parsed.links())
                  if h.startswith(ID + article[len(BASE):] + ".html#"))
    anchor = source.split("#", 1)[1]
    art_page, art_body = page(client, source.split("#")[0])
    assert anchor in art_page.ids()
    marked = art_body.split(f'id="{anchor}"></span>', 1)[1]
    marked = marked.split("<mark>", 1)[1].split("</mark>", 1)[0]
    assert Page(marked).text and evidence in "".join(Page(marked).text)


def test_article_page_shows_metadata_facts_and_text(client, sample_store):
    _, _, article = fact_with_evidence(sample_store, "Statement")
    parsed, body = page(client, ID + article[len(BASE):] + ".html")
    title = next(iter(sample_store.query(
        f"SELECT ?t WHERE {{ <{article}> <http://purl.org/dc/terms/title> ?t }}")))["t"].value
    assert Page(body.split("<h1>")[1].split("</h1>")[0]).text == [title]
    assert "Facts from this article" in body and "<mark>" in body
    yielded = {r["f"].value for r in sample_store.query(
        f"SELECT ?f WHERE {{ ?f <http://www.w3.org/ns/prov#wasDerivedFrom> <{article}> }}")}
    linked = {h.removeprefix(ID).removesuffix(".html") for h, _ in parsed.links()}
    assert {f[len(BASE):] for f in yielded} <= linked


# ------------------------------------------------------------------ hostile content
HOSTILE = """Harbor Ledger
EU weighs <script>alert(1)</script> measures against Minsk
Published October 2, 2020

BRUSSELS — The European Union on Friday imposed sanctions on Belarusian leader Alexander Lukashenko <script>alert(1)</script> after weeks of protests.

Opposition leader Sviatlana Tsikhanouskaya said: "Names matter\\"><img src=x onerror=alert(2)>, and so do deeds," in a statement.

The Belarusian Foreign Ministry said it would respond in kind.
"""


@pytest.fixture(scope="module")
def hostile(builder, tmp_path_factory):
    """A store built from an article whose title and text hold markup."""
    folder = tmp_path_factory.mktemp("hostile")
    write(folder / "hostile.txt", HOSTILE)
    store = KGStore()
    builder.build([str(folder)], store)
    return create_app(store=store).test_client(), store


def test_article_markup_is_shown_as_text_never_run(hostile):
    client, store = hostile
    for path in [ID + "article/hostile.txt.html", ID + PERSON + ".html"] + [
            ID + r["f"].value[len(BASE):] + ".html" for r in store.query(
                f"SELECT ?f WHERE {{ ?f <{NKG}evidence> ?e FILTER(CONTAINS(?e, '<script>')) }}")]:
        parsed, body = page(client, path)
        assert_inert(body)
        assert "<script>alert" not in body and "<img" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    _, article = page(client, ID + "article/hostile.txt.html")
    assert "&lt;img src=x onerror=alert(2)&gt;" in article


def hand_store(base: str) -> KGStore:
    """A tiny graph under ``base``: an article named like a document, with hostile values."""
    m = Mapping(base)
    art, person = m.article_iri("page.html"), m.entity_iri("Person", "Jane Roe")
    term = m.term
    store = KGStore()
    store.replace_article(art, [
        Quad(art, RDF_TYPE, term("nkg:Article"), art),
        Quad(art, term("dcterms:title"), Literal('A "quoted" <b>title</b>'), art),
        Quad(art, term("schema:url"), NamedNode("javascript:alert(3)"), art),
        Quad(person, term("nkg:mentionedIn"), art, art),
    ], [
        Quad(person, RDF_TYPE, term("nkg:Person"), m.entities_graph),
        Quad(person, RDFS_LABEL, Literal("Jane <img src=x onerror=alert(4)>"), m.entities_graph),
    ])
    return store


def test_configured_base_iri_is_served_at_its_path_and_unsafe_urls_stay_text():
    app = create_app(store=hand_store("http://localhost:8000/kg/"), base_iri="http://localhost:8000/kg/")
    client = app.test_client()
    resp = client.get("/kg/person/jane-roe", headers={"Accept": "text/html"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/kg/person/jane-roe.html")
    assert client.get(ID + "person/jane-roe").status_code == 404
    parsed, body = page(client, "/kg/person/jane-roe.html")
    assert_inert(body)
    assert "Jane &lt;img src=x onerror=alert(4)&gt;" in body
    assert "/kg/article/page.html.html" in dict(parsed.links())
    _, article = page(client, "/kg/article/page.html.html")
    assert_inert(article)
    assert "javascript:alert(3)" in article  # shown, not linked


def test_an_iri_that_looks_like_a_document_is_still_a_thing():
    client = create_app(store=hand_store(BASE)).test_client()
    resp = client.get(ID + "article/page.html", headers={"Accept": "text/turtle"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("article/page.html.ttl")
    got = {q.triple for q in parse(client.get(resp.headers["Location"]).get_data(),
                                    format=RdfFormat.TURTLE)}
    assert NamedNode(BASE + "article/page.html") in {t.subject for t in got}


# ------------------------------------------------------------------ no path traversal
TRAVERSALS = [
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static/%252e%252e/%252e%252e/pyproject.toml",
    "/static//etc/passwd",
    "/static/..%2f..%2f..%2fweb%2fpages.py",
    ID + "..%2f..%2f..%2fpyproject.toml",
    ID + "../../../pyproject.toml.ttl",
]


def test_no_route_serves_files_outside_its_folder(app):
    secrets = [(ROOT / "pyproject.toml").read_text()[:40], "root:x:0:0", '"""Pages for people']
    with serving(app) as url:  # raw paths over a socket, as an attacker would send them
        host = urlsplit(url).netloc
        for path in TRAVERSALS:
            for _ in range(2):  # "//" is merged by a redirect that must lead nowhere either
                conn = http.client.HTTPConnection(host, timeout=10)
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read().decode("utf-8", "replace")
                conn.close()
                assert not any(s in body for s in secrets), path
                if resp.status != 308:
                    break
                path = urlsplit(resp.headers["Location"]).path
            assert resp.status in (400, 404), (path, resp.status)

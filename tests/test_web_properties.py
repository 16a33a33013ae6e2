"""Property-based tests of the endpoint's parameters: whatever a client sends, the
answer is a deliberate status (never a 500 or a traceback), and negotiation follows
the client's q-values."""
from __future__ import annotations

import json

import pytest
from conftest import PREFIXES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.web import create_app
from kg.web.formats import GRAPHS, RESULTS

SELECT = PREFIXES + "SELECT ?id WHERE { ?a a nkg:Article ; dcterms:identifier ?id } ORDER BY ?id LIMIT 3"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?a dcterms:identifier ?id } WHERE { ?a dcterms:identifier ?id } LIMIT 3"
RESULT_TYPES = [f.mime for f in RESULTS.formats]
MEDIA = RESULT_TYPES + [f.mime for f in GRAPHS.formats] + [
    "text/html", "application/json", "application/xml", "*/*", "text/*", "image/png", "application/*"]
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def client(sample_store):
    return create_app(store=sample_store).test_client()


def error_is_plain(resp) -> None:
    if resp.status_code != 200:
        assert resp.mimetype == "text/plain"
        assert "Traceback" not in resp.get_data(as_text=True)


q_value = st.sampled_from(["", ";q=0", ";q=0.1", ";q=0.5", ";q=1", ";q=0.999", ";q=junk", ";level=1"])
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)  # what HTTP can carry
accept_header = st.lists(st.tuples(st.sampled_from(MEDIA) | header_text, q_value), max_size=5).map(
    lambda items: ", ".join(m + q for m, q in items))


@HYPOTHESIS
@given(accept=accept_header, query=st.sampled_from([SELECT, CONSTRUCT]))
def test_any_accept_header_gets_200_or_406(client, accept, query):
    resp = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert resp.status_code in (200, 406)
    error_is_plain(resp)
    if resp.status_code == 200:
        table = RESULTS if query == SELECT else GRAPHS
        assert resp.mimetype in {f.mime for f in table.formats}


@HYPOTHESIS
@given(name=st.text(max_size=20) | st.sampled_from(["json", "CSV", " tsv ", "ttl", "xml", "rdf+xml", "text/csv"]))
def test_any_format_name_gets_200_or_406(client, name):
    resp = client.get("/sparql", query_string={"query": SELECT, "format": name})
    assert resp.status_code in (200, 406)
    error_is_plain(resp)


@HYPOTHESIS
@given(first=st.sampled_from(RESULT_TYPES), second=st.sampled_from(RESULT_TYPES),
       q1=st.integers(1, 9), q2=st.integers(1, 9))
def test_the_higher_q_value_wins(client, first, second, q1, q2):
    if first == second or q1 == q2:
        return
    resp = client.get("/sparql", query_string={"query": SELECT},
                      headers={"Accept": f"{first};q=0.{q1}, {second};q=0.{q2}"})
    assert resp.status_code == 200
    assert resp.mimetype == (first if q1 > q2 else second)


sparql_words = st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "?s", "?p", "?o",
                                "<http://example.org/x>", "GRAPH", "OPTIONAL", "FILTER", "(", ")", ".", "*",
                                "LIMIT", "1", '"text"', "SERVICE", "PREFIX", "a:", "UNION", "VALUES", "BIND"])


@HYPOTHESIS
@given(query=st.text(max_size=200) | st.lists(sparql_words, max_size=25).map(" ".join))
def test_any_query_text_gets_a_deliberate_status(client, query):
    resp = client.post("/sparql", data={"query": query})
    assert resp.status_code in (200, 400, 406)
    error_is_plain(resp)


@HYPOTHESIS
@given(graphs=st.lists(st.text(max_size=30) | st.just("https://w3id.org/newskg/id/graph/entities"), max_size=3),
       kind=st.sampled_from(["default-graph-uri", "named-graph-uri"]))
def test_any_graph_parameters_get_200_or_400(client, graphs, kind):
    resp = client.get("/sparql", query_string=[("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")] +
                      [(kind, g) for g in graphs])
    assert resp.status_code in (200, 400)
    error_is_plain(resp)
    if resp.status_code == 200:
        json.loads(resp.data)

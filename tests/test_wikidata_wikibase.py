"""The Wikibase-shaped view: query patterns written for the Wikidata Query Service run on it."""
from __future__ import annotations

import io
from datetime import date

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, Quad, RdfFormat, Store
from wikidata_graph import BASE, graph_store

from kg.cli import main
from kg.store import KGStore
from kg.validate import validate
from kg.wikidata import claims, wikibase

RETRIEVED = date(2026, 11, 22)
WDQS = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
VIEW = NamedNode(BASE + "graph/wikibase")


@pytest.fixture(scope="module")
def store():
    s = graph_store()
    wikibase.materialise(s, RETRIEVED, BASE)
    return s


def rows(store, query: str) -> list[tuple]:
    return sorted(tuple(getattr(t, "value", None) for t in r) for r in store.query(WDQS + query))


def test_position_held_with_government_and_source_url(store):
    found = rows(store, """SELECT ?item ?pos ?gov ?url WHERE {
        ?item p:P39 ?st . ?st ps:P39 ?pos ; pq:P642 ?gov . ?st prov:wasDerivedFrom/pr:P854 ?url }""")
    assert found == [("http://www.wikidata.org/entity/Q7747", "http://www.wikidata.org/entity/Q218295",
                      "http://www.wikidata.org/entity/Q159", "https://news.example.org/kremlin-backs-minsk")]


def test_unlinked_entities_appear_under_their_own_iri(store):
    found = rows(store, """SELECT ?pos ?gov ?title ?when WHERE {
        <https://w3id.org/newskg/id/person/alexander-lukashenko> p:P39 ?st .
        ?st ps:P39 ?pos ; pq:P642 ?gov ; prov:wasDerivedFrom ?ref .
        OPTIONAL { ?st pq:P585 ?when } ?ref pr:P1476 ?title . FILTER NOT EXISTS { ?ref pr:P854 ?u } }""")
    # only the undated article says he is president ("Lukashenka, the president of
    # Belarus"): the one that has "Russian President Vladimir Putin ... Alexander
    # Lukashenko" does not back his post, and without a date there is no P585
    assert found == [(BASE + "position/belarus/president", "http://www.wikidata.org/entity/Q184",
                      "Envoy heads to Vilnius", None)]


def test_truthy_instance_of_and_english_labels(store):
    humans = rows(store, "SELECT ?item WHERE { ?item wdt:P31 wd:Q5 }")
    assert [h[0].rsplit("/", 1)[-1] for h in humans] == ["Q7747", "alexander-lukashenko",
                                                          "hanna-kovalenka", "stephen-biegun"]
    assert rows(store, 'SELECT ?l WHERE { wd:Q7747 rdfs:label ?l FILTER(LANG(?l) = "en") }') == [
        ("Vladimir Putin",)]


def test_statements_ranked_and_references_shared(store):
    assert rows(store, """SELECT (COUNT(*) AS ?n) WHERE { ?st a wikibase:Statement .
        FILTER NOT EXISTS { ?st wikibase:rank wikibase:NormalRank ; a wikibase:BestRank } }""") == [("0",)]
    # one reference node per article, whatever number of statements it backs
    refs = rows(store, """SELECT ?ref (COUNT(DISTINCT ?st) AS ?n) WHERE {
        ?st prov:wasDerivedFrom ?ref . ?ref a wikibase:Reference } GROUP BY ?ref""")
    assert len(refs) == 2 and max(int(n) for _, n in refs) > 1


def test_materialising_again_replaces_the_view(store):
    before = sum(1 for _ in store.store.quads_for_pattern(None, None, None, VIEW))
    assert wikibase.materialise(store, RETRIEVED, BASE) == before
    assert sum(1 for _ in store.store.quads_for_pattern(None, None, None, VIEW)) == before


def test_export_writes_the_same_view_as_turtle(store):
    out = io.BytesIO()
    wikibase.write(out, claims.read(graph_store()), RETRIEVED, BASE)
    parsed = Store()
    parsed.load(out.getvalue(), format=RdfFormat.TURTLE)
    assert len(parsed) == sum(1 for _ in store.store.quads_for_pattern(None, None, None, VIEW))


def test_view_keeps_the_sample_graph_valid(sample_store):
    copy = KGStore()
    copy.store.bulk_extend(Quad(q.subject, q.predicate, q.object, q.graph_name)
                           for q in sample_store.store.quads_for_pattern(None, None, None, None))
    assert wikibase.materialise(copy, RETRIEVED) > 100
    conforms, text = validate(store=copy)
    assert conforms, text


def test_cli_materialises_into_the_store(tmp_path):
    graph_store(tmp_path / "s")
    result = CliRunner().invoke(main, ["wikibase", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    s = KGStore(tmp_path / "s", read_only=True)
    assert rows(s, "SELECT ?pos WHERE { wd:Q7747 wdt:P39 ?pos }") == [
        ("http://www.wikidata.org/entity/Q218295",)]

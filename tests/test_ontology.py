"""Checks for the newskg ontology, its SHACL shapes and its JSON-LD context.

Only rdflib, pyshacl and json are used. The ontology folder is located relative to
this file so the tests run from any working directory.
"""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "newskg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"

NKG = Namespace("https://w3id.org/newskg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/newskg/ontology")
SCHEMA = Namespace("https://schema.org/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
DATA = Namespace("https://example.org/newskg-test/")

CONTRACT_CLASSES = ["Article", "Person", "Government", "Statement", "Event", "Sanction"]
EVENT_TYPES = [
    "Election", "Protest", "Strike", "Meeting", "PhoneCall", "Visit", "Interview",
    "Detention", "LegalAction", "Release", "Appointment", "Crackdown", "MilitaryActivity",
]
# GUIDELINES.md section 3: nkg properties of the contract with the kind of property
CONTRACT_OBJECT_PROPERTIES = ["speaker", "participant", "imposedBy", "target"]
CONTRACT_DATATYPE_PROPERTIES = {
    "text": XSD.string, "date": XSD.date, "place": XSD.string, "status": XSD.string,
}
# reused terms of the contract (and the other reused terms newskg documents)
CONTRACT_REUSED = [RDFS.label, SKOS.altLabel, OWL.sameAs, PROV.wasDerivedFrom,
                   DCTERMS.identifier]
OTHER_REUSED = [DCTERMS.title, DCTERMS.issued, DCTERMS.publisher, SCHEMA.url]

EXPECTED_OBJECT_PROPERTIES = ["speaker", "addressee", "mentions", "participant",
                              "imposedBy", "target", "holdsPosition", "positionIn",
                              "partOf", "mentionedIn"]
EXPECTED_DATATYPE_PROPERTIES = ["text", "kind", "date", "place", "status", "evidence",
                                "beginIndex", "endIndex", "confidence", "method",
                                "trigger", "content", "contentHash", "linkConfidence"]
EXPECTED_CLASSES = (["Actor", "Position"] + CONTRACT_CLASSES + EVENT_TYPES)


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    return g


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g


@pytest.fixture(scope="module")
def context() -> dict:
    with open(CONTEXT_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def nkg_terms(ontology: Graph, rdf_type) -> set:
    return {s for s in ontology.subjects(RDF.type, rdf_type)
            if isinstance(s, URIRef) and str(s).startswith(str(NKG))}


# ------------------------------------------------------------------ ontology

def test_files_parse(ontology, shapes, context):
    assert len(ontology) > 100
    assert len(shapes) > 50
    assert "@context" in context


def test_ontology_header(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.1.0")) in ontology
    assert (ONTOLOGY_IRI, VANN.preferredNamespacePrefix, Literal("nkg")) in ontology
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert ontology.value(ONTOLOGY_IRI, prop) is not None, prop
    assert "MIT" in str(ontology.value(ONTOLOGY_IRI, DCTERMS.license))


def test_expected_terms_declared(ontology):
    classes = nkg_terms(ontology, OWL.Class)
    object_props = nkg_terms(ontology, OWL.ObjectProperty)
    datatype_props = nkg_terms(ontology, OWL.DatatypeProperty)
    assert {NKG[c] for c in EXPECTED_CLASSES} == classes
    assert {NKG[p] for p in EXPECTED_OBJECT_PROPERTIES} == object_props
    assert {NKG[p] for p in EXPECTED_DATATYPE_PROPERTIES} == datatype_props


def _english(graph: Graph, subject, predicate) -> list:
    return [o for o in graph.objects(subject, predicate)
            if isinstance(o, Literal) and o.language == "en" and str(o).strip()]


def test_every_term_documented(ontology):
    terms = (nkg_terms(ontology, OWL.Class) | nkg_terms(ontology, OWL.ObjectProperty)
             | nkg_terms(ontology, OWL.DatatypeProperty))
    assert terms
    for term in terms:
        assert _english(ontology, term, RDFS.label), f"{term} lacks an English rdfs:label"
        assert _english(ontology, term, RDFS.comment), f"{term} lacks an English rdfs:comment"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology, f"{term} lacks rdfs:isDefinedBy"


def test_every_property_has_domain_and_range(ontology):
    props = nkg_terms(ontology, OWL.ObjectProperty) | nkg_terms(ontology, OWL.DatatypeProperty)
    for prop in props:
        assert ontology.value(prop, RDFS.domain) is not None, f"{prop} lacks rdfs:domain"
        assert ontology.value(prop, RDFS.range) is not None, f"{prop} lacks rdfs:range"
    for prop in nkg_terms(ontology, OWL.DatatypeProperty):
        rng = ontology.value(prop, RDFS.range)
        assert str(rng).startswith(str(XSD)), f"{prop} range {rng} is not an XSD datatype"


def test_no_undefined_nkg_terms_referenced(ontology):
    defined = set(ontology.subjects(RDF.type, None))
    used = {t for triple in ontology for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(NKG))}
    assert used - defined == set(), f"nkg terms used but not declared: {used - defined}"


def test_contract_classes_and_event_types(ontology):
    for name in CONTRACT_CLASSES:
        assert (NKG[name], RDF.type, OWL.Class) in ontology, name
    for name in EVENT_TYPES:
        assert (NKG[name], RDF.type, OWL.Class) in ontology, name
        assert (NKG[name], RDFS.subClassOf, NKG.Event) in ontology, name
    assert (NKG.Person, RDFS.subClassOf, NKG.Actor) in ontology
    assert (NKG.Government, RDFS.subClassOf, NKG.Actor) in ontology


def test_contract_properties(ontology):
    for name in CONTRACT_OBJECT_PROPERTIES:
        assert (NKG[name], RDF.type, OWL.ObjectProperty) in ontology, name
    for name, datatype in CONTRACT_DATATYPE_PROPERTIES.items():
        assert (NKG[name], RDF.type, OWL.DatatypeProperty) in ontology, name
        assert (NKG[name], RDFS.range, datatype) in ontology, name
    assert (NKG.speaker, RDFS.subPropertyOf, PROV.wasAttributedTo) in ontology
    assert (NKG.imposedBy, RDFS.range, NKG.Government) in ontology
    assert (NKG.participant, RDFS.domain, NKG.Event) in ontology


def test_reused_terms_documented(ontology):
    for term in CONTRACT_REUSED + OTHER_REUSED:
        assert _english(ontology, term, RDFS.comment), f"{term} is not documented"


def test_union_domains(ontology):
    domain = ontology.value(NKG.date, RDFS.domain)
    members = list(ontology.items(ontology.value(domain, OWL.unionOf)))
    assert set(members) == {NKG.Statement, NKG.Event, NKG.Sanction}


def test_wikidata_alignments_are_entity_iris(ontology):
    links = [o for o in ontology.objects(None, SKOS.closeMatch)
             if str(o).startswith("http://www.wikidata.org/entity/")]
    assert links
    for link in links:
        assert str(link)[len(str(WD)):].startswith("Q"), link
    assert (NKG.Person, SKOS.closeMatch, WD.Q5) in ontology
    assert (NKG.Protest, SKOS.closeMatch, WD.Q273120) in ontology


# ------------------------------------------------------------------ shapes

def test_shapes_graph_is_valid_shacl(shapes):
    conforms, _, text = validate(shapes, shacl_graph=shapes, meta_shacl=True,
                                 inference="none")
    # validating the shapes graph against itself is trivial; meta_shacl checks
    # the shapes against the SHACL-for-SHACL shapes and raises on bad shapes
    assert conforms, text


def test_every_shape_explained(shapes):
    property_shapes = set(shapes.subjects(SH.path, None))
    assert property_shapes
    for ps in property_shapes:
        assert shapes.value(ps, SH.name) is not None, f"property shape {ps} lacks sh:name"
        assert shapes.value(ps, SH.message) is not None, f"property shape {ps} lacks sh:message"
    for ns in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(ns, RDFS.label) is not None, f"node shape {ns} lacks a label"


def valid_data() -> Graph:
    g = Graph()
    g.bind("nkg", NKG)
    art, person, gov, st, ev, sanc = (DATA.article, DATA.lukashenko, DATA.usa,
                                      DATA.statement1, DATA.event1, DATA.sanction1)
    g.add((art, RDF.type, NKG.Article))
    g.add((art, DCTERMS.identifier, Literal("000_44b53c6a4bc1254e.txt")))
    g.add((art, DCTERMS.title, Literal("U.S. envoy warns Minsk")))
    g.add((art, DCTERMS.issued, Literal("2020-09-02", datatype=XSD.date)))
    g.add((art, DCTERMS.publisher, Literal("Example News")))
    g.add((art, SCHEMA.url, URIRef("https://news.example.org/a/1")))
    g.add((art, NKG.contentHash, Literal("sha256:" + "0123456789abcdef" * 4)))
    g.add((art, NKG.content, Literal("Biegun said the sanctions would follow.")))

    g.add((person, RDF.type, NKG.Person))
    g.add((person, RDFS.label, Literal("Alexander Lukashenko")))
    g.add((person, SKOS.altLabel, Literal("Lukashenka")))
    g.add((person, OWL.sameAs, WD.Q14107))
    g.add((person, NKG.mentionedIn, art))

    g.add((gov, RDF.type, NKG.Government))
    g.add((gov, RDFS.label, Literal("United States")))
    g.add((gov, SKOS.altLabel, Literal("Washington")))
    g.add((gov, OWL.sameAs, WD.Q30))
    g.add((gov, NKG.mentionedIn, art))

    g.add((st, RDF.type, NKG.Statement))
    g.add((st, NKG.speaker, gov))
    g.add((st, NKG.addressee, person))
    g.add((st, NKG.text, Literal("the sanctions would follow")))
    g.add((st, NKG.kind, Literal("indirect")))
    g.add((st, NKG.date, Literal("2020-09-01", datatype=XSD.date)))
    g.add((st, PROV.wasDerivedFrom, art))
    g.add((st, NKG.evidence, Literal("Biegun said the sanctions would follow.")))
    g.add((st, NKG.beginIndex, Literal(0, datatype=XSD.integer)))
    g.add((st, NKG.endIndex, Literal(39, datatype=XSD.integer)))
    g.add((st, NKG.confidence, Literal(Decimal("0.8"))))
    g.add((st, NKG.method, Literal("indirect-speech-rule")))

    g.add((ev, RDF.type, NKG.Event))
    g.add((ev, RDF.type, NKG.Protest))
    g.add((ev, NKG.participant, person))
    g.add((ev, NKG.date, Literal("2020-08-16", datatype=XSD.date)))
    g.add((ev, NKG.place, Literal("Minsk")))
    g.add((ev, NKG.trigger, Literal("rally")))
    g.add((ev, PROV.wasDerivedFrom, art))

    g.add((sanc, RDF.type, NKG.Sanction))
    g.add((sanc, NKG.imposedBy, gov))
    g.add((sanc, NKG.target, person))
    g.add((sanc, NKG.status, Literal("planned")))
    g.add((sanc, PROV.wasDerivedFrom, art))
    return g


def run_shacl(data: Graph, shapes: Graph):
    conforms, results, text = validate(data, shacl_graph=shapes, inference="none",
                                       allow_warnings=False)
    return conforms, results, text


def result_paths(results: Graph) -> set:
    return set(results.objects(None, SH.resultPath))


def result_focus_nodes(results: Graph) -> set:
    return set(results.objects(None, SH.focusNode))


def test_valid_data_conforms(shapes):
    conforms, _, text = run_shacl(valid_data(), shapes)
    assert conforms, text


def test_valid_data_conforms_with_ontology_and_rdfs(shapes, ontology):
    # the shapes must also hold when the ontology is merged in and RDFS inference runs
    conforms, _, text = validate(valid_data(), shacl_graph=shapes, ont_graph=ontology,
                                 inference="rdfs")
    assert conforms, text


def _invalid(mutate):
    g = valid_data()
    mutate(g)
    return g


INVALID_CASES = {
    "statement without speaker": (
        lambda g: g.remove((DATA.statement1, NKG.speaker, None)),
        DATA.statement1, NKG.speaker),
    "sanction with status maybe": (
        lambda g: g.set((DATA.sanction1, NKG.status, Literal("maybe"))),
        DATA.sanction1, NKG.status),
    "event date as plain string": (
        lambda g: g.set((DATA.event1, NKG.date, Literal("2020-08-16"))),
        DATA.event1, NKG.date),
    "article with two identifiers": (
        lambda g: g.add((DATA.article, DCTERMS.identifier, Literal("other.txt"))),
        DATA.article, DCTERMS.identifier),
    "statement speaker is a string": (
        lambda g: g.set((DATA.statement1, NKG.speaker, Literal("Biegun"))),
        DATA.statement1, NKG.speaker),
    "statement with bad kind": (
        lambda g: g.set((DATA.statement1, NKG.kind, Literal("rumour"))),
        DATA.statement1, NKG.kind),
    "statement without text": (
        lambda g: g.remove((DATA.statement1, NKG.text, None)),
        DATA.statement1, NKG.text),
    "statement confidence above one": (
        lambda g: g.set((DATA.statement1, NKG.confidence, Literal(Decimal("1.5")))),
        DATA.statement1, NKG.confidence),
    "statement begin index not an xsd:integer": (
        lambda g: g.set((DATA.statement1, NKG.beginIndex, Literal("0"))),
        DATA.statement1, NKG.beginIndex),
    "event without source article": (
        lambda g: g.remove((DATA.event1, PROV.wasDerivedFrom, None)),
        DATA.event1, PROV.wasDerivedFrom),
    "sanction imposed by a person": (
        lambda g: g.set((DATA.sanction1, NKG.imposedBy, DATA.lukashenko)),
        DATA.sanction1, NKG.imposedBy),
    "article with malformed hash": (
        lambda g: g.set((DATA.article, NKG.contentHash, Literal("md5:abc"))),
        DATA.article, NKG.contentHash),
    "person with non-Wikidata sameAs": (
        lambda g: g.set((DATA.lukashenko, OWL.sameAs,
                         URIRef("https://en.wikipedia.org/wiki/Lukashenko"))),
        DATA.lukashenko, OWL.sameAs),
    "person with two labels": (
        lambda g: g.add((DATA.lukashenko, RDFS.label, Literal("Lukashenko"))),
        DATA.lukashenko, RDFS.label),
}


@pytest.mark.parametrize("case", sorted(INVALID_CASES))
def test_invalid_data_does_not_conform(shapes, case):
    mutate, focus, path = INVALID_CASES[case]
    conforms, results, text = run_shacl(_invalid(mutate), shapes)
    assert not conforms, f"{case}: expected a violation"
    assert focus in result_focus_nodes(results), f"{case}: wrong focus node\n{text}"
    assert path in result_paths(results), f"{case}: no violation on {path}\n{text}"


def test_event_without_event_type_does_not_conform(shapes):
    g = valid_data()
    g.remove((DATA.event1, RDF.type, NKG.Protest))
    conforms, results, text = run_shacl(g, shapes)
    assert not conforms
    assert DATA.event1 in result_focus_nodes(results), text


def test_event_type_without_nkg_event_does_not_conform(shapes):
    g = valid_data()
    g.remove((DATA.event1, RDF.type, NKG.Event))
    conforms, results, text = run_shacl(g, shapes)
    assert not conforms
    assert DATA.event1 in result_focus_nodes(results), text


# ------------------------------------------------------------------ context

def test_context_maps_all_nkg_terms(context, ontology):
    ctx = context["@context"]
    assert ctx["@vocab"] == str(NKG)
    for prefix in ("nkg", "rdfs", "skos", "owl", "prov", "dcterms", "schema", "xsd", "wd"):
        assert prefix in ctx, prefix
    terms = (nkg_terms(ontology, OWL.Class) | nkg_terms(ontology, OWL.ObjectProperty)
             | nkg_terms(ontology, OWL.DatatypeProperty))
    for term in terms:
        local = str(term)[len(str(NKG)):]
        assert local in ctx, f"context lacks {local}"
    for term in nkg_terms(ontology, OWL.ObjectProperty):
        local = str(term)[len(str(NKG)):]
        assert ctx[local].get("@type") == "@id", f"{local} should be typed @id"
    assert ctx["date"]["@type"] == "xsd:date"
    assert ctx["issued"]["@type"] == "xsd:date"


def test_context_parses_jsonld(context):
    doc = {
        "@context": context["@context"],
        "@graph": [
            {"id": "https://example.org/s1", "type": "Statement",
             "speaker": "https://example.org/usa",
             "text": "the sanctions would follow",
             "kind": "direct",
             "date": "2020-09-01",
             "wasDerivedFrom": "https://example.org/a1"},
            {"id": "https://example.org/usa", "type": "Government",
             "label": "United States", "altLabel": ["Washington"],
             "sameAs": "wd:Q30"},
            {"id": "https://example.org/e1", "type": ["Event", "Protest"],
             "participant": "https://example.org/usa", "place": "Minsk"},
        ],
    }
    g = Graph()
    g.parse(data=json.dumps(doc), format="json-ld")
    s1 = URIRef("https://example.org/s1")
    usa = URIRef("https://example.org/usa")
    assert (s1, NKG.speaker, usa) in g
    assert (s1, RDF.type, NKG.Statement) in g
    assert (s1, NKG.date, Literal("2020-09-01", datatype=XSD.date)) in g
    assert (s1, PROV.wasDerivedFrom, URIRef("https://example.org/a1")) in g
    assert (usa, OWL.sameAs, WD.Q30) in g
    assert (usa, SKOS.altLabel, Literal("Washington")) in g
    assert (URIRef("https://example.org/e1"), RDF.type, NKG.Protest) in g


def test_context_as_dict_argument(context):
    doc = {"id": "https://example.org/s2", "type": "Statement",
           "speaker": "https://example.org/p1", "text": "we will not give up"}
    g = Graph()
    g.parse(data=json.dumps(doc), format="json-ld", context=context["@context"])
    assert (URIRef("https://example.org/s2"), NKG.speaker,
            URIRef("https://example.org/p1")) in g

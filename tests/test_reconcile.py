"""The reconciliation service at /reconcile, with requests shaped as OpenRefine 3.x sends them.

Every response is validated against JSON schemas that state the Reconciliation
Service API 0.2's constraints (tests/fixtures/wikidata/reconciliation-0.2.schema.json).
"""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator
from wikidata_graph import FIXTURES, graph_store

from kg.web import create_app

SCHEMA = json.loads((FIXTURES / "reconciliation-0.2.schema.json").read_text(encoding="utf-8"))


def check(kind: str, payload) -> None:
    """Raise if ``payload`` breaks the specification's constraints for ``kind``."""
    Draft7Validator({**SCHEMA, "$ref": f"#/$defs/{kind}"}).validate(payload)


@pytest.fixture(scope="module")
def client():
    return create_app(store=graph_store()).test_client()


def reconcile(client, queries: dict) -> dict:
    """POST a batch the way OpenRefine does: form-encoded, the batch as JSON in ``queries``."""
    check("queryBatch", queries)
    resp = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    body = resp.get_json()
    check("resultBatch", body)
    assert set(body) == set(queries)
    return body


def test_manifest(client):
    resp = client.get("/reconcile")
    manifest = resp.get_json()
    check("manifest", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/newskg/id/"
    assert {t["id"] for t in manifest["defaultTypes"]} == {"Person", "Government"}
    assert manifest["preview"]["url"].startswith("http://localhost/reconcile/preview?id=")


def test_manifest_as_jsonp(client):
    resp = client.get("/reconcile?callback=jQuery123_456")
    text = resp.get_data(as_text=True)
    assert resp.mimetype == "application/javascript"
    assert text.startswith("jQuery123_456(") and text.endswith(");")
    check("manifest", json.loads(text[len("jQuery123_456("):-2]))
    # a callback that is not a plain name is ignored, not echoed into a script
    assert client.get("/reconcile?callback=alert(1)//").mimetype == "application/json"


def test_batch_with_type_filters(client):
    body = reconcile(client, {
        "q0": {"query": "Aliaksandr Lukashenka", "type": "Person", "type_strict": "should"},
        "q1": {"query": "Belarus", "type": "Government", "type_strict": "should"},
        "q2": {"query": "Belarus", "type": "Person", "type_strict": "should"},
        "q3": {"query": "Kovalenka", "type": "Person", "type_strict": "should", "limit": 1},
    })
    top = body["q0"]["result"][0]
    assert (top["id"], top["match"]) == ("person/alexander-lukashenko", True)
    assert top["score"] >= 90 and top["type"] == [{"id": "Person", "name": "person"}]
    ids = [r["id"] for r in body["q1"]["result"]]
    assert ids[0] == "government/belarus" and body["q1"]["result"][0]["match"]
    assert "government/kgb-of-belarus" in ids and not any(i.startswith("person/") for i in ids)
    assert body["q2"]["result"] == []
    # two people share the surname: candidates, but neither is a sure match
    assert len(body["q3"]["result"]) == 1 and not body["q3"]["result"][0]["match"]


def test_types_given_as_class_iris_or_wikidata_classes(client):
    body = reconcile(client, {
        "q0": {"query": "Putin", "type": "https://w3id.org/newskg/ontology#Person"},
        "q1": {"query": "Putin", "type": ["Q5"]},
        "q2": {"query": "Putin", "type": "Q6256"},
    })
    assert body["q0"]["result"][0]["id"] == body["q1"]["result"][0]["id"] == "person/vladimir-putin"
    assert body["q2"]["result"] == []


def test_properties_add_evidence(client):
    body = reconcile(client, {
        "q0": {"query": "Kovalenka", "properties": [{"pid": "wikidata", "v": "Q7747"}]},
        "q1": {"query": "Vladimir Putin", "properties": [{"pid": "wikidata", "v": "Q1"}]},
        "q2": {"query": "Lukashenka", "properties": [
            {"pid": "position", "v": "President"},
            {"pid": "government", "v": {"id": "government/belarus", "name": "Belarus"}}]},
        "q3": {"properties": [{"pid": "wikidata", "v": ["http://www.wikidata.org/entity/Q7747"]}]},
    })
    # a matching Wikidata id settles it, even against a poor name
    assert body["q0"]["result"][0]["id"] == "person/vladimir-putin" and body["q0"]["result"][0]["match"]
    # a different id weighs against the candidate
    assert body["q1"]["result"][0]["score"] == 50 and not body["q1"]["result"][0]["match"]
    features = {f["id"]: f["value"] for f in body["q2"]["result"][0]["features"]}
    assert features["position"] is True and features["government"] is True
    assert body["q2"]["result"][0]["score"] == 100
    assert [r["id"] for r in body["q3"]["result"]] == ["person/vladimir-putin"]


def test_get_with_queries_parameter(client):
    resp = client.get("/reconcile", query_string={"queries": json.dumps({"q0": {"query": "OSCE"}})})
    body = resp.get_json()
    check("resultBatch", body)
    assert body["q0"]["result"][0]["id"] == "government/osce"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '{"q0": "Putin"}'])
def test_malformed_batches_are_client_errors(client, raw):
    resp = client.post("/reconcile", data={"queries": raw})
    assert resp.status_code == 400 and "error" in resp.get_json()


def test_preview(client):
    resp = client.get("/reconcile/preview", query_string={"id": "person/alexander-lukashenko"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "Alexander Lukashenko" in page and "President of Belarus" in page
    assert client.get("/reconcile/preview?id=person/nobody").status_code == 404


def test_suggest(client):
    entities = client.get("/reconcile/suggest/entity", query_string={"prefix": "luka"}).get_json()
    check("suggestEntities", entities)
    assert [r["id"] for r in entities["result"]] == ["person/alexander-lukashenko"]
    governments = client.get("/reconcile/suggest/entity?prefix=b&type=Government").get_json()
    # names that start with the prefix first, then names with a word that does
    assert [r["id"] for r in governments["result"]] == ["government/belarus", "government/kgb-of-belarus"]
    types = client.get("/reconcile/suggest/type?prefix=gov").get_json()
    check("suggestTypes", types)
    assert [t["id"] for t in types["result"]] == ["Government"]
    props = client.get("/reconcile/suggest/property?prefix=").get_json()
    check("suggestProperties", props)
    assert {p["id"] for p in props["result"]} == {"wikidata", "position", "government"}
    assert client.get("/reconcile/suggest/nothing").status_code == 404


def test_schema_rejects_what_the_specification_forbids():
    with pytest.raises(Exception):
        check("resultBatch", {"q0": {"result": [{"id": "x", "name": "X"}]}})  # no score
    with pytest.raises(Exception):
        check("manifest", {"versions": ["0.1"], "name": "n", "identifierSpace": "i", "schemaSpace": "s"})

"""QuickStatements export: commands checked against the documented v1 syntax, and what they say.

The syntax (Wikidata's QuickStatements help): one command per line, fields
separated by tabs. ``CREATE`` makes an item that later lines call ``LAST``. A
term line is ``<item> L|A|D<lang> "<text>"``; a statement line is ``<item>
P<n> <value>`` followed by qualifier pairs (``P<n> <value>``) and then source
pairs (``S<n> <value>``). Values: an item ``Q<n>``, a string ``"..."``, a
monolingual text ``<lang>:"..."``, a time ``+YYYY-MM-DDT00:00:00Z/<precision>``.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from click.testing import CliRunner
from wikidata_graph import graph_store

from kg.cli import main
from kg.web import create_app
from kg.wikidata import claims, quickstatements

RETRIEVED = date(2026, 11, 22)
ITEM = re.compile(r"^Q[1-9]\d*$")
VALUE = re.compile(r'^(Q[1-9]\d*|"[^\t\n]*"|[a-z]{2,3}:"[^\t\n]*"|\+\d{4}-\d\d-\d\dT00:00:00Z/(9|10|11))$')
TERM = re.compile(r'^[LAD][a-z]{2,3}$')


def parse(text: str) -> list[dict]:
    """Commands of a QuickStatements v1 batch; raises AssertionError on any line off the syntax."""
    commands = []
    created = False
    for n, line in enumerate(text.splitlines(), 1):
        fields = line.split("\t")
        assert all(f == f.strip() and f for f in fields), f"line {n}: empty or padded field: {line!r}"
        if fields == ["CREATE"]:
            created = True
            commands.append({"op": "create"})
            continue
        subject = fields[0]
        assert ITEM.match(subject) or (subject == "LAST" and created), f"line {n}: bad subject {subject!r}"
        if TERM.match(fields[1]):
            assert len(fields) == 3 and re.match(r'^"[^\t]+"$', fields[2]), f"line {n}: bad term line"
            commands.append({"op": "term", "subject": subject, "term": fields[1], "text": fields[2][1:-1]})
            continue
        assert re.match(r"^P[1-9]\d*$", fields[1]) and VALUE.match(fields[2]), f"line {n}: bad statement"
        pairs = fields[3:]
        assert len(pairs) % 2 == 0, f"line {n}: unpaired qualifier or source"
        quals, sources, in_sources = [], [], False
        for prop, value in zip(pairs[::2], pairs[1::2]):
            assert VALUE.match(value), f"line {n}: bad value {value!r}"
            if prop.startswith("S"):
                in_sources = True
                sources.append((prop, value))
            else:
                assert not in_sources, f"line {n}: qualifier after a source"
                assert re.match(r"^P[1-9]\d*$", prop), f"line {n}: bad qualifier {prop!r}"
                quals.append((prop, value))
        commands.append({"op": "statement", "subject": subject, "prop": fields[1], "value": fields[2],
                         "qualifiers": quals, "sources": dict(sources)})
    return commands


@pytest.fixture(scope="module")
def batch():
    return quickstatements.render(claims.read(graph_store()), RETRIEVED)


@pytest.fixture(scope="module")
def commands(batch):
    return parse(batch.text)


def blocks(commands) -> dict[str, list[dict]]:
    """The commands of each created item, by its English label."""
    out, current = {}, None
    for c in commands:
        if c["op"] == "create":
            current = []
        elif c["subject"] == "LAST":
            if c["op"] == "term" and c["term"] == "Len":
                out[c["text"]] = current
            current.append(c)
    return out


def test_every_statement_carries_a_full_reference(commands):
    statements = [c for c in commands if c["op"] == "statement"]
    assert statements
    for c in statements:
        src = c["sources"]
        assert "S854" in src or "S1476" in src, c
        assert src["S813"] == "+2026-11-22T00:00:00Z/11", c


def test_existing_item_gets_position_held_with_qualifier_and_reference(commands):
    putin = [c for c in commands if c["op"] == "statement" and c["subject"] == "Q7747"]
    assert [(c["prop"], c["value"]) for c in putin] == [("P39", "Q218295")]
    st = putin[0]
    assert st["qualifiers"] == [("P585", "+2020-08-15T00:00:00Z/11")]
    assert st["sources"] == {"S854": '"https://news.example.org/kremlin-backs-minsk"',
                             "S1476": 'en:"Kremlin backs Minsk"',
                             "S577": "+2020-08-15T00:00:00Z/11",
                             "S813": "+2026-11-22T00:00:00Z/11"}


def test_deprecated_and_redundant_claims_left_out(batch, commands):
    assert "P642" not in batch.text  # Wikidata is phasing out "of"; the view keeps it
    existing = [c for c in commands if c["op"] == "statement" and c["subject"] != "LAST"]
    assert all(c["prop"] != "P31" for c in existing)


def test_entity_without_id_is_created_with_terms_and_sourced_claims(commands):
    luka = blocks(commands)["Alexander Lukashenko"]
    terms = {(c["term"], c["text"]) for c in luka if c["op"] == "term"}
    assert ("Den", "President of Belarus") in terms
    assert ("Aen", "Alyaksandr Lukashenka") in terms
    assert ("Aen", "Lukashenka") not in terms  # a bare surname is no alias on Wikidata
    p31 = [c for c in luka if c["op"] == "statement" and c["prop"] == "P31"]
    assert [c["value"] for c in p31] == ["Q5", "Q5"]  # one line per article that names him
    second = p31[1]["sources"]
    assert second == {"S1476": 'en:"Envoy heads to Vilnius"', "S813": "+2026-11-22T00:00:00Z/11"}
    # his post has no Wikidata item yet, so there is no P39 to write
    assert not [c for c in luka if c["op"] == "statement" and c["prop"] == "P39"]


def test_government_body_created_as_agency_part_of_its_country(commands):
    kgb = blocks(commands)["KGB of Belarus"]
    statements = {(c["prop"], c["value"]) for c in kgb if c["op"] == "statement"}
    assert statements == {("P31", "Q327333"), ("P361", "Q184")}
    aliases = {c["text"] for c in kgb if c["op"] == "term" and c["term"] == "Aen"}
    assert aliases == {"KGB"}  # the possessive "Belarus's KGB" is not a name


def test_nothing_without_a_citable_source(batch, commands):
    created = blocks(commands)
    # named only in an article with neither URL nor title
    assert "Ales Kovalenka" not in created
    assert "Organization for Security and Cooperation in Europe" not in created
    assert "Ales Kovalenka" in batch.skipped
    assert "Hanna Kovalenka" in created  # named in a titled article
    # Biegun's article names him but not next to his title: no sourced P39
    assert not [c for c in created["Stephen Biegun"] if c.get("prop") == "P39"]


def test_string_values_cannot_break_the_line():
    assert quickstatements.string("a\tb\nc  d") == '"a b c d"'
    assert quickstatements.time(date(2020, 8, 9)) == "+2020-08-09T00:00:00Z/11"


def test_sample_corpus_batch_is_well_formed(sample_store):
    batch = quickstatements.render(claims.read(sample_store), RETRIEVED)
    commands = parse(batch.text)
    statements = [c for c in commands if c["op"] == "statement"]
    assert batch.created > 5 and len(statements) > 20
    assert all("S1476" in c["sources"] or "S854" in c["sources"] for c in statements)


def test_cli_and_server_give_the_same_batch(tmp_path, batch):
    store_dir = tmp_path / "store"
    graph_store(store_dir).store.flush()
    out = tmp_path / "batch.qs"
    result = CliRunner().invoke(main, ["export", "--store", str(store_dir), "--format", "quickstatements",
                                       "--retrieved", "2026-11-22", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == batch.text
    app = create_app(store=graph_store())
    resp = app.test_client().get("/quickstatements", query_string={"retrieved": "2026-11-22"})
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert resp.get_data(as_text=True) == batch.text
    assert app.test_client().get("/quickstatements?retrieved=yesterday").status_code == 400


def test_cli_rejects_article_with_wikidata_formats(tmp_path):
    graph_store(tmp_path / "s")
    result = CliRunner().invoke(main, ["export", "--store", str(tmp_path / "s"), "--format",
                                       "quickstatements", "--article", "a1.txt"])
    assert result.exit_code != 0 and "--article" in result.output

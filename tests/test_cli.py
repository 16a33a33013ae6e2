"""The `kg` command line, in-process (click's CliRunner) and once as a real process."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import kg_command, sample_files, write
from rdflib import DCTERMS, Dataset, Graph

from kg.cli import main

GOOD_A = """Belarus recalls ambassadors from Warsaw and Vilnius
Belarus on Friday recalled its ambassadors from Poland and Lithuania for consultations, the foreign ministry in Minsk said.
The ministry accused both neighbours of meddling in the country's internal affairs.
"""
GOOD_B = """Minsk protest leader detained
Police in Minsk detained an opposition activist on Thursday, October 1, 2020, her lawyer said.
Lukashenko said the protests were being directed from abroad.
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/newskg/ontology#Article> }"


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory, samples_dir):
    """A store folder built from the samples by `kg build --store`."""
    store = tmp_path_factory.mktemp("cli") / "kgstore"
    res = CliRunner().invoke(main, ["build", str(samples_dir), "--store", str(store), "-q"])
    assert res.exit_code == 0, res.output + (res.stderr or "")
    return store


def test_help_lists_commands(runner):
    res = runner.invoke(main, ["--help"])
    assert res.exit_code == 0
    for cmd in ("build", "serve", "export", "query", "validate", "explain"):
        assert cmd in res.output, cmd


def test_build_to_turtle_file(runner, samples_dir, tmp_path):
    out = tmp_path / "out.ttl"
    res = runner.invoke(main, ["build", str(samples_dir), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.stderr
    g = Graph().parse(out, format="turtle")
    ids = {str(o) for o in g.objects(None, DCTERMS.identifier)}
    assert ids == {p.name for p in sample_files()}
    assert f"built {len(sample_files())} article(s)" in res.stderr


def test_build_with_one_broken_file(runner, tmp_path):
    corpus = tmp_path / "in"
    write(corpus / "a_recall.txt", GOOD_A)
    bad = write(corpus / "b_broken.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")  # a PDF saved as .txt
    write(corpus / "c_detained.txt", GOOD_B)
    store = tmp_path / "store"
    res = runner.invoke(main, ["build", str(corpus), "--store", str(store), "-q"])
    assert res.exit_code != 0
    assert f"error: {bad}: binary data (a PDF document), not text" in res.stderr
    assert "2 article(s)" in res.stderr and "1 failed" in res.stderr
    q = runner.invoke(main, ["query", COUNT, "--store", str(store), "--format", "csv"])
    assert q.exit_code == 0, q.output
    assert q.output.splitlines()[-1].strip() == "2"


def test_build_missing_input_fails(runner, tmp_path):
    res = runner.invoke(main, ["build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "x.ttl"), "-q"])
    assert res.exit_code != 0
    assert "nope.txt" in res.stderr and "no such file" in res.stderr


def test_query_prints_table(runner, cli_store):
    res = runner.invoke(main, ["query", "PREFIX dcterms: <http://purl.org/dc/terms/> "
                               "SELECT ?id WHERE { ?a dcterms:identifier ?id } ORDER BY ?id",
                               "--store", str(cli_store)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("| id")
    assert set(lines[1]) <= {"|", "-"}
    assert len(lines) == 2 + len(sample_files())
    assert sample_files()[0].name in lines[2]


def test_query_from_file_and_ask(runner, cli_store, tmp_path):
    q = write(tmp_path / "q.rq", "ASK { ?s a <https://w3id.org/newskg/ontology#Statement> }")
    res = runner.invoke(main, ["query", f"@{q}", "--store", str(cli_store)])
    assert res.exit_code == 0 and res.output.strip() == "true"


def test_query_malformed_is_an_error(runner, cli_store):
    res = runner.invoke(main, ["query", "SELECT WHERE {", "--store", str(cli_store)])
    assert res.exit_code != 0
    assert "malformed query" in res.stderr


def test_query_without_store_is_an_error(runner, tmp_path):
    res = runner.invoke(main, ["query", COUNT, "--store", str(tmp_path / "none")])
    assert res.exit_code != 0
    assert "kg build" in res.stderr


def test_export_trig(runner, cli_store):
    res = runner.invoke(main, ["export", "--format", "trig", "--store", str(cli_store)])
    assert res.exit_code == 0
    ds = Dataset()
    ds.parse(data=res.stdout_bytes.decode("utf-8"), format="trig")
    graphs = {str(q[3]) for q in ds.quads((None, None, None, None))}
    assert sum("/article/" in g for g in graphs) == len(sample_files())


def test_export_to_file_and_one_article(runner, cli_store, tmp_path):
    out = tmp_path / "one.nt"
    name = sample_files()[0].name
    res = runner.invoke(main, ["export", "--format", "nt", "--article", name, "-o", str(out),
                               "--store", str(cli_store)])
    assert res.exit_code == 0
    g = Graph().parse(out, format="nt")
    assert {str(o) for o in g.objects(None, DCTERMS.identifier)} == {name}


def test_validate_samples(runner, cli_store):
    res = runner.invoke(main, ["validate", "--store", str(cli_store)])
    assert res.exit_code == 0, res.output
    assert "Conforms: True" in res.output


def test_validate_file_that_breaks_shapes(runner, tmp_path):
    bad = write(tmp_path / "bad.ttl", """@prefix nkg: <https://w3id.org/newskg/ontology#> .
<https://example.org/s1> a nkg:Statement ; nkg:text "no speaker given" .
""")
    res = runner.invoke(main, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "Conforms: False" in res.output


def test_explain_one_sample(runner, samples_dir):
    path = sample_files()[0]
    res = runner.invoke(main, ["explain", str(path)])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"# {path.name}: ")
    assert "published: " in res.output
    sentences = [ln for ln in res.output.splitlines() if ln.startswith("[")]
    facts = [ln for ln in res.output.splitlines() if ln.startswith("  - ")]
    assert sentences and facts
    assert all("<-" in f for f in facts), "every fact names the rule behind it"


def test_real_process_build_and_query(tmp_path):
    corpus = tmp_path / "in"
    write(corpus / "a_recall.txt", GOOD_A)
    store = tmp_path / "store"
    env = {**os.environ, "KG_STORE": str(store)}
    for cmd in (kg_command(), [sys.executable, "-m", "kg.cli"]):
        res = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0 and "build" in res.stdout, (cmd, res.stderr)
    res = subprocess.run([*kg_command(), "build", str(corpus), "-q"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    assert store.is_dir()
    res = subprocess.run([*kg_command(), "query", COUNT, "--format", "json"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    import json

    assert json.loads(res.stdout)["results"]["bindings"][0]["n"]["value"] == "1"

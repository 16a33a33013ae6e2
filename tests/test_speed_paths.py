"""The fast and scaled-out paths give the same graph as the plain one:
worker processes and a Dask cluster, incremental rebuilds, the bulk article loader
(all or nothing per article, even when killed), and `kg push` to a real
`oxigraph serve`."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES, free_port, write
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store

from kg import pipeline
from kg.cli import main
from kg.pipeline import Builder
from kg.store import KGStore


def quads(store: KGStore | Store) -> set[Quad]:
    return set(store.store if isinstance(store, KGStore) else store)


@pytest.fixture(scope="module")
def reference() -> set[Quad]:
    """The samples built the plain way: one process, one fresh registry."""
    store = KGStore()
    assert Builder().build([str(SAMPLES)], store).ok
    return quads(store)


# ---------------------------------------------------------------- parallel builds

def test_worker_processes_build_the_same_graph(reference):
    store = KGStore()
    report = Builder(processes=2, batch_size=3).build([str(SAMPLES)], store)
    assert report.ok and report.n_built == 12
    assert quads(store) == reference


INTRO = """Warsaw, March 3, 2021

Polish economist Jan Wrzosowski, an adviser to the opposition, said on Tuesday that
the Belarusian economy could not carry the cost of the crackdown much longer.
"""
LATER = """Warsaw, March 4, 2021

"The reserves are almost gone," Wrzosowski said in an interview on Wednesday,
adding that the state banks were lending to loss-making factories.
"""


def test_a_surname_learnt_in_flight_is_resolved_as_in_one_process(tmp_path):
    """The second article names the economist by surname only; its batch is sent
    before the first article is resolved, so the worker cannot know the surname and
    the build must extract it again once it does."""
    corpus = tmp_path / "corpus"
    write(corpus / "a_intro.txt", INTRO)
    write(corpus / "b_later.txt", LATER)
    plain, parallel = KGStore(), KGStore()
    Builder().build([str(corpus)], plain)
    report = Builder(processes=2, batch_size=1).build([str(corpus)], parallel)
    assert report.reextracted == 1
    assert quads(parallel) == quads(plain)
    speakers = {r["n"].value for r in parallel.query("""
        PREFIX nkg: <https://w3id.org/newskg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?n WHERE { ?s a nkg:Statement ; nkg:speaker ?p . ?p rdfs:label ?n }""")}
    assert "Jan Wrzosowski" in speakers


def test_dask_local_cluster_builds_the_same_graph(reference):
    from kg.distributed import DaskExecutor

    store = KGStore()
    with DaskExecutor("local", workers=2) as cluster:
        assert cluster.slots == 2
        report = Builder(batch_size=4).build([str(SAMPLES)], store, executor=cluster)
    assert report.ok and report.n_built == 12
    assert quads(store) == reference


def test_cli_build_with_processes_and_cluster(tmp_path, reference):
    for opts in (["-j", "2"], ["--cluster", "local", "-j", "2"]):
        where = tmp_path / opts[1]
        res = CliRunner().invoke(main, ["build", "-q", *opts, "--store", str(where), str(SAMPLES)])
        assert res.exit_code == 0, res.output
        assert "built 12 article(s)" in res.output
        store = KGStore(where, read_only=True)
        assert quads(store) == reference
        del store


# ---------------------------------------------------------------- incremental builds

def test_rebuild_parses_only_changed_articles(tmp_path, corpus_copy, monkeypatch):
    parsed: list[str] = []
    real = pipeline._extract_stream

    def counting(nlp, gaz, lex, articles, *args):
        parsed.extend(a.identifier for a in articles)
        return real(nlp, gaz, lex, articles, *args)

    monkeypatch.setattr(pipeline, "_extract_stream", counting)
    store = KGStore(tmp_path / "store")
    Builder().build([str(corpus_copy)], store)
    assert len(parsed) == 12
    parsed.clear()
    before = quads(store)

    report = Builder().build([str(corpus_copy)], store)
    assert parsed == [] and report.n_unchanged == 12 and quads(store) == before

    path = corpus_copy / "107_merkel_berlin.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Merkel", "Scholz"), encoding="utf-8")
    report = Builder().build([str(corpus_copy)], store)
    assert parsed == ["107_merkel_berlin.txt"] and report.n_built == 1
    graph = NamedNode("https://w3id.org/newskg/id/article/107_merkel_berlin.txt")
    content = {q.object.value for q in store.store.quads_for_pattern(
        graph, NamedNode("https://w3id.org/newskg/ontology#content"), None, graph)}
    assert len(content) == 1 and "Scholz" in content.pop(), "the graph holds only the new text"
    untouched = {q for q in before if q.graph_name != graph}
    assert untouched <= quads(store)


# ---------------------------------------------------------------- the article loader

G = "http://example.org/g/"


def article(i: int, n: int = 50, tag: str = "v1") -> tuple[NamedNode, list[Quad], list[Quad]]:
    g = NamedNode(f"{G}{i}")
    mine = [Quad(g, NamedNode(f"http://example.org/p{k}"), Literal(f"{tag}-{i}-{k}"), g) for k in range(n)]
    shared = [Quad(NamedNode(f"http://example.org/e{i % 7}"), NamedNode("http://example.org/seen"),
                   Literal("yes"), NamedNode(G + "entities"))]
    return g, mine, shared


def test_loader_adds_new_and_replaces_existing_articles():
    store = KGStore()
    with store.loader(max_quads=120) as loader:
        for i in range(10):
            loader.put(*article(i))
        loader.put(*article(3, n=5, tag="v2"))  # still queued when replaced
    with store.loader() as loader:
        loader.put(*article(4, n=7, tag="v2"))  # in the store: replaced by a transaction
    sizes = {i: len(list(store.store.quads_for_pattern(None, None, None, NamedNode(f"{G}{i}"))))
             for i in range(10)}
    assert sizes == {**{i: 50 for i in range(10)}, 3: 5, 4: 7}
    assert len(list(store.store.quads_for_pattern(None, None, None, NamedNode(G + "entities")))) == 7


def test_loader_refuses_batches_the_bulk_loader_would_split():
    with pytest.raises(ValueError):
        KGStore().loader(max_quads=1_000_000)


WRITER = """
import sys
from kg.store import KGStore
sys.path.insert(0, sys.argv[2])
from test_speed_paths import article
store = KGStore(sys.argv[1])
with store.loader(max_quads=2000) as loader:
    for i in range(100_000):
        loader.put(*article(i))
        if i == 300:
            print("writing", flush=True)
"""


@pytest.mark.parametrize("delay", [0.2, 0.7, 1.5])
def test_killed_loader_leaves_each_article_whole_or_absent(tmp_path, delay):
    where = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(where), str(Path(__file__).parent)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = Store(str(where))
    counts: dict[str, int] = {}
    for q in store:
        if q.graph_name.value != G + "entities":
            counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    assert counts, "some batches were written before the kill"
    assert set(counts.values()) == {50}, "an article was cut"


# ---------------------------------------------------------------- push

@pytest.fixture()
def oxigraph_server(tmp_path):
    """A real `oxigraph serve` on a free local port (PyPI package `oxigraph`)."""
    exe = shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the `oxigraph` server is not installed (it is in the test extra)")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "remote"),
                             "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("oxigraph serve did not start")
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def remote_quads(base: str) -> set[Quad]:
    req = urllib.request.Request(base + "/store", headers={"Accept": "application/n-quads"})
    remote = Store()
    remote.load(urllib.request.urlopen(req, timeout=30).read(), RdfFormat.N_QUADS)
    return set(remote)


def fill(where: Path) -> None:
    """30 article graphs and a triple in the default graph; the store closed after."""
    local = KGStore(where)
    with local.loader() as loader:
        for i in range(30):
            loader.put(*article(i))
    local.store.add(Quad(NamedNode("http://example.org/s"), NamedNode("http://example.org/p"),
                         Literal("in the default graph")))


@pytest.mark.parametrize("protocol,path", [("gsp", "/store"), ("update", "/update")])
def test_push_copies_every_graph_and_replaces_on_repush(tmp_path, oxigraph_server, protocol, path):
    fill(tmp_path / "store")
    cli = ["push", oxigraph_server + path, "--protocol", protocol, "--store", str(tmp_path / "store")]
    res = CliRunner().invoke(main, cli)
    assert res.exit_code == 0, res.output
    assert "pushed 32 graph(s)" in res.output
    assert remote_quads(oxigraph_server) == quads(Store(str(tmp_path / "store")))

    KGStore(tmp_path / "store").replace_article(*article(5, n=3, tag="v2"))
    assert CliRunner().invoke(main, cli).exit_code == 0
    assert remote_quads(oxigraph_server) == quads(Store(str(tmp_path / "store"))), \
        "a pushed graph replaces the remote one"


def test_push_reports_a_refusing_server(tmp_path, oxigraph_server):
    KGStore(tmp_path / "store").replace_article(*article(1))
    res = CliRunner().invoke(main, ["push", oxigraph_server + "/no-such-endpoint",
                                    "--store", str(tmp_path / "store")])
    assert res.exit_code != 0
    assert "HTTP 404" in res.output

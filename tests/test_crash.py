"""Crash safety and concurrent use of one store, with real `kg build` processes.

A build killed with SIGKILL mid-run must leave a store that opens and answers, in
which every article graph is complete (exactly what an uninterrupted build writes for
it, old or new, never a part), and a rerun must finish the work: the store then equals
an uninterrupted build. A second build, a query or an export on a store that a build
is writing is refused with a message naming the other process.

The store is never opened while the build writes it (undefined behaviour in RocksDB);
the build's progress on stderr says when to strike. ``KG_CRASH_ROUNDS=N`` repeats each
kill N times at random moments (a fault-injection campaign outside the suite);
``KG_CRASH_PROCESSES=2`` runs those builds with worker processes.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import NKG, kg_command, kg_serving, sample_files

from kg.pipeline import Builder
from kg.rdf import mapping
from kg.readers import read_articles
from kg.store import KGStore

pytestmark = pytest.mark.slow
ROUNDS = int(os.environ.get("KG_CRASH_ROUNDS", "1"))
# KG_CRASH_PROCESSES=2: the killed builds and their reruns parse in worker processes
WORKERS = ("--processes", os.environ.get("KG_CRASH_PROCESSES", "1"))
COPIES = 4  # x 12 samples: a build long enough to strike in the middle
ARTICLE = NKG + "Article"


def make_corpus(dest: Path, edition: str) -> Path:
    """COPIES distinct copies of each sample (a sentence of their own after the lead);
    another ``edition`` changes every article's text."""
    dest.mkdir(parents=True)
    for k in range(COPIES):
        for src in sample_files():
            lines = src.read_text(encoding="utf-8").splitlines()
            lead = next(i for i, ln in enumerate(lines) if len(ln) > 120 and ln.rstrip().endswith("."))
            lines.insert(lead + 1, f"\nThis copy was filed as number {k} of the {edition} series for the archive.\n")
            (dest / f"c{k}_{src.name}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


Graphs = dict[str, frozenset[str]]


def graphs_of(store: KGStore) -> Graphs:
    """Graph name -> its quads, as N-Quads lines."""
    out: dict[str, set[str]] = {}
    for q in store.store:
        out.setdefault(str(q.graph_name), set()).add(str(q))
    return {g: frozenset(qs) for g, qs in out.items()}


def on_disk(path: Path) -> Graphs:
    """The graphs of a store on disk, once it opens and its queries agree with them."""
    store = KGStore(path, read_only=True)
    graphs = graphs_of(store)
    answered = {r["a"].value for r in store.query(f"SELECT ?a WHERE {{ ?a a <{ARTICLE}> }}")}
    assert answered == {g.strip("<>") for g, qs in graphs.items() if _is_article(g, qs)}
    return graphs


def _is_article(graph: str, quads: frozenset[str]) -> bool:
    return f"{graph} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ARTICLE}> {graph}" in quads


def reference(corpora: list[Path], root: Path) -> list[tuple[Graphs, Path]]:
    """The store after each build of an uninterrupted sequence, as `kg build` runs them
    (a fresh Builder per build, as each process has): its graphs, and a copy of it."""
    store = KGStore()
    states = []
    for i, corpus in enumerate(corpora):
        report = Builder().build([str(corpus)], store)
        assert report.ok, report.problems
        copy = root / f"after-{i}"
        KGStore(copy).store.bulk_extend(store.store)
        states.append((graphs_of(store), copy))
    return states


class Build:
    """A `kg build` process whose progress (tqdm's count on stderr) can be awaited."""

    def __init__(self, corpus: Path, store: Path, *options: str):
        self.proc = subprocess.Popen([*kg_command(), "build", str(corpus), "--store", str(store), *options],
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self.err = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while chunk := self.proc.stderr.read1(4096):
            self.err += chunk

    def count(self) -> int:
        found = re.findall(rb"articles: (\d+)art", self.err)
        return int(found[-1]) if found else -1

    def wait_for(self, articles: int, timeout: float = 120) -> None:
        """Until the progress bar shows ``articles`` read (-1: until it shows at all)."""
        end = time.monotonic() + timeout
        while self.count() < max(articles, 0):
            assert self.proc.poll() is None, f"the build ended early:\n{self.err.decode()}"
            assert time.monotonic() < end, "no progress"
            time.sleep(0.02)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL, "the build ended before it was killed"
        self.reader.join(timeout=10)

    def finish(self) -> str:
        assert self.proc.wait(timeout=300) == 0, self.err.decode()
        self.reader.join(timeout=10)
        return self.err.decode()


def assert_consistent(state: Graphs, versions: list[Graphs]) -> int:
    """Every article graph equals one complete version of it; the entities graph holds
    nothing no version has. Returns how many article graphs are present."""
    entities = str(mapping().entities_graph)
    for graph, quads in state.items():
        if graph == entities:  # grows monotonically, only ever with complete articles
            allowed = frozenset().union(*(v.get(graph, frozenset()) for v in versions))
            assert quads <= allowed, f"{graph} holds quads no build writes: {sorted(quads - allowed)[:3]}"
        else:
            assert any(v.get(graph) == quads for v in versions), f"{graph} is partial or mixed"
    return len(state) - (entities in state)


def rerun(corpus: Path, store: Path) -> str:
    return Build(corpus, store, *WORKERS).finish()


def strike(build: Build) -> None:
    """SIGKILL the build mid-run: in the suite once the first batch of 32 is written;
    in a campaign at a random moment of the ~10 s such a build takes (reading runs
    ahead of writing with worker processes, so the count cannot time it there)."""
    if ROUNDS == 1:
        build.wait_for(33)
    else:
        build.wait_for(-1)
        time.sleep(random.uniform(0, 10))
    if build.proc.poll() is not None:
        pytest.skip("the build finished before the kill")
    build.kill()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two editions of a corpus and the stores uninterrupted builds leave."""
    root = tmp_path_factory.mktemp("crash")
    first = make_corpus(root / "first", "first")
    second = make_corpus(root / "second", "second")
    n = len(list(read_articles([first])))
    (after_first, first_store), (after_second, _) = reference([first, second], root)
    return {"first": first, "second": second, "n": n, "after_first": after_first,
            "first_store": first_store, "after_second": after_second}


# ---------------------------------------------------------------- SIGKILL

@pytest.mark.parametrize("round_", range(ROUNDS))
def test_killed_first_build_leaves_a_consistent_store_and_a_rerun_completes(world, tmp_path, round_):
    store = tmp_path / "store"
    strike(Build(world["first"], store, *WORKERS))
    present = assert_consistent(on_disk(store), [world["after_first"]])
    print(f"killed with {present} of {world['n']} articles in the store")  # campaign figures (-rP)
    out = rerun(world["first"], store)
    assert f"{present} unchanged" in out
    assert on_disk(store) == world["after_first"]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_killed_rebuild_keeps_each_article_old_or_new_and_a_rerun_completes(world, tmp_path, round_):
    store = tmp_path / "store"
    shutil.copytree(world["first_store"], store)  # the first edition, complete
    strike(Build(world["second"], store, *WORKERS))  # every article changed: replaced one by one
    state = on_disk(store)
    assert_consistent(state, [world["after_first"], world["after_second"]])
    replaced = sum(1 for g, qs in state.items()
                   if g in world["after_second"] and qs == world["after_second"][g]
                   and qs != world["after_first"].get(g))
    print(f"killed with {replaced} of {world['n']} articles replaced")  # campaign figures (-rP)
    if ROUNDS == 1:  # struck after the first batch was written, before the last
        assert 0 < replaced < world["n"], replaced
    rerun(world["second"], store)
    assert on_disk(store) == world["after_second"]


def test_ctrl_c_keeps_complete_articles_and_says_so(world, tmp_path):
    store = tmp_path / "store"
    build = Build(world["first"], store)
    build.wait_for(33)
    build.proc.send_signal(signal.SIGINT)
    assert build.proc.wait(timeout=60) == 130
    build.reader.join(timeout=10)
    assert "interrupted: the articles written so far are kept" in build.err.decode()
    assert "Traceback" not in build.err.decode()
    assert assert_consistent(on_disk(store), [world["after_first"]]) < world["n"]


# ---------------------------------------------------------------- two processes, one store

@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="the holder's pid comes from /proc/locks")
def test_a_store_being_built_is_refused_to_other_processes(world, tmp_path):
    store = tmp_path / "store"
    build = Build(world["first"], store)
    build.wait_for(-1)  # the store is open: the bar shows after it
    try:
        for args in (["build", str(world["second"])], ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
                     ["export", "--format", "nq"]):
            started = time.monotonic()
            res = subprocess.run([*kg_command(), *args, "--store", str(store)], capture_output=True,
                                 text=True, timeout=120)
            assert res.returncode == 1, (args, res.stderr)
            assert f"store {store} is in use by another process (pid {build.proc.pid}" in res.stderr, args
            assert "Traceback" not in res.stderr
            assert time.monotonic() - started < 30, "refused, but not fast"
        assert build.proc.poll() is None, "the running build was disturbed"
    finally:
        build.kill()
    assert_consistent(on_disk(store), [world["after_first"]])


def _children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_worker_processes_end_with_a_killed_build(world, tmp_path):
    build = Build(world["first"], tmp_path / "store", "--processes", "2")
    build.wait_for(1)
    end = time.monotonic() + 60
    while len(workers := _children(build.proc.pid)) < 3:  # two workers and the resource tracker
        assert build.proc.poll() is None and time.monotonic() < end, workers
        time.sleep(0.05)
    build.kill()
    end = time.monotonic() + 30
    while any(_alive(w) for w in workers):
        assert time.monotonic() < end, f"workers outlived the killed build: {workers}"
        time.sleep(0.2)


@pytest.mark.parametrize("mode", [[], ["--inline"]], ids=["workers", "inline"])
def test_a_store_being_served_is_refused_to_a_build(world, tmp_path, mode):
    """Reading a database while another process writes it is undefined behaviour, so a
    build must not start on a store `kg serve` holds open, and must say why."""
    store = tmp_path / "store"
    shutil.copytree(world["first_store"], store)
    with kg_serving("--store", str(store), *mode):
        res = subprocess.run([*kg_command(), "build", str(world["second"]), "--store", str(store)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 1, res.stderr
        assert f"store {store} is being read by another process" in res.stderr
        assert "Traceback" not in res.stderr
    assert on_disk(store) == world["after_first"]
    rerun(world["second"], store)  # with the server gone, the build goes ahead
    assert on_disk(store) == world["after_second"]

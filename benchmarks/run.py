"""newskg benchmarks, each measured side by side with its reference in the same run.

    python benchmarks/run.py                 # every section (about an hour on 2 cores)
    python benchmarks/run.py --quick         # small sizes, a smoke test (-> benchmarks/data/)
    python benchmarks/run.py --only growth   # some sections: build, incremental, load, query, growth

Sections (details in benchmarks/README.md):

- build: words/s of ``Builder`` with worker processes against bare spaCy ``nlp.pipe``
  (same model and pipeline, same texts, same process count and batch size);
- incremental: a rebuild of unchanged articles, and of a few changed ones;
- load: quads/s of the build's article loader against pyoxigraph ``bulk_load`` of
  the same quads;
- query: latency and throughput of ``kg serve`` against ``oxigraph serve`` on the
  same data, for a query mix at 1 and 8 concurrent clients;
- growth: time, store size and peak memory of ``kg build`` at 1k, 10k, 100k articles.

Corpora are generated from the sample articles (benchmarks/synth.py) into
benchmarks/data/ (git-ignored). Each section saves its figures as JSON there;
benchmarks/RESULTS.md is rendered from the latest figures of every section, each
with the date and machine it was measured on. Needs the ``bench`` extra (psutil,
oxigraph). All traffic stays on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
FIGURES = DATA / "results"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTIONS = ("build", "incremental", "load", "query", "growth")
PROCESSES = 2
BATCH = 32
NKG = "https://w3id.org/newskg/ontology#"
PREFIXES = f"""PREFIX nkg: <{NKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


# ---------------------------------------------------------------- helpers

def log(*args) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *args, flush=True)


def corpus(name: str, n: int, paragraphs: tuple[int, int], seed: int) -> Path:
    """A synthetic corpus folder, generated once."""
    path = DATA / "corpora" / name
    done = path / ".complete"
    if not done.exists():
        shutil.rmtree(path, ignore_errors=True)
        log(f"generating {n} articles into {path}")
        for _ in synth.generate(n, path, seed=seed, paragraphs=paragraphs):
            pass
        done.write_text(str(n))
    return path


def machine() -> dict:
    import pyoxigraph
    import spacy

    from kg.nlp import pipeline

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    meta = pipeline().meta
    oxi = subprocess.run([_oxigraph(), "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average_at_start": os.getloadavg()[0],
        "python": platform.python_version(), "spacy": spacy.__version__,
        "model": f"{meta['lang']}_{meta['name']} {meta['version']}",
        "pyoxigraph": pyoxigraph.__version__, "oxigraph_server": oxi,
    }


def _oxigraph() -> str:
    exe = shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or shutil.which("oxigraph")
    if exe is None:
        sys.exit("the `oxigraph` server is missing: pip install 'newskg[bench]'")
    return exe


def words(texts) -> int:
    return sum(len(t.split()) for t in texts)


def save(section: str, figures: dict) -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / f"{section}.json").write_text(json.dumps(figures, indent=2))


def store_dir(name: str) -> Path:
    path = DATA / "stores" / name
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- build

def bench_build(n: int, rounds: int) -> dict:
    from kg.distributed import DaskExecutor
    from kg.nlp import pipeline
    from kg.pipeline import Builder, Job, ProcessPool
    from kg.readers import read_articles
    from kg.records import Article
    from kg.store import KGStore

    src = corpus(f"full-{n}", n, synth.FULL, seed=0)
    texts = [a.text for a in read_articles([src]) if isinstance(a, Article)]
    nwords = words(texts)
    nlp = pipeline()
    warm_jobs = [Job([], {}, None, None, BATCH)] * PROCESSES

    def ceiling() -> float:
        t = time.perf_counter()
        for _ in nlp.pipe(texts, n_process=PROCESSES, batch_size=BATCH):
            pass
        return time.perf_counter() - t

    def build(executor, name: str) -> tuple[float, dict]:
        store = KGStore(store_dir(name))
        t = time.perf_counter()
        report = Builder(batch_size=BATCH).build([str(src)], store, executor=executor, keep_ids=False)
        took = time.perf_counter() - t
        assert report.ok and report.n_built == len(texts), report.problems[:3]
        return took, {"triples": report.triples, "reextracted": report.reextracted}

    runs = []
    pool = ProcessPool(PROCESSES)
    t = time.perf_counter()
    for f in [pool.submit(j) for j in warm_jobs]:
        f.result()
    pool_start = time.perf_counter() - t
    try:
        for r in range(rounds):
            c = ceiling()
            log(f"build round {r + 1}: spaCy nlp.pipe {nwords / c:,.0f} words/s")
            b, info = build(pool, f"full-{n}")
            log(f"build round {r + 1}: kg build {nwords / b:,.0f} words/s ({info})")
            runs.append({"ceiling_s": c, "build_s": b, **info})
    finally:
        pool.close()
    t = time.perf_counter()
    with DaskExecutor("local", workers=PROCESSES) as cluster:
        for f in [cluster.submit(j) for j in warm_jobs]:
            f.result()
        dask_start = time.perf_counter() - t
        d, _ = build(cluster, f"full-{n}-dask")
    log(f"build on a Dask LocalCluster: {nwords / d:,.0f} words/s")
    shutil.rmtree(DATA / "stores" / f"full-{n}-dask", ignore_errors=True)
    ceiling_s = sum(r["ceiling_s"] for r in runs)
    build_s = sum(r["build_s"] for r in runs)
    return {
        "articles": len(texts), "words": nwords, "processes": PROCESSES, "batch_size": BATCH,
        "runs": runs, "ceiling_words_s": nwords * rounds / ceiling_s,
        "build_words_s": nwords * rounds / build_s, "ratio": ceiling_s / build_s,
        "pool_start_s": pool_start, "dask_words_s": nwords / d, "dask_ratio": ceiling_s / rounds / d,
        "dask_start_s": dask_start,
    }


# ---------------------------------------------------------------- incremental

def bench_incremental(n: int) -> dict:
    from kg.pipeline import Builder
    from kg.store import KGStore

    src = corpus(f"full-{n}", n, synth.FULL, seed=0)
    where = DATA / "stores" / f"full-{n}"
    if not where.is_dir():
        sys.exit("run the build section first (it makes the store this section rebuilds)")
    store = KGStore(where)
    t = time.perf_counter()
    same = Builder(processes=PROCESSES).build([str(src)], store, keep_ids=False)
    unchanged_s = time.perf_counter() - t
    assert same.n_built == 0 and same.n_unchanged == n
    changed = DATA / "corpora" / f"changed-{n}"
    changed.mkdir(parents=True, exist_ok=True)
    k = 10
    with open(src / "part-00000.jsonl", encoding="utf-8") as fh, \
            open(changed / "part-00000.jsonl", "w", encoding="utf-8") as out:
        for _, line in zip(range(k), fh):
            rec = json.loads(line)
            rec["text"] += "\n\nThe story was updated with comments from officials in Minsk."
            out.write(json.dumps(rec) + "\n")
    before = len(store)
    t = time.perf_counter()
    edit = Builder(processes=PROCESSES).build([str(changed)], store, keep_ids=False)
    changed_s = time.perf_counter() - t
    assert edit.n_built == k
    contents = store.query(f"""SELECT ?g (COUNT(?c) AS ?n) WHERE {{ GRAPH ?g {{ ?a <{NKG}content> ?c }} }}
        GROUP BY ?g HAVING (COUNT(?c) > 1)""")
    return {"articles": n, "unchanged_s": unchanged_s, "unchanged_parsed": same.n_built,
            "changed": k, "changed_s": changed_s, "graphs_with_two_texts": len(list(contents)),
            "quads_before": before, "quads_after": len(store)}


# ---------------------------------------------------------------- load

def bench_load(n: int, rounds: int) -> dict:
    from pyoxigraph import RdfFormat, Store

    from kg.store import KGStore

    where = DATA / "stores" / f"full-{n}"
    if not where.is_dir():
        sys.exit("run the build section first (its store gives the quads to load)")
    source = Store.read_only(str(where))
    units = [(g, list(source.quads_for_pattern(None, None, None, g))) for g in source.named_graphs()]
    nquads = sum(len(q) for _, q in units)
    buf = io.BytesIO()
    source.dump(buf, RdfFormat.N_QUADS)
    data = buf.getvalue()
    del source
    flat = [q for _, qs in units for q in qs]

    def timed(load: Callable[[Path], None]) -> float:
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            t = time.perf_counter()
            load(Path(tmp) / "store")
            return time.perf_counter() - t

    def bulk_load(path: Path) -> None:
        s = Store(str(path))
        s.bulk_load(data, RdfFormat.N_QUADS)
        s.flush()

    def bulk_extend(path: Path) -> None:
        s = Store(str(path))
        s.bulk_extend(flat)
        s.flush()

    def loader(path: Path) -> None:
        store = KGStore(path)
        with store.loader() as put:
            for g, qs in units:
                put.put(g, qs, ())
        store.flush()

    times: dict[str, list[float]] = {"bulk_load": [], "bulk_extend": [], "loader": []}
    for r in range(rounds):
        for name, fn in (("bulk_load", bulk_load), ("loader", loader), ("bulk_extend", bulk_extend)):
            times[name].append(timed(fn))
        log(f"load round {r + 1}: " + ", ".join(f"{k} {nquads / v[-1]:,.0f} quads/s" for k, v in times.items()))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"graphs": len(units), "quads": nquads, "nquads_bytes": len(data), "rounds": rounds,
            "seconds": times, "quads_s": {k: nquads / v for k, v in med.items()},
            "ratio": med["bulk_load"] / med["loader"], "ratio_vs_bulk_extend": med["bulk_extend"] / med["loader"]}


# ---------------------------------------------------------------- query

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {port} did not start") from None
            time.sleep(0.2)


def query_mix(store_path: Path, size: int) -> dict[str, list[str]]:
    """Five kinds of query, each as ``size`` distinct texts (different IRIs, terms,
    bounds or limits), so a result cache cannot answer a repeat. A limit grows only
    once its pool of IRIs or terms has gone round, so texts far apart in the list
    cost about the same."""
    from pyoxigraph import NamedNode, Store

    s = Store.read_only(str(store_path))
    articles = [g.value for g in s.named_graphs() if "/article/" in g.value]
    statements = [q.subject.value for q in s.quads_for_pattern(
        None, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(NKG + "Statement"))]
    labels = sorted({q.object.value for q in s.quads_for_pattern(
        None, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None)})
    del s
    frags = sorted({w[:4].lower() for label in labels for w in label.split() if len(w) >= 4})

    def pick(pool: list[str], i: int) -> str:
        return pool[(i * 7919) % len(pool)]

    kinds = {
        "point lookup": [f"SELECT ?p ?o WHERE {{ <{pick(statements, i)}> ?p ?o }}" for i in range(size)],
        "label search": [PREFIXES + f"""SELECT ?s ?label WHERE {{ ?s rdfs:label ?label
            FILTER(CONTAINS(LCASE(?label), "{pick(frags, i)}")) }} LIMIT {20 + i // len(frags)}"""
                         for i in range(size)],
        "2-hop join": [PREFIXES + f"""SELECT ?who ?text WHERE {{ ?p nkg:mentionedIn <{pick(articles, i)}> ;
            rdfs:label ?who . ?s nkg:speaker ?p ; nkg:text ?text }} LIMIT {100 + i // len(articles)}"""
                       for i in range(size)],
        "events by type and month": [PREFIXES + f"""SELECT ?type ?month (COUNT(DISTINCT ?e) AS ?n) WHERE {{
            ?e a nkg:Event, ?class ; nkg:date ?d . FILTER(?class != nkg:Event)
            FILTER(?d >= "{(dt.date(2020, 1, 1) + dt.timedelta(days=i % 300)).isoformat()}"^^xsd:date)
            BIND(STRAFTER(STR(?class), "#") AS ?type) BIND(SUBSTR(STR(?d), 1, 7) AS ?month)
            }} GROUP BY ?type ?month ORDER BY ?month ?type""" for i in range(size)],
        "CONSTRUCT article": [f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{pick(articles, i)}> {{ ?s ?p ?o }} }}"
                              for i in range(size)],
    }
    # a limit the answers never reach makes every text unique, whatever the pools' sizes
    return {k: [q if "LIMIT" in q else f"{q} LIMIT {100_000 + i}" for i, q in enumerate(qs)]
            for k, qs in kinds.items()}


def hammer(port: int, path: str, queries: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads, one keep-alive connection each, sending the queries
    (GET, in turn) until all are sent or time is up."""
    lock = threading.Lock()
    nxt = iter(enumerate(queries))
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < deadline:
            with lock:
                item = next(nxt, None)
            if item is None:
                break
            q = item[1]
            accept = "application/n-triples" if q.lstrip().startswith("CONSTRUCT") else \
                "application/sparql-results+json"
            target = path + "?" + urllib.parse.urlencode({"query": q})
            t = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept": accept})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                ok = False
            took = time.perf_counter() - t
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors += 1
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {"requests": n, "errors": errors, "seconds": wall, "throughput": n / wall if wall else 0,
            "latencies": latencies}


#: the servers compared: (name, command, query path); the store folder is appended
SERVERS = (
    ("kg serve", [sys.executable, "-m", "kg.cli", "serve", "--store"], "/sparql"),
    ("kg serve --inline", [sys.executable, "-m", "kg.cli", "serve", "--inline", "--store"], "/sparql"),
    ("oxigraph serve", ["OXIGRAPH", "serve-read-only", "--union-default-graph", "--location"], "/query"),
)
REFERENCE = "oxigraph serve"


def _start(name: str, cmd: list[str], path: str, store: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [_oxigraph() if c == "OXIGRAPH" else c for c in cmd] + [str(store)]
    cmd += ["--bind", f"127.0.0.1:{port}"] if name == REFERENCE else ["--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wait_http(port, path + "?query=" + urllib.parse.quote("ASK {}"), proc)
    return proc, port


def bench_query(n: int, requests: int, seconds: float, rounds: int) -> dict:
    """Every server runs at once (an idle one costs nothing); for each query kind and
    client count they take turns, ``rounds`` times, so that a change in the shared
    machine's speed hits all of them alike. The ratio is the median over the rounds
    of the throughput ratio within a round."""
    from pyoxigraph import RdfFormat, Store

    where = DATA / "stores" / f"full-{n}"
    if not where.is_dir():
        sys.exit("run the build section first (its store is the data served)")
    names = [name for name, _, _ in SERVERS]
    runs = 2 * rounds * len(SERVERS)
    mix = query_mix(where, runs * requests + 5)
    ref = store_dir(f"full-{n}-oxigraph")  # the reference reads its own bulk-loaded copy
    src = Store.read_only(str(where))
    buf = io.BytesIO()
    src.dump(buf, RdfFormat.N_QUADS)
    del src
    dst = Store(str(ref))
    dst.bulk_load(buf.getvalue(), RdfFormat.N_QUADS)
    dst.flush()
    del dst, buf

    out: dict = {"articles": n, "requests_per_run": requests, "max_seconds_per_run": seconds,
                 "rounds": rounds, "servers": names, "results": {}}
    procs: dict[str, tuple[subprocess.Popen, int, str]] = {}
    try:
        for name, cmd, path in SERVERS:
            proc, port = _start(name, cmd, path, ref if name == REFERENCE else where)
            procs[name] = (proc, port, path)
        for kind, queries in mix.items():
            for name, (_, port, path) in procs.items():
                hammer(port, path, queries[:5], 1, seconds)  # warm the store's caches
            for ci, clients in enumerate((1, 8)):
                per_round = []
                for r in range(rounds):
                    order = names[r % len(names):] + names[:r % len(names)]
                    got = {}
                    for name in order:
                        # every run its own texts (no cache hits), interleaved so that each
                        # server's share of a round is drawn from the same stretch of the list
                        start = 5 + (ci * rounds + r) * requests * len(names) + names.index(name)
                        _, port, path = procs[name]
                        got[name] = hammer(port, path, queries[start:start + requests * len(names):len(names)],
                                           clients, seconds)
                    per_round.append(got)
                res = {name: _pooled([g[name] for g in per_round]) for name in names}
                for name in names:
                    if name != REFERENCE:
                        res[name]["ratio"] = statistics.median(
                            g[name]["throughput"] / g[REFERENCE]["throughput"] for g in per_round)
                out["results"].setdefault(kind, {})[str(clients)] = res
                log(f"query {kind} / {clients} client(s): " + "; ".join(
                    f"{name} {res[name]['throughput']:.1f} req/s" +
                    (f" ({res[name]['ratio']:.2f})" if name != REFERENCE else "") for name in names))
    finally:
        for proc, _, _ in procs.values():
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(ref, ignore_errors=True)
    return out


def _pooled(runs: list[dict]) -> dict:
    """Several runs of one server as one: median throughput, latencies over all requests."""
    latencies = sorted(t for r in runs for t in r["latencies"])
    n = len(latencies)
    return {"throughput": statistics.median(r["throughput"] for r in runs),
            "throughputs": [r["throughput"] for r in runs],
            "requests": n, "errors": sum(r["errors"] for r in runs),
            "median_ms": 1000 * latencies[n // 2] if n else None,
            "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else None}


# ---------------------------------------------------------------- growth

def _progress(errfile) -> int:
    """Articles read so far, from the last count tqdm wrote to the build's stderr."""
    errfile.seek(0, os.SEEK_END)
    size = errfile.tell()
    errfile.seek(max(0, size - 400))
    counts = re.findall(r"(\d+)art \[", errfile.read())  # "1234art [00:42, 29.4art/s]"
    return int(counts[-1]) if counts else 0


def _articles_in(where: Path) -> int:
    from pyoxigraph import Store

    s = Store.read_only(str(where))
    rows = s.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?a a <{NKG}Article> }} }}")
    return int(next(iter(rows))["n"].value)


def bench_growth(sizes: list[int], cap: float) -> dict:
    """One `kg build` process per size; a build still running after ``cap`` seconds is
    interrupted (Ctrl-C: it keeps what it wrote) and reported as such."""
    import psutil

    figures = {"processes": PROCESSES, "paragraphs": list(synth.SHORT), "cap_seconds": cap, "points": []}
    for n in sizes:
        src = corpus(f"short-{n}", n, synth.SHORT, seed=1)
        nwords = sum(len(json.loads(line)["text"].split())
                     for f in sorted(src.glob("*.jsonl")) for line in open(f, encoding="utf-8"))
        where = store_dir(f"short-{n}")
        cmd = [sys.executable, "-m", "kg.cli", "build", "-j", str(PROCESSES), "--store", str(where), str(src)]
        errfile = tempfile.TemporaryFile("w+", encoding="utf-8")  # a pipe could fill and stall it
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errfile, text=True)
        ps = psutil.Process(proc.pid)
        peak_total = peak_parent = 0
        samples: list[dict] = []
        capped = False
        while proc.poll() is None:
            elapsed = time.perf_counter() - t
            try:
                parent = ps.memory_info().rss
                total = parent + sum(c.memory_info().rss for c in ps.children(recursive=True))
            except psutil.Error:
                continue
            peak_total, peak_parent = max(peak_total, total), max(peak_parent, parent)
            if not samples or elapsed - samples[-1]["seconds"] >= 30:
                samples.append({"seconds": elapsed, "articles_read": _progress(errfile), "rss_total_bytes": total})
            if elapsed > cap and not capped:
                capped = True
                proc.send_signal(signal.SIGINT)
            time.sleep(0.5)
        took = time.perf_counter() - t
        errfile.seek(0)
        tail = errfile.read()[-3000:]
        errfile.close()
        if proc.returncode not in (0, 130 if capped else 0):
            raise RuntimeError(f"kg build failed on {n} articles: {tail}")
        built = _articles_in(where)
        point = {"articles": n, "built": built, "capped": capped, "words": nwords, "seconds": took,
                 "store_bytes": dir_bytes(where), "peak_rss_total_bytes": peak_total,
                 "peak_rss_parent_bytes": peak_parent, "samples": samples}
        log(f"growth {n}: {built} articles in {took:.0f} s{' (time cap)' if capped else ''}, store "
            f"{point['store_bytes'] / 2**20:.0f} MiB, peak RSS {peak_total / 2**20:.0f} MiB "
            f"(build process alone {peak_parent / 2**20:.0f} MiB)")
        figures["points"].append(point)
        shutil.rmtree(where, ignore_errors=True)
        yield figures


# ---------------------------------------------------------------- RESULTS.md

def _mib(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB"


def _mark(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def render() -> str:
    figs = {s: json.loads((FIGURES / f"{s}.json").read_text()) for s in SECTIONS
            if (FIGURES / f"{s}.json").exists()}
    lines = ["# Benchmark results", "",
             "Written by `python benchmarks/run.py` (see benchmarks/README.md for what is measured "
             "and how). Every ratio compares two measurements taken in the same run on the same "
             "machine; the machine is shared, so absolute figures vary from run to run more than "
             "the ratios do.", ""]
    for section in SECTIONS:
        if section not in figs:
            continue
        f = figs[section]
        m = f["machine"]
        lines += [f"## {section}", "",
                  f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB "
                  f"(load average {m['load_average_at_start']:.1f} at start); Python {m['python']}, "
                  f"spaCy {m['spacy']} with {m['model']}, pyoxigraph {m['pyoxigraph']}, "
                  f"{m['oxigraph_server']}.", ""]
        lines += RENDER[section](f) + [""]
    return "\n".join(lines)


def _render_build(f: dict) -> list[str]:
    return [
        f"{f['articles']:,} synthetic articles, {f['words']:,} words; {f['processes']} processes, "
        f"batch size {f['batch_size']}; {len(f['runs'])} alternating round(s) of each.", "",
        "| | words/s | ratio to the ceiling | target |", "|---|---:|---:|---|",
        f"| spaCy `nlp.pipe(n_process={f['processes']})` (ceiling) | {f['ceiling_words_s']:,.0f} | 1.00 | |",
        f"| `kg build -j {f['processes']}` (read, parse, extract, resolve, map, store) | "
        f"{f['build_words_s']:,.0f} | {f['ratio']:.2f} | >= 0.70: {_mark(f['ratio'] >= 0.7)} |",
        f"| `kg build --cluster local` (Dask LocalCluster, {f['processes']} workers) | "
        f"{f['dask_words_s']:,.0f} | {f['dask_ratio']:.2f} | (information) |", "",
        f"Articles extracted a second time because a surname changed while they were in flight: "
        f"{', '.join(str(r['reextracted']) for r in f['runs'])} (per round). Worker start-up, not "
        f"timed above: {f['pool_start_s']:.1f} s for the process pool, {f['dask_start_s']:.1f} s "
        f"for the Dask cluster.",
    ]


def _render_incremental(f: dict) -> list[str]:
    return [
        f"| rebuild of the {f['articles']:,}-article store | seconds | articles parsed |",
        "|---|---:|---:|",
        f"| all unchanged | {f['unchanged_s']:.2f} | {f['unchanged_parsed']} |",
        f"| {f['changed']} changed | {f['changed_s']:.2f} | {f['changed']} |", "",
        f"Graphs holding two versions of an article text after the changed rebuild: "
        f"{f['graphs_with_two_texts']} (each changed article's graph is replaced).",
    ]


def _render_load(f: dict) -> list[str]:
    q = f["quads_s"]
    return [
        f"The {f['quads']:,} quads of the build's store ({f['graphs']:,} named graphs), loaded into "
        f"a new on-disk store; median of {f['rounds']} rounds.", "",
        "| loader | quads/s | ratio |", "|---|---:|---:|",
        f"| pyoxigraph `Store.bulk_load` (N-Quads bytes, {f['nquads_bytes'] / 2**20:.0f} MiB) | "
        f"{q['bulk_load']:,.0f} | 1.00 |",
        f"| pyoxigraph `Store.bulk_extend` (the same quads as objects, no per-article atomicity) | "
        f"{q['bulk_extend']:,.0f} | {q['bulk_extend'] / q['bulk_load']:.2f} |",
        f"| newskg `ArticleLoader` (one `put` per graph, each all or nothing) | {q['loader']:,.0f} | "
        f"{f['ratio']:.2f} (target >= 0.80: {_mark(f['ratio'] >= 0.8)}) |",
    ]


def _render_query(f: dict) -> list[str]:
    ours = [s for s in f["servers"] if s != REFERENCE]
    lines = [f"{f['articles']:,}-article store. The servers run side by side and take turns: for each "
             f"query and client count, {f['rounds']} rounds in which each sends up to "
             f"{f['requests_per_run']} distinct queries (at most {f['max_seconds_per_run']:.0f} s) over "
             "keep-alive connections; GET, JSON results (N-Triples for CONSTRUCT). Throughput is the "
             "median over the rounds; the ratio is the median of the per-round ratios to "
             f"`{REFERENCE}`; latencies are over all requests of all rounds.", "",
             "`kg serve` is the default server: each query in a worker process that is killed at the "
             "time limit (30 s). `kg serve --inline` evaluates in the server processes and has no time "
             "limit, like `oxigraph serve` without `--timeout-s`.", "",
             "| query | clients | " + " | ".join(f"{s} req/s" for s in f["servers"]) + " | " +
             " | ".join(f"ratio {s} (>= 0.50)" for s in ours) + " | " +
             " | ".join(f"{s} median / p99 ms" for s in f["servers"]) + " | errors |",
             "|---|---:|" + "---:|" * (2 * len(f["servers"]) + len(ours) + 1)]
    for kind, by_c in f["results"].items():
        for c, r in by_c.items():
            ratios = [f"{r[s]['ratio']:.2f}" + ("" if r[s]["ratio"] >= 0.5 else " **NOT met**") for s in ours]
            lines.append(f"| {kind} | {c} | " + " | ".join(f"{r[s]['throughput']:.1f}" for s in f["servers"])
                         + " | " + " | ".join(ratios) + " | "
                         + " | ".join(f"{r[s]['median_ms']:.1f} / {r[s]['p99_ms']:.1f}" for s in f["servers"])
                         + " | " + " / ".join(str(r[s]["errors"]) for s in f["servers"]) + " |")
    return lines


def _render_growth(f: dict) -> list[str]:
    pts = f["points"]
    lines = [f"`kg build -j {f['processes']}` of short synthetic articles (the lead and one paragraph "
             "of recombined sentences) into a new store, each size in its own process; peak memory "
             "sampled every 0.5 s, summed over the build process and its workers. A build still "
             f"running after {f['cap_seconds'] / 60:.0f} minutes is interrupted (it keeps what it "
             "wrote) and its row gives what it had built by then. \"Built\" counts the articles in the "
             "store at the end: the generator makes a few short texts twice, and a text the store "
             "already holds under another identifier is skipped.", "",
             "| articles | built | seconds | ms per article | store size | store per article "
             "| peak RSS (all) | peak RSS (build process) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in pts:
        cap = " (time cap)" if p["capped"] else ""
        lines.append(f"| {p['articles']:,} | {p['built']:,}{cap} | {p['seconds']:.0f} | "
                     f"{1000 * p['seconds'] / p['built']:.1f} | {_mib(p['store_bytes'])} | "
                     f"{p['store_bytes'] / p['built'] / 1024:.1f} KiB | "
                     f"{_mib(p['peak_rss_total_bytes'])} | {_mib(p['peak_rss_parent_bytes'])} |")
    if pts and len(pts[-1]["samples"]) > 2:
        last = pts[-1]
        lines += ["", f"During the {last['articles']:,}-article build (articles read, memory of all "
                  "processes):", "", "| minute | articles read | articles/s since the last row | RSS |",
                  "|---:|---:|---:|---:|"]
        if f.get("note"):
            lines[-4:-4] = [f"({f['note']}.)", ""]
        rows = last["samples"][::max(1, len(last["samples"]) // 8)]
        prev = None
        for r in rows:
            known = r["articles_read"] is not None and (prev is None or prev["articles_read"] is not None)
            rate = "" if prev is None or not known else \
                f"{(r['articles_read'] - prev['articles_read']) / (r['seconds'] - prev['seconds']):.1f}"
            read = "n/a" if r["articles_read"] is None else f"{r['articles_read']:,}"
            lines.append(f"| {r['seconds'] / 60:.1f} | {read} | {rate} | {_mib(r['rss_total_bytes'])} |")
            prev = r
    return lines


RENDER = {"build": _render_build, "incremental": _render_incremental, "load": _render_load,
          "query": _render_query, "growth": _render_growth}


# ---------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test, not the figures)")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run")
    ap.add_argument("--growth-cap", type=float, default=40, help="minutes one growth build may run")
    ap.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from saved figures")
    args = ap.parse_args()
    global FIGURES, RESULTS
    if args.quick:  # smoke-test figures never replace the real ones
        FIGURES, RESULTS = DATA / "results-quick", DATA / "RESULTS-quick.md"
    if not args.render:
        only = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = set(only) - set(SECTIONS)
        if unknown:
            sys.exit(f"unknown section(s): {', '.join(sorted(unknown))}")
        n = 100 if args.quick else 1000
        plan = {
            "build": lambda: bench_build(n, rounds=1 if args.quick else 2),
            "incremental": lambda: bench_incremental(n),
            "load": lambda: bench_load(n, rounds=1 if args.quick else 3),
            "query": lambda: bench_query(n, requests=40 if args.quick else 300,
                                         seconds=5 if args.quick else 10, rounds=2 if args.quick else 5),
            "growth": lambda: bench_growth([100, 1000] if args.quick else [1000, 10_000, 100_000],
                                           cap=120 if args.quick else args.growth_cap * 60),
        }
        info = machine()
        for section in SECTIONS:
            if section in only:
                log(f"section {section}")
                result = plan[section]()
                for figures in (result if section == "growth" else [result]):  # growth: per point
                    save(section, {**figures, "machine": info, "quick": args.quick})
    RESULTS.write_text(render())
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

"""The build: files -> articles -> NLP -> extraction -> RDF -> store.

Streaming throughout: articles are read lazily, parsed in batches by spaCy's
``nlp.pipe``, and written to the store through :class:`~kg.store.ArticleLoader`
(each article all or nothing), so memory does not grow with the corpus and an
interrupted build keeps every article it wrote. An article whose content hash the
store already holds is skipped without NLP work.

Parsing and extraction, the costly part, can run in worker processes (``processes``)
or on a Dask cluster (:mod:`kg.distributed`). Cross-article person resolution stays
here, in stream order, so the graph is the same whatever runs the workers: a worker
extracts with the known surnames as they were when its batch was sent, and records
which surnames the extractor looked up; if any of those has changed by the time the
article's turn comes, the article is extracted again with the surnames of that
moment (rare: it takes a new person named in an article still in flight).
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, TypeVar

from pyoxigraph import NamedNode

from .extract import extract
from .gazetteer import Gazetteer
from .gazetteer import load as load_gazetteer
from .lexicon import Lexicon, lexicon
from .nlp import pipeline
from .rdf import DEFAULT_BASE, Mapper, mapping
from .readers import Problem, ReadOptions, read_articles
from .records import Article, Extraction
from .resolve import Registry
from .store import KGStore

T = TypeVar("T")
log = logging.getLogger(__name__)

# surname skeleton -> the value the extractor saw for it (None: not a known surname)
Reads = dict[str, "str | None"]


@dataclass
class BuildReport:
    """What a build did. The identifier lists are kept only when asked for
    (``keep_ids``): on a corpus of millions they would be the one thing growing."""

    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    triples: int = 0
    n_built: int = 0
    n_unchanged: int = 0
    reextracted: int = 0  # articles extracted twice because a surname changed in flight

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- extraction (any process)

class _RecordingSurnames(Mapping[str, str]):
    """The known surnames, recording every key the extractor asks about."""

    def __init__(self, known: Mapping[str, str]):
        self.known = known
        self.reads: Reads = {}

    def __getitem__(self, key: str) -> str:
        self.reads[key] = self.known.get(key)
        return self.known[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.reads[key] = self.known.get(key)
        return key in self.known

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the extractor may only look surnames up, or its reads go unrecorded")

    def __len__(self) -> int:
        return len(self.known)

    def __bool__(self) -> bool:
        return True  # extract() replaces a falsy mapping with {}, which would not record


def _extract_stream(nlp, gaz: Gazetteer, lex: Lexicon, articles: list[Article], batch_size: int,
                    known: Callable[[], Mapping[str, str]]) -> Iterator[tuple[Extraction, Reads]]:
    """Parse a batch and extract each article with the surnames ``known()`` gives at its turn."""
    docs = nlp.pipe([a.text for a in articles], batch_size=batch_size)
    for art, doc in zip(articles, docs):
        surnames = _RecordingSurnames(known())
        yield extract(doc, art, gaz, lex, surnames), surnames.reads


@dataclass(frozen=True)
class Job:
    """One batch of articles for a worker, with the surnames known when it was sent."""

    articles: list[Article]
    known: dict[str, str]
    model: str | None
    mappings_dir: str | None
    batch_size: int


def run_job(job: Job) -> list[tuple[Extraction, Reads]]:
    """Parse and extract one batch (in a worker process or on a cluster worker)."""
    nlp, gaz, lex = _resources(job.model, job.mappings_dir)
    return list(_extract_stream(nlp, gaz, lex, job.articles, job.batch_size, lambda: job.known))


def _resources(model: str | None, mappings_dir: str | None) -> tuple[Any, Gazetteer, Lexicon]:
    """Model, gazetteer and lexicon, loaded once per process (each loader is cached)."""
    return pipeline(model, mappings_dir), load_gazetteer(mappings_dir), lexicon(mappings_dir)


class Executor(Protocol):
    """Runs jobs somewhere and hands back futures (concurrent.futures or Dask)."""

    @property
    def slots(self) -> int: ...

    def submit(self, job: Job) -> Future: ...

    def close(self) -> None: ...


class ProcessPool:
    """Worker processes on this machine, each with its own copy of the model.

    Processes are spawned, not forked, so a parent holding threads or a model stays
    safe on every platform; each loads the model once when it starts. As with any
    spawned pool, a script that builds with it needs the ``if __name__ == "__main__":``
    guard."""

    def __init__(self, processes: int, model: str | None = None, mappings_dir: str | None = None):
        self.slots = processes
        self.pool = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start, initargs=(model, mappings_dir, os.getpid()))

    def submit(self, job: Job) -> Future:
        return self.pool.submit(run_job, job)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _worker_start(model: str | None, mappings_dir: str | None, parent: int) -> None:
    """Load the resources, and end with the parent: the workers of a build killed by
    SIGKILL were left waiting forever, each holding a model in memory. (The parent's
    pid is handed over: it may be dead already when a worker starts.)"""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
    _resources(model, mappings_dir)


def default_processes() -> int:
    """All cores the process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------- the build (parent process)

@dataclass
class Builder:
    """Holds what one build shares across articles (mapping, registry; the model is
    loaded on first use in this process, so parallel builds leave it to the workers).

    ``processes`` > 1 parses in that many worker processes; an ``executor`` given to
    :meth:`build` (e.g. :class:`kg.distributed.DaskExecutor`) takes precedence.
    """

    model: str | None = None
    base: str = DEFAULT_BASE
    mappings_dir: str | None = None
    batch_size: int = 32
    processes: int = 1
    reading: ReadOptions = ReadOptions()  # size limit and fallback encoding of input files

    def __post_init__(self) -> None:
        self.gaz = load_gazetteer(self.mappings_dir)
        self.lex = lexicon(self.mappings_dir)
        self.mapper = Mapper(mapping(self.base, self.mappings_dir))
        self.registry = Registry()
        self.known = {name for kind, name in self.gaz.entries if kind == "Person"}
        self.reextracted = 0  # articles extracted twice because a surname changed in flight

    @cached_property
    def nlp(self):
        return pipeline(self.model, self.mappings_dir)

    def extractions(self, articles: Iterable[Article],
                    executor: Executor | None = None) -> Iterator[Extraction]:
        """Parse and extract; cross-article resolution here, in stream order."""
        if executor is None:
            for batch in _batched(articles, self.batch_size):
                for ex, _ in _extract_stream(self.nlp, self.gaz, self.lex, batch, self.batch_size,
                                             self.registry.surnames):
                    yield self.registry.resolve(ex, self.known)
            return
        ahead = _InOrder(lambda batch: self._job(executor, batch),
                         _batched(articles, self.batch_size), 2 * max(1, executor.slots))
        for ex, reads in ahead:
            if any(self.registry.surname_owner(k) != v for k, v in reads.items()):
                self.reextracted += 1
                again = self._job(executor, [ex.article])
                ahead.fill()  # the workers go on with later batches while this one waits
                [(ex, _)] = again.result()
            yield self.registry.resolve(ex, self.known)

    def _job(self, executor: Executor, articles: list[Article]) -> Future:
        return executor.submit(Job(articles, self.registry.surnames(), self.model,
                                   self.mappings_dir, self.batch_size))

    def build(self, inputs: Iterable[str], store: KGStore, *, force: bool = False,
              progress: Callable[[Iterable[T]], Iterable[T]] | None = None,
              on_problem: Callable[[Problem], None] | None = None,
              executor: Executor | None = None, keep_ids: bool = True) -> BuildReport:
        report = BuildReport()
        self.registry.seed(store.person_names())
        seen: dict[NamedNode, str] = {}  # article graph -> identifier, for this build
        article_iri = self.mapper.m.article_iri

        def problem(p: Problem) -> None:
            report.problems.append(p)
            if on_problem:
                on_problem(p)

        def todo() -> Iterator[Article]:
            items = read_articles(inputs, self.reading)
            for item in (progress(items) if progress else items):
                if isinstance(item, Problem):
                    problem(item)
                elif other := seen.get(iri := article_iri(item.identifier)) or _other_owner(
                        store, iri, item.identifier):
                    # never replace another article's graph: identifiers that differ only in
                    # punctuation ("2020/08/10", "2020-08-10") mint one graph IRI
                    problem(Problem(item.source or item.identifier,
                                    f"duplicate article identifier {item.identifier!r}; skipped"
                                    if other == item.identifier else
                                    f"identifier {item.identifier!r} gives the same graph IRI as article "
                                    f"{other!r}; skipped (give it another id)"))
                else:
                    seen[iri] = item.identifier
                    stored = store.content_hash(iri)
                    if not force and stored == item.content_hash:
                        report.n_unchanged += 1
                        if keep_ids:
                            report.unchanged.append(item.identifier)
                    elif stored is None and (twin := store.article_with_hash(item.content_hash)):
                        # the reader skips repeats within a build; this one was stored before
                        log.warning("%s: same text as article %r in the store; skipped",
                                    item.source or item.identifier, twin)
                    else:
                        yield item

        own = None
        if executor is None and self.processes > 1:
            executor = own = ProcessPool(self.processes, self.model, self.mappings_dir)
        start = self.reextracted
        try:
            with store.loader() as loader:
                for ex in self.extractions(todo(), executor):
                    graph, mine, shared = self.mapper.quads(ex)
                    loader.put(graph, mine, shared)
                    report.n_built += 1
                    if keep_ids:
                        report.built.append(ex.article.identifier)
                    report.triples += len(mine) + len(shared)
        finally:
            if own is not None:
                own.close()
        report.reextracted = self.reextracted - start
        store.flush()
        return report


class _InOrder:
    """Batches submitted ahead (at most ``window`` in flight), results in input order.

    A batch is submitted only when one is taken, after the parent has resolved the
    one before, so the surnames it carries are as fresh as the window allows."""

    def __init__(self, submit: Callable[[list[Article]], Future], batches: Iterator[list[Article]],
                 window: int):
        self.submit = submit
        self.batches = batches
        self.window = window
        self.inflight: deque[Future] = deque()

    def fill(self) -> None:
        while len(self.inflight) < self.window:
            batch = next(self.batches, None)
            if batch is None:
                return
            self.inflight.append(self.submit(batch))

    def __iter__(self) -> Iterator[tuple[Extraction, Reads]]:
        self.fill()
        while self.inflight:
            yield from self.inflight.popleft().result()
            self.fill()


def _other_owner(store: KGStore, graph: NamedNode, identifier: str) -> str | None:
    """The identifier of another article the store holds in ``graph``, if any."""
    stored = store.article_identifier(graph)
    return stored if stored not in (None, identifier) else None


def _batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch

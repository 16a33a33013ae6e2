"""The build: files -> articles -> NLP -> extraction -> RDF -> store.

Streaming throughout: articles are read lazily, parsed in batches by spaCy's
``nlp.pipe``, and each article is written to the store in its own transaction, so
memory does not grow with the corpus and an interrupted build keeps every article
it finished. An article whose content hash the store already holds is skipped
without NLP work.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from .extract import extract
from .gazetteer import load as load_gazetteer
from .lexicon import lexicon
from .nlp import pipeline
from .rdf import DEFAULT_BASE, Mapper, mapping
from .readers import Problem, read_articles
from .records import Article, Extraction
from .resolve import Registry
from .store import KGStore

T = TypeVar("T")


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    triples: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Builder:
    """Holds what one build shares across articles (model, mapping, registry)."""

    model: str | None = None
    base: str = DEFAULT_BASE
    mappings_dir: str | None = None
    batch_size: int = 32

    def __post_init__(self) -> None:
        self.nlp = pipeline(self.model, self.mappings_dir)
        self.gaz = load_gazetteer(self.mappings_dir)
        self.lex = lexicon(self.mappings_dir)
        self.mapper = Mapper(mapping(self.base, self.mappings_dir))
        self.registry = Registry()
        self.known = {name for kind, name in self.gaz.entries if kind == "Person"}

    def extractions(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        """Parse in batches and extract; cross-article resolution in stream order."""
        for batch in _batched(articles, self.batch_size):
            docs = self.nlp.pipe([a.text for a in batch], batch_size=self.batch_size)
            for art, doc in zip(batch, docs):
                ex = extract(doc, art, self.gaz, self.lex, self.registry.surnames())
                yield self.registry.resolve(ex, self.known)

    def build(self, inputs: Iterable[str], store: KGStore, *, force: bool = False,
              progress: Callable[[Iterable[T]], Iterable[T]] | None = None,
              on_problem: Callable[[Problem], None] | None = None) -> BuildReport:
        report = BuildReport()
        have = {} if force else store.content_hashes()
        self.registry.seed(store.person_names())
        seen: set[str] = set()

        def todo() -> Iterator[Article]:
            items = read_articles(inputs)
            for item in (progress(items) if progress else items):
                if isinstance(item, Problem):
                    report.problems.append(item)
                    if on_problem:
                        on_problem(item)
                elif item.identifier in seen:
                    p = Problem(item.source or item.identifier,
                                f"duplicate article identifier {item.identifier!r}; skipped")
                    report.problems.append(p)
                    if on_problem:
                        on_problem(p)
                elif have.get(item.identifier) == item.content_hash:
                    seen.add(item.identifier)
                    report.unchanged.append(item.identifier)
                else:
                    seen.add(item.identifier)
                    yield item

        for ex in self.extractions(todo()):
            graph, mine, shared = self.mapper.quads(ex)
            store.replace_article(graph, mine, shared)
            report.built.append(ex.article.identifier)
            report.triples += len(mine) + len(shared)
        store.flush()
        return report


def _batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch

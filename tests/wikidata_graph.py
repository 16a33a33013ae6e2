"""The hand-written graph of tests/fixtures/wikidata, loaded into fresh stores for the Wikidata tests."""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat

from kg.store import KGStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wikidata"
BASE = "https://w3id.org/newskg/id/"


def graph_store(path: Path | None = None) -> KGStore:
    """A new store (in memory, or on disk at ``path``) holding the fixture graph."""
    store = KGStore(path)
    store.store.load(path=str(FIXTURES / "graph.trig"), format=RdfFormat.TRIG)
    store.flush()
    return store

"""The embedded Oxigraph store: one named graph per article plus the entities graph.

Every article write is all or nothing: a crash leaves each article fully old or
fully new. Replacing an article's graph is one SPARQL Update (one transaction).
Builds write through :class:`ArticleLoader`, which adds articles that are new to the
store in batches through Oxigraph's bulk loader (several times faster than
transactions) and replaces the others one by one.
Queries run on Oxigraph with the union of all graphs as the default graph.
"""
from __future__ import annotations

import itertools
import os
import weakref
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Store, serialize

DEFAULT_STORE = "kgstore"
NKG = "https://w3id.org/newskg/ontology#"
CONTENT_HASH = NamedNode(NKG + "contentHash")
IDENTIFIER = NamedNode("http://purl.org/dc/terms/identifier")

FORMATS = {
    "ttl": RdfFormat.TURTLE, "turtle": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "nq": RdfFormat.N_QUADS, "nquads": RdfFormat.N_QUADS,
    "nt": RdfFormat.N_TRIPLES, "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD, "json-ld": RdfFormat.JSON_LD,
    "rdf": RdfFormat.RDF_XML, "xml": RdfFormat.RDF_XML,
}
DATASET_FORMATS = {RdfFormat.TRIG, RdfFormat.N_QUADS}


def format_for(path_or_name: str) -> RdfFormat:
    """The RDF format of a file extension or format name ("seeds.ttl", "trig")."""
    key = path_or_name.rsplit(".", 1)[-1].lower() if "." in path_or_name else path_or_name.lower()
    try:
        return FORMATS[key]
    except KeyError:
        raise ValueError(f"unknown RDF format {key!r}; use one of: ttl, trig, nq, nt, jsonld") from None


def default_store_path() -> str:
    return os.environ.get("KG_STORE", DEFAULT_STORE)


def _nt(term) -> str:
    """N-Triples form of a term, as SPARQL Update's INSERT DATA reads it."""
    return str(term)


class StoreError(Exception):
    """The store cannot be opened (in use by another process, or not a store); the
    message says which and what to do."""


def _lock_holder(path: Path) -> int | None:
    """The process holding the store's write lock (RocksDB's LOCK file), if another
    one does; found in /proc/locks (Linux; elsewhere None). Never by opening LOCK:
    closing any descriptor of a file drops this process's own POSIX locks on it."""
    try:
        st = (path / "LOCK").stat()
        with open("/proc/locks", encoding="ascii") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:  # "1: POSIX  ADVISORY  WRITE 3379 fe:00:2147193 0 EOF"
        parts = line.split()
        if dev in parts and parts[parts.index(dev) - 1].isdigit():
            pid = int(parts[parts.index(dev) - 1])
            if pid != os.getpid():
                return pid
    return None


READERS_LOCK = "newskg.readers"
#: this process's locks on stores' readers files: folder -> [open file, exclusive?, users]
_HELD: dict[Path, list] = {}


def _share_lock(path: Path, exclusive: bool) -> Path | None:
    """Take a BSD lock on the store's readers file: shared for a read-only open,
    exclusive for a writable one. RocksDB's own lock only keeps writers apart; this
    also keeps a build out of a store that ``kg serve`` or ``kg query`` is reading
    (reading a database while another process writes it is undefined behaviour), and
    the other way round. Opens within one process share one lock (counted), since
    flock would otherwise set a process against itself. Returns the key to pass to
    :func:`_release`, or None where flock is unavailable or the folder cannot hold
    the file (nothing to enforce)."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    key = path.resolve()
    held = _HELD.get(key)
    if held is None:
        try:
            held = [open(key / READERS_LOCK, "a+b"), False, 0]
        except OSError:
            return None
    if held[2] == 0 or (exclusive and not held[1]):
        try:
            fcntl.flock(held[0].fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            if held[2] == 0:
                held[0].close()
            raise StoreError(
                f"store {path} is " + ("being read by another process (kg serve or kg query?); stop it "
                                       "before building into this store, or build into another store"
                                       if exclusive else
                                       "being written by another process (a build?); wait until it has finished")
            ) from None
        held[1] = held[1] or exclusive
    held[2] += 1
    _HELD[key] = held
    return key


def _release(key: Path) -> None:
    held = _HELD.get(key)
    if held is not None:
        held[2] -= 1
        if held[2] <= 0:
            held[0].close()
            del _HELD[key]


def _is_store(path: Path) -> bool:
    return (path / "CURRENT").is_file()  # RocksDB's pointer to its manifest


class KGStore:
    """A thin, typed face over :class:`pyoxigraph.Store` for the pipeline and server.

    Opening checks what Oxigraph would otherwise leave to a traceback or to undefined
    behaviour: a store another process is writing (a second build is refused; a
    read-only open, which would read a database changing under it, too), and a path
    that is not a store (a file, or a folder of other files that a build would fill
    with database files).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, read_only: bool = False):
        self.path = Path(path) if path else None
        if self.path is None:
            self.store = Store()
            return
        where = self.path
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{where} is a file, not a store folder")
        if read_only and not _is_store(self.path):
            raise StoreError(f"no store at {where}; run `kg build INPUT... --store {where}` first")
        if (not read_only and self.path.is_dir() and not _is_store(self.path)
                and any(p.name != READERS_LOCK for p in self.path.iterdir())):
            raise StoreError(f"{where} is not a store: it holds other files; give a new or empty folder")
        holder = _lock_holder(self.path)
        if holder is not None:
            raise StoreError(f"store {where} is in use by another process (pid {holder}, a build?); "
                             "wait until it has finished, or use another store")
        if not read_only:
            self.path.mkdir(parents=True, exist_ok=True)
        lock = _share_lock(self.path, exclusive=not read_only)
        try:
            if read_only:
                self.store = Store.read_only(str(self.path))
            else:
                self.store = Store(str(self.path))
        except OSError as err:
            if lock is not None:
                _release(lock)
            if "lock" in str(err).lower():  # locked since we looked, or where /proc/locks is not
                mine = "current process" in str(err)
                raise StoreError(f"store {where} is already open "
                                 + ("in this process" if mine else "in another process")) from None
            raise StoreError(f"cannot open the store at {where}: {err}") from None
        if lock is not None:
            weakref.finalize(self, _release, lock)

    # ---------------------------------------------------------------- writing
    def replace_article(self, graph: NamedNode, article_quads: Iterable[Quad],
                        entity_quads: Iterable[Quad]) -> None:
        """Replace one article's graph and add its entities, atomically."""
        body = [f"DROP SILENT GRAPH {_nt(graph)} ;", "INSERT DATA {"]
        for q in itertools.chain(article_quads, entity_quads):
            body.append(f"GRAPH {_nt(q.graph_name)} {{ {_nt(q.subject)} {_nt(q.predicate)} {_nt(q.object)} }}")
        body.append("}")
        self.store.update("\n".join(body))

    def loader(self, max_quads: int = 250_000) -> "ArticleLoader":
        """A batching writer for many articles; see :class:`ArticleLoader`."""
        return ArticleLoader(self, max_quads)

    def flush(self) -> None:
        if self.path is not None:
            self.store.flush()

    # ---------------------------------------------------------------- reading
    def query(self, sparql: str, **kw) -> QuerySolutions:
        return self.store.query(sparql, use_default_graph_as_union=True, **kw)

    def content_hash(self, graph: NamedNode) -> str | None:
        """The content hash stored for one article graph (None: not in the store).

        A point lookup, so an incremental build need not hold every hash in memory."""
        for q in self.store.quads_for_pattern(graph, CONTENT_HASH, None, graph):
            return q.object.value
        return None

    def article_identifier(self, graph: NamedNode) -> str | None:
        """The identifier of the article a graph holds (None: no such graph); a point lookup."""
        for q in self.store.quads_for_pattern(graph, IDENTIFIER, None, graph):
            return q.object.value
        return None

    def article_with_hash(self, content_hash: str) -> str | None:
        """The identifier of a stored article with this content hash, if any (an index lookup)."""
        for q in self.store.quads_for_pattern(None, CONTENT_HASH, Literal(content_hash), None):
            return self.article_identifier(q.graph_name)
        return None

    def content_hashes(self) -> dict[str, str]:
        """Article identifier -> content hash of what the store holds."""
        rows = self.query(f"""SELECT ?id ?h WHERE {{ GRAPH ?g {{ ?a a <{NKG}Article> ;
            <http://purl.org/dc/terms/identifier> ?id ; <{NKG}contentHash> ?h }} }}""")
        return {r["id"].value: r["h"].value for r in rows}

    def person_names(self) -> list[str]:
        rows = self.query(f"""SELECT DISTINCT ?n WHERE {{ ?p a <{NKG}Person> ;
            <http://www.w3.org/2000/01/rdf-schema#label> ?n }}""")
        return [r["n"].value for r in rows]

    def __len__(self) -> int:
        return len(self.store)

    # ---------------------------------------------------------------- export
    def export(self, out, fmt: RdfFormat, graph: NamedNode | None = None,
               prefixes: dict[str, str] | None = None) -> None:
        """Write the whole graph (or one named graph) to a binary file object.

        Triple formats get the union of all graphs (a triple held by two graphs would
        come twice, which readers merge; builds never store one twice); dataset
        formats keep the named graphs.
        """
        if graph is not None:
            self.store.dump(out, fmt, from_graph=graph, prefixes=prefixes)
        elif fmt in DATASET_FORMATS:
            self.store.dump(out, fmt, prefixes=prefixes)
        else:  # streamed as the query yields the triples: no copy of the union in memory
            serialize(self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), out, fmt, prefixes=prefixes)


class ArticleLoader:
    """Writes a stream of articles at bulk-load speed, each article all or nothing.

    An article whose graph is not in the store yet is queued; queued articles go in
    with one :meth:`pyoxigraph.Store.bulk_extend` call once ``max_quads`` are queued
    (and at :meth:`flush`). Below Oxigraph's loader batch (one million quads) such a
    call writes one set of sorted files and ingests them with a single RocksDB
    multi-column-family ingestion, which RocksDB records atomically: after a crash
    the whole batch is there or none of it. An article whose graph exists (a changed
    article) or that alone exceeds ``max_quads`` is replaced by
    :meth:`KGStore.replace_article`, one transaction, after the queue is written so
    that writes land in stream order.

    Use as a context manager, or call :meth:`flush` at the end: articles still
    queued are not in the store until then. Leaving the context normally after a bulk
    write also compacts the store: each batch lands as its own set of overlapping
    files, and until RocksDB merges them a scan reads them all (measured: an
    aggregate over all events took 95 ms on a 1,000-article store as loaded, 62 ms
    once compacted, like a store made by one ``bulk_load``).
    """

    def __init__(self, store: KGStore, max_quads: int = 250_000):
        if not 0 < max_quads < 1_000_000:  # one loader batch, or the write is not atomic
            raise ValueError("max_quads must be between 1 and 999,999")
        self.kg = store
        self.max_quads = max_quads
        self.queue: list[Quad] = []
        self.ingested = 0  # bulk writes made
        self.queued: set[NamedNode] = set()

    def put(self, graph: NamedNode, article_quads: Iterable[Quad],
            entity_quads: Iterable[Quad]) -> None:
        quads = [*article_quads, *entity_quads]
        if (graph in self.queued or len(quads) > self.max_quads
                or self.kg.store.contains_named_graph(graph)):
            self.flush()
            self.kg.replace_article(graph, quads, ())
            return
        if len(self.queue) + len(quads) > self.max_quads:
            self.flush()
        self.queue.extend(quads)
        self.queued.add(graph)

    def flush(self) -> None:
        """Write the queued articles (one atomic ingestion)."""
        if self.queue:
            self.kg.store.bulk_extend(self.queue)
            self.ingested += 1
            self.queue = []
            self.queued = set()

    def __enter__(self) -> "ArticleLoader":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.flush()  # queued articles are complete: keep them even if the build failed
        if exc_type is None and self.ingested:
            self.kg.store.optimize()

"""Query evaluation with a hard time limit: Oxigraph in worker processes.

pyoxigraph can neither time out nor cancel a query, and a query holds its thread
until Oxigraph returns. So a store on disk is queried by a pool of worker processes,
each holding the store open read-only. A request takes an idle worker, sends it a
:class:`Job` and reads the answer back, already serialised by Oxigraph, in chunks
over a socket pair. When the deadline passes the worker is killed and a fresh one
started in the background; the other workers go on serving. A worker also has an
address-space limit, so a query that would eat the machine's memory dies alone.

The answer is gathered in a :class:`Spool` (memory while small, a temporary file
beyond) before the response starts, so its status is always right: a query that
times out or outgrows the result limit half-way gets 503 or 422, never a 200 with a
cut body. The response then streams from the spool with a known length.

Writes: a store may be open for writing by one process only, and opening it
read-only while another process writes is undefined behaviour. With writes enabled
the server process owns the writable store and the workers read a checkpoint
(``Store.backup``: hard links, cheap), which :meth:`WorkerPool.refresh` renews after
every write; a worker reopens the newest checkpoint before its next job, and a
checkpoint no worker holds any more is deleted.

An in-memory store (tests, embedding in a Python program) cannot be shared with
other processes: :class:`InProcessEngine` evaluates in the calling thread, without
a hard time limit. ``kg serve --inline`` uses it on a store on disk too, in several
server processes (:func:`kg.web.serving.serve_inline`), trading the time limit for
speed. Either engine may sit behind :class:`CachingEngine`, which
replays answers to repeated queries until the next write.
"""
from __future__ import annotations

import atexit
import os
import pickle
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store

from .federation import Refused, check_service
from .formats import GRAPHS, RESULTS
from .settings import Settings

#: bytes a worker gathers before it sends a chunk; also the spool's read size
CHUNK = 64 * 1024
#: bytes of an answer kept in memory before the spool moves to a temporary file
SPOOL_MEMORY = 1024 * 1024
#: seconds a new worker may take to start and open the store
STARTUP_TIMEOUT = 120.0


# ---------------------------------------------------------------- answers
class TooLarge(Exception):
    """The serialised answer outgrew the result limit."""


class Spool:
    """The bytes of one answer: in memory while small, in a temporary file beyond."""

    def __init__(self, memory: int = SPOOL_MEMORY):
        self._parts: list[bytes] = []
        self._file = None
        self._memory = memory
        self.size = 0

    def write(self, data) -> int:
        if self._file is None and self.size + len(data) > self._memory:
            self._file = tempfile.TemporaryFile()
            self._file.writelines(self._parts)
            self._parts = []
        if self._file is None:
            self._parts.append(bytes(data))
        else:
            self._file.write(data)
        self.size += len(data)
        return len(data)

    @property
    def in_memory(self) -> bool:
        """True while :meth:`body` gives bytes (not an iterator over a file)."""
        return self._file is None

    def body(self) -> bytes | Iterator[bytes]:
        """All the bytes (small answers) or an iterator over them that closes the file."""
        if self.in_memory:
            return b"".join(self._parts)
        return self._blocks()

    def _blocks(self) -> Iterator[bytes]:
        try:
            self._file.seek(0)
            while block := self._file.read(CHUNK):
                yield block
        finally:
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._parts = []


class Limited:
    """A writer that passes bytes on until ``limit`` have gone, then raises :class:`TooLarge`."""

    def __init__(self, out, limit: int):
        self.out, self.limit, self.written = out, limit, 0

    def write(self, data) -> int:
        self.written += len(data)
        if self.limit and self.written > self.limit:
            raise TooLarge(self.written)
        return self.out.write(data)

    def flush(self) -> None:
        """Oxigraph flushes its writer at the end; nothing is held here."""


@dataclass
class Outcome:
    """What a job produced: an HTTP status, the media type, and the body or a message."""
    status: int
    mime: str = ""
    message: str = ""
    body: Spool = field(default_factory=Spool)


# ---------------------------------------------------------------- jobs
@dataclass(frozen=True)
class Limits:
    """What the engine enforces inside a job, the same in every worker."""
    max_result_bytes: int
    allow_service: tuple[str, ...]

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_result_bytes, settings.allow_service)


class Job(Protocol):
    """Work for a worker: write the answer to ``out``, return (status, media type, message)."""
    #: seconds allowed; None = the query timeout
    timeout: float | None

    def run(self, store: Store, out, limits: Limits) -> tuple[int, str, str]: ...


def readable(err: BaseException, limit: int = 300) -> str:
    """An exception's message cut to its first line and a bounded length.

    Oxigraph's syntax errors list every token that could come next, character
    classes included; the first few say enough.
    """
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    head, sep, options = text.partition("expected one of ")
    if sep:
        listed = options.split(", ")
        text = head + sep + ", ".join(listed[:8]) + (f" or {len(listed) - 8} more" if len(listed) > 8 else "")
    return text if len(text) <= limit else text[:limit] + " …"


@dataclass(frozen=True)
class QueryJob:
    """One SPARQL query with its protocol dataset and the acceptable answer formats.

    ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri``; when both are None the default graph is the union of all
    graphs and every named graph is visible (a FROM in the query still overrides).
    ``results_format``/``graph_format`` are the negotiated media types for a result
    table and for a graph; None means the client accepts none, known only once
    Oxigraph has parsed the query and tells which kind of answer it gives.
    """
    query: str
    results_format: str | None
    graph_format: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    timeout: float | None = None

    def dataset(self) -> dict:
        if self.default_graphs is None and self.named_graphs is None:
            return {"use_default_graph_as_union": True}
        return {"default_graph": [NamedNode(g) for g in self.default_graphs or ()],
                "named_graphs": [NamedNode(g) for g in self.named_graphs or ()]}

    def run(self, store: Store, out, limits: Limits) -> tuple[int, str, str]:
        try:
            check_service(self.query, limits.allow_service)
            result = store.query(self.query, **self.dataset())
        except SyntaxError as err:
            return 400, "", f"malformed query: {readable(err)}"
        except Refused as err:
            return 400, "", str(err)
        except Exception as err:  # noqa: BLE001 - Oxigraph reports evaluation failures as OSError/RuntimeError
            return 500, "", f"query failed: {readable(err)}"
        table, mime = ((RESULTS, self.results_format) if isinstance(result, (QuerySolutions, QueryBoolean))
                       else (GRAPHS, self.graph_format))
        if mime is None:
            return 406, "", f"this query gives {table.kind}; acceptable formats: {table.describe()}"
        try:
            result.serialize(Limited(out, limits.max_result_bytes), table[mime].oxigraph)
        except TooLarge:
            return 422, "", (f"the result is larger than the limit of {limits.max_result_bytes} bytes; "
                             "ask for less (LIMIT, fewer variables) or download /export")
        except Exception as err:  # noqa: BLE001
            return 500, "", f"query failed: {readable(err)}"
        return 200, table[mime].content_type, ""


@dataclass(frozen=True)
class ProbeJob:
    """A health check: the worker answers and its store answers ``ASK {}``."""
    timeout: float | None = None

    def run(self, store: Store, out, limits: Limits) -> tuple[int, str, str]:
        out.write(b"true" if store.query("ASK {}") else b"false")
        return 200, "text/plain", ""


# ---------------------------------------------------------------- engines
class Engine(Protocol):
    #: counts the store's states: it moves on with every write
    generation: int

    def run(self, job: Job) -> Outcome: ...

    def refresh(self) -> None:
        """Make the workers see the store as it is now (after a write)."""

    def status(self) -> dict: ...

    def close(self) -> None: ...


class InProcessEngine:
    """Evaluation in the calling thread, for stores that live in this process's memory."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.limits = Limits.of(settings)
        self.generation = 0

    def run(self, job: Job) -> Outcome:
        spool = Spool()
        status, mime, message = job.run(self.store, spool, self.limits)
        return Outcome(status, mime, message, spool)

    def refresh(self) -> None:
        """The store is shared, so only the count of writes moves on."""
        self.generation += 1

    def status(self) -> dict:
        return {"engine": "in-process"}

    def close(self) -> None:
        """Nothing to stop."""


class _Worker:
    """One worker process and our end of its socket pair."""

    def __init__(self, limits: Limits, memory: int, generation: int, source: Path):
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from kg.web.engine import worker_main; worker_main()", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send((limits, memory, str(source)))
        self.generation = generation

    def wait_ready(self, timeout: float) -> None:
        try:
            if not self.conn.poll(timeout):
                self.kill()
                raise RuntimeError(f"a query worker did not start within {timeout:g} s")
            state, detail = self.conn.recv()
        except (EOFError, OSError) as err:  # it died starting, or the pool closed meanwhile
            state, detail = "failed", readable(err)
        if state != "ready":
            self.kill()
            raise RuntimeError(f"a query worker could not start: {detail}")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.conn.close()


class WorkerPool:
    """Worker processes over a store folder; see the module docstring.

    ``writable`` is the server's own writable store over the same folder, given when
    writes are enabled: the workers then read checkpoints of it instead of the folder.
    """

    def __init__(self, path: str | os.PathLike[str], settings: Settings, writable: Store | None = None):
        self.path = Path(path)
        self.settings = settings
        self.limits = Limits.of(settings)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0
        self._writable = writable
        self._snapshots: Path | None = None
        self.generation = 0
        if writable is not None:
            self._snapshots = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-checkpoints-",
                                                    dir=self.path.resolve().parent))
            self.refresh()
        workers = [self._spawn() for _ in range(settings.workers)]
        try:
            for w in workers:
                w.wait_ready(STARTUP_TIMEOUT)
        except RuntimeError:
            self.close()
            raise
        for w in workers:
            self._idle.put(w)

    # ------------------------------------------------------------ checkpoints
    def _source(self, generation: int) -> Path:
        return self.path if self._snapshots is None else self._snapshots / str(generation)

    def refresh(self) -> None:
        if self._writable is None:
            return
        with self._lock:
            self._writable.backup(str(self._snapshots / str(self.generation + 1)))
            self.generation += 1
        self._collect()

    def _collect(self) -> None:
        """Delete the checkpoints that neither are current nor held by a worker."""
        if self._snapshots is None:
            return
        with self._lock:
            held = {w.generation for w in self._live} | {self.generation}
            for old in self._snapshots.iterdir():
                if int(old.name) not in held:
                    shutil.rmtree(old, ignore_errors=True)

    # ------------------------------------------------------------ workers
    def _spawn(self) -> _Worker:
        with self._lock:
            w = _Worker(self.limits, self.settings.worker_memory, self.generation, self._source(self.generation))
            self._live.add(w)
        return w

    def _replace(self, dead: _Worker) -> None:
        """Kill a worker and start another in the background."""
        dead.kill()
        with self._lock:
            self._live.discard(dead)
            self.killed += 1
        threading.Thread(target=self._restock, daemon=True, name="kg-worker-start").start()

    def _restock(self) -> None:
        if self._closed:
            return
        w = self._spawn()
        try:
            w.wait_ready(STARTUP_TIMEOUT)
        except RuntimeError:
            with self._lock:
                self._live.discard(w)
            return
        if self._closed:
            w.kill()
        else:
            self._idle.put(w)

    # ------------------------------------------------------------ queries
    def run(self, job: Job) -> Outcome:
        timeout = job.timeout or self.settings.query_timeout
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return Outcome(503, message=f"all {self.settings.workers} query workers stayed busy for "
                                        f"{timeout:g} s; try again later")
        spool = Spool()
        try:
            with self._lock:  # a checkpoint is deleted only when no worker holds it
                held, generation = worker.generation, self.generation
                worker.generation = generation
            worker.conn.send((str(self._source(generation)), job))
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not worker.conn.poll(remaining):
                    spool.close()
                    self._replace(worker)
                    return Outcome(503, message=f"the query was stopped after {timeout:g} s, the time "
                                                "limit of this endpoint; narrow it or add a LIMIT")
                message = worker.conn.recv_bytes()
                if message[:1] == b"D":
                    spool.write(memoryview(message)[1:])
                    continue
                size = int.from_bytes(message[1:5], "big")
                status, mime, text = pickle.loads(message[5:5 + size])
                spool.write(memoryview(message)[5 + size:])
                break
        except (EOFError, OSError):
            spool.close()
            self._replace(worker)
            return Outcome(500, message="the query worker stopped while evaluating the query; it may have "
                                        f"needed more than its {self.settings.worker_memory} bytes of memory")
        self._idle.put(worker)
        if held != generation:
            self._collect()
        if status != 200:
            spool.close()
        return Outcome(status, mime, text, spool)

    def status(self) -> dict:
        with self._lock:
            live = len(self._live)
        return {"engine": "worker processes", "workers": live, "idle": self._idle.qsize(),
                "stopped_queries": self.killed, "checkpoint": self.generation if self._snapshots else None}

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._live = list(self._live), set()
        for w in workers:
            w.kill()
        if self._snapshots is not None:
            shutil.rmtree(self._snapshots, ignore_errors=True)


# ---------------------------------------------------------------- the worker side
class _Sender:
    """The worker's writer: gathers bytes and sends them in chunks, then the verdict."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.conn.send_bytes(b"D" + self.buffer)
            self.buffer.clear()
        return len(data)

    def finish(self, status: int, mime: str, message: str) -> None:
        meta = pickle.dumps((status, mime, message))
        tail = self.buffer if status == 200 else b""
        self.conn.send_bytes(b"E" + len(meta).to_bytes(4, "big") + meta + tail)
        self.buffer = bytearray()


def worker_main() -> None:
    """Entry point of a worker process: ``python -c ... FD`` with one end of a socket pair."""
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on `kg serve` stops the server, which stops us
    conn = Connection(int(sys.argv[1]))
    limits, memory, path = conn.recv()
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        store, opened = Store.read_only(path), path
    except OSError as err:
        conn.send(("failed", readable(err)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            path, job = conn.recv()
        except EOFError:
            return
        sender = _Sender(conn)
        try:
            if opened != path:
                store, opened = None, None
                store, opened = Store.read_only(path), path
            status, mime, message = job.run(store, sender, limits)
        except Exception as err:  # noqa: BLE001 - a worker answers every job
            status, mime, message = 500, "", readable(err)
        sender.finish(status, mime, message)


#: functions whose value changes from one evaluation to the next: such answers are not replayed
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


class CachingEngine:
    """Replays the answers to repeated queries while the store does not change.

    A public endpoint sees the same queries again and again (the query page's
    examples, dashboards that poll). Answers up to ``largest`` bytes are kept, least
    recently used first out, up to ``capacity`` bytes in all; every write empties the
    cache. Queries that call NOW(), RAND(), UUID(), STRUUID() or BNODE() are always
    evaluated.
    """

    def __init__(self, inner: Engine, capacity: int, largest: int = SPOOL_MEMORY):
        self.inner, self.capacity, self.largest = inner, capacity, largest
        self._entries: OrderedDict[QueryJob, tuple[str, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0

    @property
    def generation(self) -> int:
        return self.inner.generation

    def run(self, job: Job) -> Outcome:
        if not isinstance(job, QueryJob) or _VOLATILE.search(job.query):
            return self.inner.run(job)
        with self._lock:
            entry = self._entries.get(job)
            if entry is not None:
                self._entries.move_to_end(job)
                self.hits += 1
        if entry is not None:
            spool = Spool()
            spool.write(entry[1])
            return Outcome(200, entry[0], "", spool)
        outcome = self.inner.run(job)
        body = outcome.body.body() if outcome.status == 200 and outcome.body.size <= self.largest else None
        if isinstance(body, bytes):
            self._keep(job, outcome.mime, body)
        return outcome

    def _keep(self, job: QueryJob, mime: str, body: bytes) -> None:
        with self._lock:
            if job in self._entries:
                return
            self._entries[job] = (mime, body)
            self._size += len(body)
            while self._size > self.capacity and self._entries:
                _, (_, old) = self._entries.popitem(last=False)
                self._size -= len(old)

    def refresh(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0
        self.inner.refresh()

    def status(self) -> dict:
        return {**self.inner.status(), "cached_answers": len(self._entries), "cache_hits": self.hits}

    def close(self) -> None:
        self.inner.close()


#: the values of ``Settings.query_engine``
ENGINES = ("processes", "inline")


def start_engine(kg_store, settings: Settings, own_folder: bool) -> Engine:
    """The engine for ``kg_store`` (a :class:`kg.store.KGStore`).

    In memory, or when ``settings.query_engine`` is "inline": in-process. On disk:
    worker processes, which read the folder itself when the server opened it
    read-only (``own_folder`` and no write token), and checkpoints of the open store
    otherwise, since someone may write to it.
    """
    if settings.query_engine not in ENGINES:
        raise ValueError(f"unknown query engine {settings.query_engine!r}; choose one of {', '.join(ENGINES)}")
    if kg_store.path is None or settings.query_engine == "inline":
        engine: Engine = InProcessEngine(kg_store.store, settings)
    else:
        reads_folder = own_folder and settings.write_token is None
        engine = WorkerPool(kg_store.path, settings, writable=None if reads_folder else kg_store.store)
        atexit.register(engine.close)  # or earlier: app.extensions["kg.engine"].close()
    return CachingEngine(engine, settings.result_cache_bytes) if settings.result_cache_bytes else engine

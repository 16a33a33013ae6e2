"""Whole graphs over HTTP: the Graph Store Protocol at ``/store`` and downloads at ``/export``.

``/store?default`` is the default graph, which for this store is the union of all
graphs (as in queries); ``/store?graph=IRI`` is one named graph; ``/store`` alone
is the whole dataset. GET and HEAD are open to all; PUT, POST and DELETE need the
write token. The union is a view, so it cannot be replaced or deleted: write to a
named graph (POST ``?default`` adds to the store's own default graph, which the
union includes, like an INSERT DATA without GRAPH).

``/export`` is GET on the same graphs as a download (``format=ttl|trig|nq|nt|jsonld``,
``graph=IRI`` or ``article=IDENTIFIER``). Bodies stream: Oxigraph writes the dump
from a thread into a small bounded queue that the response reads, so memory stays
flat whatever the store's size, and a client that goes away stops the dump.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, request
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, parse, serialize
from werkzeug.exceptions import RequestEntityTooLarge

from ..rdf import mapping
from .context import store, write
from .engine import CHUNK, readable
from .formats import DATASETS, GRAPHS, TRIPLES
from .responses import (READ_CORS, Problem, accept, plain, preflight, problem_answer, too_large_answer,
                        write_refusal)

bp = Blueprint("graphs", __name__)
bp.register_error_handler(Problem, problem_answer)
bp.register_error_handler(RequestEntityTooLarge, too_large_answer)

#: chunks the dump may run ahead of a slow client
QUEUE_CHUNKS = 16
#: the tail of a stream that ended in an error (so a reader never mistakes it for the end)
_FAILED = object()


class _Pipe:
    """The file object a dump writes into; its chunks go through a bounded queue."""

    def __init__(self):
        self.chunks: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
        self.buffer = bytearray()
        self.abandoned = False

    def _put(self, item) -> None:
        while not self.abandoned:
            try:
                self.chunks.put(item, timeout=1.0)
                return
            except queue.Full:
                continue
        raise BrokenPipeError("the client went away")

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self._put(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Chunks leave when full or at the end; nothing to do here."""

    def close(self, failed: bool) -> None:
        if self.buffer and not failed:
            self._put(bytes(self.buffer))
        self._put(_FAILED if failed else None)


def streamed(dump: Callable[[_Pipe], None]) -> Iterator[bytes]:
    """Run ``dump(file)`` in a thread and yield what it writes, chunk by chunk."""
    pipe = _Pipe()

    def produce() -> None:
        try:
            dump(pipe)
        except BrokenPipeError:
            return
        except Exception:  # noqa: BLE001 - reported to the reader as a broken stream
            pipe.close(failed=True)
            return
        pipe.close(failed=False)

    def chunks() -> Iterator[bytes]:
        try:
            while (chunk := pipe.chunks.get()) is not None:
                if chunk is _FAILED:
                    raise OSError("the dump failed half-way")
                yield chunk
        finally:
            pipe.abandoned = True

    threading.Thread(target=produce, daemon=True, name="kg-dump").start()
    return chunks()


# ---------------------------------------------------------------- reading
def _target() -> NamedNode | DefaultGraph | None:
    """The graph a request names: ``?default``, ``?graph=IRI``, ``?article=ID``, or None (all)."""
    given = [k for k in ("default", "graph", "article") if k in request.args]
    if len(given) > 1:
        raise Problem(400, f"name one graph, not {' and '.join(given)}")
    if not given:
        return None
    if given[0] == "default":
        return DefaultGraph()
    if given[0] == "article":
        return mapping(current_app.extensions["kg.settings"].base_iri).article_iri(request.args["article"])
    try:
        return NamedNode(request.args["graph"])
    except ValueError:
        raise Problem(400, f"graph is not an absolute IRI: {request.args['graph']!r}") from None


def _download(target, download: bool) -> Response:
    """The graph(s) ``target`` names in the negotiated format, streamed."""
    kg = store()
    if isinstance(target, NamedNode) and not kg.store.contains_named_graph(target):
        return plain(404, f"no graph named <{target.value}> in this store")
    if target is None:  # the whole store: named graphs kept unless a triple format is asked for
        table = DATASETS if "format" not in request.args and accept() is None else GRAPHS
    else:  # one graph: the union (?default) has no named graphs to keep
        table = TRIPLES if isinstance(target, DefaultGraph) else GRAPHS
    fmt = table.choose(accept(), request.args.get("format"))
    if fmt is None:
        return plain(406, f"acceptable formats: {table.describe()}")
    headers = {**READ_CORS, "Vary": "Accept"}
    if download:
        name = target.value.rstrip("/").rsplit("/", 1)[-1] if isinstance(target, NamedNode) else "newskg"
        headers["Content-Disposition"] = f'attachment; filename="{_safe(name)}.{fmt.extension}"'
    if request.method == "HEAD":
        return Response(status=200, content_type=fmt.content_type, headers=headers)
    graph = target if isinstance(target, NamedNode) else None
    prefixes = mapping(current_app.extensions["kg.settings"].base_iri).prefixes
    body = streamed(lambda out: kg.export(out, fmt.oxigraph, graph=graph, prefixes=prefixes))
    return Response(body, 200, content_type=fmt.content_type, headers=headers)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "graph"


@bp.route("/export", methods=["GET", "HEAD"])
def export():
    return _download(_target(), download=True)


# ---------------------------------------------------------------- writing
def _upload(target) -> list:
    """The request body parsed with the format its Content-Type names."""
    fmt = RdfFormat.from_media_type(request.mimetype) if request.mimetype else None
    if fmt is None:
        raise Problem(415, f"send RDF with a Content-Type among: {GRAPHS.describe()}")
    if target is not None and fmt.supports_datasets and fmt != RdfFormat.JSON_LD:
        raise Problem(415, f"a graph takes a triple format; {fmt.name} carries named graphs "
                            "(POST it to /store without ?graph)")
    try:
        return list(parse(request.get_data(cache=False), fmt, base_iri=request.base_url,
                          without_named_graphs=target is not None))
    except SyntaxError as err:
        raise Problem(400, f"the body is not valid {fmt.name}: {readable(err)}") from None


def _insert_data(triples: list, graph: NamedNode | None) -> str:
    """INSERT DATA for ``triples``, written as N-Triples by Oxigraph, into ``graph``."""
    text = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
    return f"INSERT DATA {{ GRAPH {graph} {{ {text} }} }}" if graph else f"INSERT DATA {{ {text} }}"


def _write(target) -> Response:
    refusal = write_refusal()
    if refusal is not None:
        return refusal
    if request.method in ("PUT", "DELETE") and not isinstance(target, NamedNode):
        what = "the default graph (the union of all graphs, a view)" if target is not None else "the whole store"
        return plain(405, f"{request.method} cannot replace or delete {what}; name a graph with ?graph=IRI",
                     {"Allow": "GET, HEAD, POST"})
    existed = isinstance(target, NamedNode) and store().store.contains_named_graph(target)
    if request.method == "DELETE":
        if not existed:
            return plain(404, f"no graph named <{target.value}> in this store")
        write(lambda st: st.remove_graph(target))
        return Response(status=204)
    quads = _upload(target)
    if target is None:
        write(lambda st: st.extend(quads))
        return Response(status=204)
    graph = target if isinstance(target, NamedNode) else None
    drop = f"DROP SILENT GRAPH {graph} ;\n" if request.method == "PUT" else ""
    write(lambda st: st.update(drop + _insert_data(quads, graph)))
    return Response(status=204 if existed or graph is None else 201)


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])
def graph_store():
    if request.method == "OPTIONS":
        return preflight("GET, HEAD, OPTIONS")
    target = _target()
    if request.method in ("GET", "HEAD"):
        return _download(target, download=False)
    return _write(target)

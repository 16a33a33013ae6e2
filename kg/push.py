"""``kg push URL``: copy the store's graphs to any SPARQL 1.1 store over HTTP.

Two standard ways, so that any conforming store takes the data:

- Graph Store Protocol (default): one ``PUT URL?graph=IRI`` per named graph, with
  the graph as N-Triples; a PUT replaces the remote graph, so pushing again after a
  rebuild leaves the remote equal to the local store, graph by graph. URL is the
  store's graph store endpoint (Oxigraph: ``/store``, Fuseki: ``/DATASET/data``).
- SPARQL Update: ``DROP SILENT GRAPH`` + ``INSERT DATA`` for each graph, many graphs
  per request (fewer round trips); URL is the update endpoint (Oxigraph:
  ``/update``, Fuseki: ``/DATASET/update``).

Credentials written in the URL (``https://user:password@host/...``) are sent as
HTTP Basic authentication. One persistent connection is used for all requests.
"""
from __future__ import annotations

import base64
import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat

from .store import KGStore

PROTOCOLS = ("gsp", "update")


class PushError(Exception):
    """The remote store refused a request; the message gives status and reply."""


@dataclass
class PushReport:
    graphs: int = 0
    triples: int = 0
    requests: int = 0


class _Remote:
    """One keep-alive HTTP connection to the endpoint URL."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PushError(f"not an http(s) URL: {url!r}")
        conn = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.conn = conn(parts.hostname, parts.port, timeout=timeout)
        self.path = parts.path or "/"
        self.query = parts.query
        self.headers: dict[str, str] = {}
        if parts.username is not None:
            token = f"{parts.username}:{parts.password or ''}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        self.where = f"{parts.scheme}://{parts.hostname}{':%d' % parts.port if parts.port else ''}{self.path}"

    def send(self, method: str, params: str, body: bytes, content_type: str) -> None:
        query = "&".join(q for q in (self.query, params) if q)
        target = self.path + ("?" + query if query else "")
        try:
            self.conn.request(method, target, body=body,
                              headers={**self.headers, "Content-Type": content_type})
            resp = self.conn.getresponse()
            reply = resp.read()
        except OSError as err:
            self.conn.close()
            raise PushError(f"{self.where}: {err}") from None
        if not 200 <= resp.status < 300:
            text = reply.decode("utf-8", "replace").strip()[:300]
            raise PushError(f"{method} {self.where}?{params[:80]}: HTTP {resp.status} {resp.reason}: {text}")

    def close(self) -> None:
        self.conn.close()


def _graphs(store: KGStore) -> Iterator[NamedNode | DefaultGraph]:
    """The named graphs, then the default graph when it holds anything."""
    yield from store.store.named_graphs()
    if next(iter(store.store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
        yield DefaultGraph()


def _ntriples(store: KGStore, graph: NamedNode | DefaultGraph) -> bytes:
    return store.store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph) or b""


def push(store: KGStore, url: str, protocol: str = "gsp", *, batch_bytes: int = 4_000_000,
         timeout: float = 60.0) -> PushReport:
    """Send every graph of ``store`` to the remote store at ``url``."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
    remote = _Remote(url, timeout)
    report = PushReport()
    pending: list[bytes] = []
    size = 0

    def send_update() -> None:
        nonlocal size
        if pending:
            remote.send("POST", "", b" ;\n".join(pending), "application/sparql-update")
            report.requests += 1
            pending.clear()
            size = 0

    try:
        for graph in _graphs(store):
            data = _ntriples(store, graph)
            report.graphs += 1
            report.triples += data.count(b"\n")
            if protocol == "gsp":
                params = "default" if isinstance(graph, DefaultGraph) else "graph=" + quote(graph.value, safe="")
                remote.send("PUT", params, data, "application/n-triples")
                report.requests += 1
                continue
            if isinstance(graph, DefaultGraph):
                pending.append(b"DROP SILENT DEFAULT ;\nINSERT DATA {\n" + data + b"}")
            else:
                name = str(graph).encode()
                pending.append(b"DROP SILENT GRAPH " + name + b" ;\nINSERT DATA { GRAPH " + name
                               + b" {\n" + data + b"} }")
            size += len(pending[-1])
            if size >= batch_bytes:
                send_update()
        send_update()
    finally:
        remote.close()
    return report

"""Serving the app (``kg serve``): waitress by default, granian with ``--inline``.

Default: waitress parses HTTP in one thread and hands each request to a pool of
threads; the request threads mostly wait (for a query worker, or on a socket), so
there are several per query worker. Queries run in worker processes that are
killed at the time limit (:mod:`kg.web.engine`), which is what a public endpoint
needs, at a cost of about half a millisecond per request (benchmarks/RESULTS.md).

``--inline``: granian (HTTP in Rust) runs one server process per core, each with
the store open read-only, and every query is evaluated in the thread that received
it. Nothing crosses a process boundary, so small queries answer as fast as
``oxigraph serve`` answers them; but pyoxigraph cannot stop a query, so there is no
time limit, as with ``oxigraph serve`` without ``--timeout-s``. For endpoints whose
users are trusted or behind a proxy that enforces its own limits.
"""
from __future__ import annotations

import os
import signal
import sys

from flask import Flask

from .settings import Settings

#: waitress threads per query worker: requests wait for a worker, or stream a download
THREADS_PER_WORKER = 4
#: open connections waitress keeps (idle keep-alive clients included)
CONNECTION_LIMIT = 1000
#: Python threads per granian process: Oxigraph releases the GIL while it evaluates
INLINE_THREADS = 2


def serve(app: Flask, host: str, port: int, threads: int | None = None) -> None:
    """Serve ``app`` until interrupted; the query workers stop with the server."""
    from waitress import serve as run

    settings: Settings = app.extensions["kg.settings"]
    threads = threads or THREADS_PER_WORKER * settings.workers
    largest_body = max(settings.max_request_bytes, settings.max_upload_bytes if settings.write_token else 0)
    mode = "writes enabled (bearer token)" if settings.write_token else "read-only"
    _banner(host, port, f"{mode}; {settings.workers} query workers, {threads} request threads, "
                        f"query timeout {settings.query_timeout:g} s, results up to {settings.max_result_bytes} bytes")
    # SIGTERM (a service manager, `kill`) ends the server like Ctrl-C does, so the workers
    # stop and the write checkpoints are removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run(app, host=host, port=port, threads=threads, ident="newskg", connection_limit=CONNECTION_LIMIT,
            max_request_body_size=largest_body, asyncore_use_poll=True, clear_untrusted_proxy_headers=True)
    finally:
        app.extensions["kg.engine"].close()


def serve_inline(store_path: str, host: str, port: int, processes: int | None = None,
                 threads: int | None = None) -> None:
    """Serve the store read-only from ``processes`` granian processes (default: one per core).

    Each process builds its own app from the environment (:func:`inline_app`), so
    settings travel as ``KG_*`` variables, the store folder as ``KG_STORE``.
    """
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels

    settings = Settings.from_env()
    if settings.write_token:
        raise ValueError("--inline serves read-only (several processes cannot share a writable store); "
                         "unset KG_WRITE_TOKEN or serve without --inline")
    processes = processes or os.cpu_count() or 1
    threads = threads or INLINE_THREADS
    os.environ["KG_STORE"] = str(store_path)
    _banner(host, port, f"read-only, inline: {processes} server processes x {threads} threads, "
                        f"no query time limit, results up to {settings.max_result_bytes} bytes")
    Granian("kg.web.serving:inline_app", address=host, port=port, interface=Interfaces.WSGI, factory=True,
            workers=processes, blocking_threads=threads, respawn_failed_workers=True,
            http=HTTPModes.http1, websockets=False,  # SPARQL clients speak HTTP/1.1; no protocol sniffing
            log_level=LogLevels.warning).serve()


def inline_app() -> Flask:
    """The app of one ``--inline`` server process (granian calls this in each)."""
    from ..store import default_store_path
    from . import create_app

    return create_app(store_path=str(default_store_path()), query_engine="inline")


def _banner(host: str, port: int, details: str) -> None:
    print(f"SPARQL endpoint: http://{host}:{port}/sparql  (query page: http://{host}:{port}/)\n  {details}",
          file=sys.stderr, flush=True)

"""Serving the app with waitress, a production WSGI server (``kg serve``).

waitress parses HTTP in one thread and hands each request to a pool of threads;
the request threads mostly wait (for a query worker, or on a socket), so there are
several per query worker. Measured on the sample corpus (README, "The SPARQL
endpoint"), the request path costs a few hundred microseconds on top of Oxigraph.
"""
from __future__ import annotations

import signal
import sys

from flask import Flask

from .settings import Settings

#: waitress threads per query worker: requests wait for a worker, or stream a download
THREADS_PER_WORKER = 4
#: open connections waitress keeps (idle keep-alive clients included)
CONNECTION_LIMIT = 1000


def serve(app: Flask, host: str, port: int, threads: int | None = None) -> None:
    """Serve ``app`` until interrupted; the query workers stop with the server."""
    from waitress import serve as run

    settings: Settings = app.extensions["kg.settings"]
    threads = threads or THREADS_PER_WORKER * settings.workers
    largest_body = max(settings.max_request_bytes, settings.max_upload_bytes if settings.write_token else 0)
    mode = "writes enabled (bearer token)" if settings.write_token else "read-only"
    print(f"SPARQL endpoint: http://{host}:{port}/sparql  (query page: http://{host}:{port}/)\n"
          f"  {mode}; {settings.workers} query workers, {threads} request threads, "
          f"query timeout {settings.query_timeout:g} s, results up to {settings.max_result_bytes} bytes",
          file=sys.stderr, flush=True)
    # SIGTERM (a service manager, `kill`) ends the server like Ctrl-C does, so the workers
    # stop and the write checkpoints are removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run(app, host=host, port=port, threads=threads, ident="newskg", connection_limit=CONNECTION_LIMIT,
            max_request_body_size=largest_body, asyncore_use_poll=True, clear_untrusted_proxy_headers=True)
    finally:
        app.extensions["kg.engine"].close()

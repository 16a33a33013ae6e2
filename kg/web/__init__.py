"""The HTTP face of the store: an app factory in the manner of Flask's tutorial.

``create_app`` wires one store and one :class:`Settings` into blueprints, each a
small module: ``sparql`` (the SPARQL 1.1 endpoint), ``graphs`` (Graph Store Protocol
and exports), ``description`` (VoID) and ``pages`` (pages for people). Queries run
on :mod:`kg.web.engine` (worker processes with a time limit for a store on disk).
The store is opened read-only unless a write token is configured.
"""
from __future__ import annotations

import threading

from flask import Flask

from ..store import KGStore
from .settings import Settings


def create_app(store_path: str | None = None, store: KGStore | None = None,
               settings: Settings | None = None, **overrides) -> Flask:
    """Build the WSGI app over ``store`` (or the store folder ``store_path``).

    ``overrides`` are :class:`Settings` fields (``base_iri=...``, ``write_token=...``)
    applied on top of ``settings`` or, without it, the ``KG_*`` environment.
    """
    from . import description, graphs, pages, reconcile, security, sparql
    from .engine import start_engine

    settings = settings or Settings.from_env()
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if overrides:
        settings = Settings.from_env({}, **{**settings.__dict__, **overrides})
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["kg.settings"] = settings
    app.extensions["kg.store"] = kg_store = store or KGStore(store_path, read_only=settings.write_token is None)
    app.extensions["kg.engine"] = start_engine(kg_store, settings, own_folder=store is None)
    app.extensions["kg.write_lock"] = threading.Lock()
    security.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(description.bp)
    app.register_blueprint(graphs.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(reconcile.bp)
    app.wsgi_app = sparql.Shortcut(app)
    return app

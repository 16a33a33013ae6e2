"""Wikidata workflows over HTTP: the reconciliation service and the QuickStatements export.

``/reconcile`` speaks the W3C Reconciliation Service API 0.2 the way OpenRefine
uses it: the manifest on a bare GET (JSONP with ``callback``), query batches as
``queries=<JSON>`` in a form POST or a GET, ``/reconcile/preview?id=``, and
``/reconcile/suggest/{entity,type,property}?prefix=``. ``/quickstatements``
returns ``kg export --format quickstatements`` for the served store. The logic
lives in :mod:`kg.wikidata`; this module only moves JSON and text.
"""
from __future__ import annotations

import json
import re
from datetime import date

from flask import Blueprint, Response, current_app, request

from ..rdf import mapping as rdf_mapping
from ..wikidata import claims, quickstatements
from ..wikidata.reconcile import Index
from .context import settings, store

bp = Blueprint("wikidata", __name__)

CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")
CORS = {"Access-Control-Allow-Origin": "*"}


def _index() -> Index:
    """The index of the served store, built on first use; rebuilt on every request when
    the store is writable (a write token is set), since updates may change it."""
    cached = current_app.extensions.get("kg.reconcile")
    if cached is None or settings().write_token is not None:
        cached = Index(store(), _base())
        current_app.extensions["kg.reconcile"] = cached
    return cached


def _base() -> str:
    return rdf_mapping(settings().base_iri).base


def _json(payload, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback and CALLBACK.match(callback):
        return Response(f"{callback}({body});", status, mimetype="application/javascript", headers=CORS)
    return Response(body, status, mimetype="application/json", headers=CORS)


def _error(message: str, status: int = 400) -> Response:
    return _json({"error": message}, status)


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile():
    raw = request.values.get("queries")
    if raw is None:
        return _json(_index().manifest(request.base_url))
    try:
        queries = json.loads(raw)
    except json.JSONDecodeError as err:
        return _error(f"'queries' is not JSON: {err}")
    if not isinstance(queries, dict) or not all(isinstance(q, dict) for q in queries.values()):
        return _error("'queries' must be an object of query objects, e.g. {\"q0\": {\"query\": \"...\"}}")
    try:
        return _json(_index().reconcile(queries))
    except (TypeError, ValueError) as err:
        return _error(f"malformed query: {err}")


@bp.get("/reconcile/preview")
def preview():
    page = _index().preview(request.args.get("id", ""))
    if page is None:
        return Response("no such entity\n", 404, mimetype="text/plain", headers=CORS)
    return Response(page, 200, mimetype="text/html", headers=CORS)


@bp.get("/reconcile/suggest/<kind>")
def suggest(kind: str):
    prefix = request.args.get("prefix", "")
    if kind == "entity":
        limit = request.args.get("limit", "10")
        return _json(_index().suggest_entities(prefix, request.args.getlist("type") or None,
                                               int(limit) if limit.isdigit() else 10))
    if kind == "type":
        return _json(Index.suggest_types(prefix))
    if kind == "property":
        return _json(Index.suggest_properties(prefix))
    return _error(f"no suggest service {kind!r}; use entity, type or property", 404)


@bp.get("/quickstatements")
def export_quickstatements():
    """The QuickStatements batch of the served store; ``retrieved`` (YYYY-MM-DD) sets S813."""
    try:
        retrieved = date.fromisoformat(request.args.get("retrieved") or date.today().isoformat())
    except ValueError:
        return Response("'retrieved' must be a date, YYYY-MM-DD\n", 400, mimetype="text/plain")
    batch = quickstatements.render(claims.read(store()), retrieved)
    return Response(batch.text, 200, mimetype="text/plain", headers={
        **CORS, "Content-Disposition": 'inline; filename="newskg.quickstatements.tsv"'})

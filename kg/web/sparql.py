"""The SPARQL 1.1 Protocol at ``/sparql``: queries, updates and the service description.

Queries come by GET (``?query=``), by POST form, or by POST with the query as an
``application/sparql-query`` body; ``default-graph-uri`` and ``named-graph-uri``
set the dataset (without them the default graph is the union of all graphs and
every graph is queryable with GRAPH). Oxigraph evaluates and serialises (see
:mod:`kg.web.engine`); this module only reads the request, negotiates the format
and turns the engine's outcome into a response. Updates (POST form ``update=`` or
an ``application/sparql-update`` body) need the write token. ``GET /sparql`` with
no query answers the service description.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request
from pyoxigraph import NamedNode
from werkzeug.exceptions import RequestEntityTooLarge

from .context import engine, write
from .description import described, service_description
from .engine import Engine, Outcome, ProbeJob, QueryJob, readable
from .federation import Refused, check_service
from .formats import GRAPHS, RESULTS
from .responses import (READ_CORS, Problem, accept, plain, preflight, problem_answer, too_large_answer,
                        write_refusal)
from .security import headers_for, secure

bp = Blueprint("sparql", __name__)
bp.register_error_handler(Problem, problem_answer)
bp.register_error_handler(RequestEntityTooLarge, too_large_answer)
# Werkzeug decodes the query string as strict UTF-8 when the route first reads it
bp.register_error_handler(UnicodeDecodeError, lambda err: plain(400, "the query string is not UTF-8"))

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
DATASET = ("default-graph-uri", "named-graph-uri")
#: seconds the health check waits for a worker to answer ``ASK {}``
HEALTH_TIMEOUT = 5.0


#: headers of every answer to a query, besides its type and length
ANSWER_HEADERS = {**READ_CORS, "Vary": "Accept"}


def answer(outcome: Outcome) -> Response:
    """The engine's outcome as a response: the spooled body with its length, or a message."""
    if outcome.status != 200:
        return plain(outcome.status, outcome.message)
    response = Response(outcome.body.body(), 200, content_type=outcome.mime, headers=ANSWER_HEADERS)
    response.content_length = outcome.body.size
    return response


def _body_text() -> str:
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "the request body is not UTF-8") from None


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise Problem(400, f"give '{name}' once, not {len(values)} times")
    return values[0] if values else None


def _graphs(params, name: str) -> tuple[str, ...]:
    iris = tuple(params.getlist(name))
    for iri in iris:
        try:
            NamedNode(iri)
        except ValueError:
            raise Problem(400, f"{name} is not an absolute IRI: {iri!r}") from None
    return iris


def _read_request() -> tuple[str | None, str | None, object]:
    """(query, update, parameters) of a protocol request, whatever way it came."""
    if request.method == "GET":
        if "update" in request.args:
            raise Problem(400, "an update must be sent with POST")
        return _one(request.args.getlist("query"), "query"), None, request.args
    mimetype = request.mimetype
    if mimetype == QUERY_BODY:
        _nothing_in_url()
        return _body_text(), None, request.args
    if mimetype in FORMS:
        if _authorised_writer():
            request.max_content_length = current_app.extensions["kg.settings"].max_upload_bytes
        params = request.values  # the form, plus any dataset parameters in the URL
        query, update = _one(params.getlist("query"), "query"), _one(params.getlist("update"), "update")
        if query is not None and update is not None:
            raise Problem(400, "send either 'query' or 'update', not both")
        return query, update, params
    raise Problem(415, f"POST a form ({FORMS[0]}) or a {QUERY_BODY} / {UPDATE_BODY} body, "
                             f"not {mimetype or 'a body without Content-Type'}")


def _nothing_in_url() -> None:
    if "query" in request.args or "update" in request.args:
        raise Problem(400, f"a {request.mimetype} body carries the operation; do not also pass one in the URL")


def _authorised_writer() -> bool:
    return "Authorization" in request.headers and write_refusal() is None


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def sparql():
    if request.method == "OPTIONS":
        return preflight("GET, POST, OPTIONS")
    if request.method == "POST" and request.mimetype == UPDATE_BODY:
        _nothing_in_url()
        return _update(_body_text)  # read only once the token allows the larger body
    query, update, params = _read_request()
    if update is not None:
        return _update(lambda: update)
    if query is None:
        if request.method == "GET" and not any(k in request.args for k in DATASET):
            return described(service_description)
        raise Problem(400, "missing 'query' parameter")
    name = params.get("format")
    dataset = any(k in params for k in DATASET)
    outcome = run_query(engine(), query, name, accept(),
                        _graphs(params, "default-graph-uri") if dataset else None,
                        _graphs(params, "named-graph-uri") if dataset else None)
    if outcome is None:
        wanted = f"format={name}" if name else f"Accept: {request.headers.get('Accept')}"
        return plain(406, f"no format fits {wanted}; for SELECT/ASK: {RESULTS.describe()}; "
                          f"for CONSTRUCT/DESCRIBE: {GRAPHS.describe()}")
    return answer(outcome)


def run_query(engine: Engine, query: str, name: str | None, accept: str | None,
              default_graphs: tuple[str, ...] | None = None,
              named_graphs: tuple[str, ...] | None = None) -> Outcome | None:
    """Negotiate the answer's format and evaluate; None when no format fits (406)."""
    results, graphs = RESULTS.choose(accept, name), GRAPHS.choose(accept, name)
    if results is None and graphs is None:
        return None
    return engine.run(QueryJob(query, results.mime if results else None, graphs.mime if graphs else None,
                               default_graphs, named_graphs))


class Shortcut:
    """WSGI middleware: ``GET /sparql?query=...`` (with at most ``format=``) skips Flask.

    Most traffic is that one request shape (SPARQLWrapper's default, links, the query
    page), and Flask's dispatch (contexts, routing, hooks) cost as much as Oxigraph
    answering a point lookup (benchmarks/RESULTS.md). The shortcut runs the same
    :func:`run_query` and sends the same headers (:data:`ANSWER_HEADERS`,
    :func:`~kg.web.security.headers_for`); every other request, and any such request
    it would refuse, goes on to the Flask app, which answers it in full (so does a
    query string with raw non-ASCII bytes, which Werkzeug decodes as UTF-8). A tested
    promise: the two paths give byte-identical responses.
    """

    def __init__(self, app: Flask):
        self.app, self.inner = app, app.wsgi_app

    def __call__(self, environ: dict, start_response: Callable):
        raw = environ.get("QUERY_STRING", "")
        if environ.get("PATH_INFO") == "/sparql" and environ.get("REQUEST_METHOD") == "GET" and raw.isascii():
            params = dict(pairs := parse_qsl(raw, keep_blank_values=True))
            if "query" in params and len(params) == len(pairs) and params.keys() <= {"query", "format"}:
                outcome = run_query(self.app.extensions["kg.engine"], params["query"], params.get("format"),
                                    environ.get("HTTP_ACCEPT"))
                if outcome is not None:
                    return self._send(outcome, environ, start_response)
        return self.inner(environ, start_response)

    @staticmethod
    def _send(outcome: Outcome, environ: dict, start_response: Callable):
        """An answer already in memory goes back as one piece of bytes with headers put
        together here: a server such as granian then writes it at once, where Werkzeug's
        response iterator would make it ask for each chunk."""
        if outcome.status == 200 and outcome.body.in_memory:
            body = outcome.body.body()
            start_response("200 OK", [("Content-Type", outcome.mime), ("Content-Length", str(len(body))),
                                      *ANSWER_HEADERS.items(), *headers_for(outcome.mime.partition(";")[0])])
            return [body]
        return secure(answer(outcome))(environ, start_response)


def _update(read: Callable[[], str]) -> Response:
    refusal = write_refusal()
    if refusal is not None:
        return refusal
    text = read()
    if any(k in request.values for k in ("using-graph-uri", "using-named-graph-uri")):
        return plain(400, "using-graph-uri and using-named-graph-uri are not supported; "
                          "write USING / USING NAMED in the update")
    settings = current_app.extensions["kg.settings"]
    try:
        check_service(text, settings.allow_service, update=True)
        write(lambda store: store.update(text))
    except SyntaxError as err:
        return plain(400, f"malformed update: {readable(err)}")
    except Refused as err:
        return plain(400, str(err))
    except OSError as err:
        return plain(500, f"update failed: {readable(err)}")
    return Response(status=204)


@bp.get("/health")
def health():
    """200 while a query worker answers ``ASK {}``; 503 (with the reason) when none does."""
    probe = engine().run(ProbeJob(HEALTH_TIMEOUT))
    status = "ok" if probe.status == 200 else "unavailable"
    body = {"status": status, **engine().status(), **({"reason": probe.message} if probe.message else {})}
    return body, 200 if probe.status == 200 else 503

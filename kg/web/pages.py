"""Pages for people and the documents behind every IRI the project mints.

``/`` is a query page: a SPARQL editor preloaded with the example queries of
``kg/queries/*.rq`` (a small script in ``static/query.js`` runs them on ``/sparql``).

Linked data follows the "303 URIs forwarding to different documents" recipe of *Cool
URIs for the Semantic Web*: an IRI ``{base}{rest}`` names a thing (a person, a
statement), so the server answers its path with ``303 See Other`` to a document about
it, ``{rest}.html``, ``.ttl``, ``.jsonld``, ``.nt`` or ``.rdf``, chosen by ``Accept``
(or ``?format=``). The document URLs serve their format directly. An IRI that the
graph holds always wins over reading its last dot as a format suffix, so an article
named ``page.html`` has its HTML page at ``page.html.html``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat

from ..describe import Description, Summary, Vocabulary, describe, holds, serialize_description
from ..rdf import RDF_TYPE, Mapping, mapping
from .context import settings, store
from .formats import TRIPLES

bp = Blueprint("pages", __name__)

QUERIES = Path(__file__).resolve().parents[1] / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: literals longer than this are folded away on pages
LONG_LITERAL = 300
#: classes the query page offers to browse, as (label, CURIE)
BROWSE = (("Persons", "nkg:Person"), ("Governments", "nkg:Government"),
          ("Positions", "nkg:Position"), ("Articles", "nkg:Article"),
          ("Statements", "nkg:Statement"), ("Events", "nkg:Event"), ("Sanctions", "nkg:Sanction"))
#: the only URL schemes a page turns into links; anything else (javascript:, data:) stays text
LINKABLE = ("http://", "https://")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class DocFormat:
    suffix: str
    mime: str
    name: str
    rdf: RdfFormat | None

    @classmethod
    def graph(cls, mime: str, label: str) -> DocFormat:
        """One of the endpoint's graph formats (:data:`~kg.web.formats.TRIPLES`) as a document."""
        return cls(TRIPLES[mime].extension, mime, label, TRIPLES[mime].oxigraph)


HTML = DocFormat("html", "text/html", "HTML", None)
#: the documents about a thing, Turtle first
DOCS = (DocFormat.graph("text/turtle", "Turtle"), HTML, DocFormat.graph("application/ld+json", "JSON-LD"),
        DocFormat.graph("application/n-triples", "N-Triples"), DocFormat.graph("application/rdf+xml", "RDF/XML"))
BY_SUFFIX = {d.suffix: d for d in DOCS}
#: media types a client may ask for, in the order that breaks ties (``*/*`` gets Turtle);
#: the endpoint's other names for each format (``application/json``, ``text/plain``) too
ACCEPTABLE = {**{d.mime: d for d in DOCS}, "application/xhtml+xml": HTML,
              **{m: BY_SUFFIX[TRIPLES[d.mime].extension] for d in DOCS if d.rdf for m in TRIPLES[d.mime].also}}
#: ``?format=`` names, as the endpoint reads them
ALIASES = {name: TRIPLES[d.mime].extension for d in DOCS if d.rdf for name in TRIPLES[d.mime].names}


# ------------------------------------------------------------------ helpers
def _mapping() -> Mapping:
    return mapping(settings().base_iri)


@lru_cache(maxsize=8)
def _vocabulary(m: Mapping) -> Vocabulary:
    return Vocabulary.of(m)


def base_path(base: str) -> str | None:
    """The local path the server answers for IRIs under ``base``; None for hash bases."""
    parts = urlsplit(base)
    return None if parts.fragment or "#" in base else parts.path or "/"


def href(term) -> str | None:
    """Where a link to ``term`` goes: its HTML page if we mint it, else the IRI itself.

    Pages link to the HTML document rather than the IRI, which saves the reader a
    redirect and keeps a ``#fragment`` on the page it names.
    """
    if not isinstance(term, NamedNode):
        return None
    base = _mapping().base
    if term.value.startswith(base) and base_path(base) is not None:
        return url_for("pages.resource", rest=term.value[len(base):] + ".html")
    return term.value if term.value.startswith(LINKABLE) else None


def curie(term: NamedNode) -> str:
    for prefix, ns in _mapping().prefixes.items():
        if term.value.startswith(ns) and len(term.value) > len(ns):
            return f"{prefix}:{term.value[len(ns):]}"
    return term.value


def anchor(term: NamedNode) -> str:
    """The id of a fact's sentence on its article's page."""
    return "f-" + hashlib.sha1(term.value.encode()).hexdigest()[:12]


def _negotiate(fmt: str | None) -> DocFormat | None:
    if fmt:
        return BY_SUFFIX.get(ALIASES.get(fmt, fmt))
    if not request.headers.get("Accept"):
        return DOCS[0]
    best = request.accept_mimetypes.best_match(list(ACCEPTABLE))
    return ACCEPTABLE.get(best) if best else None


# ------------------------------------------------------------------ view model
@dataclass(frozen=True)
class Value:
    """One term as a page shows it: text, where it links, and what it is."""

    text: str
    href: str | None = None
    note: str | None = None
    long: bool = False


@dataclass(frozen=True)
class Row:
    prop: Value
    values: list[Value]


@dataclass(frozen=True)
class Segment:
    """A stretch of article text; ``facts`` is set where a fact's evidence lies."""

    text: str
    facts: tuple[tuple[str, str, str], ...] = ()  # (anchor, href, label)


def _name(term, summaries: dict[NamedNode, Summary]) -> Value:
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        note = f"@{term.language}" if term.language else (
            curie(term.datatype) if dt and dt != XSD + "string" else None)
        return Value(term.value, None, note, len(term.value) > LONG_LITERAL)
    if isinstance(term, BlankNode):
        return Value(f"_:{term.value}")
    s = summaries.get(term) or Summary()
    kind = _kind(s.types)
    if s.label:
        return Value(s.label, href(term), kind)
    if s.evidence:  # a fact is named by its sentence
        return Value(f"{kind or 'Fact'}: {_clip(s.evidence)}", href(term), term.value)
    text = curie(term)
    return Value(text, href(term), kind or (term.value if text != term.value else None))


def _kind(types: list[NamedNode]) -> str | None:
    """Class names, the narrowest first ("Protest Event")."""
    return " ".join(curie(t).split(":")[-1] for t in sorted(types, key=str, reverse=True)) or None


def _clip(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + "…"


def _rows(triples, pick, summaries) -> list[Row]:
    grouped: dict[NamedNode, list[Value]] = {}
    for t in triples:
        grouped.setdefault(t.predicate, []).append(_name(pick(t), summaries))
    return [Row(Value(curie(p), href(p), p.value), sorted(v, key=lambda x: x.text.lower()))
            for p, v in sorted(grouped.items(), key=lambda kv: curie(kv[0]))]


def _segments(text: str, facts: list[tuple[NamedNode, Summary]]) -> list[Segment]:
    """Cut ``text`` at the evidence offsets of ``facts``; overlapping spans merge."""
    spans = sorted((s.begin, s.end, f, s) for f, s in facts
                   if s.begin is not None and s.end is not None and 0 <= s.begin < s.end <= len(text))
    merged: list[list] = []
    for begin, end, fact, summary in spans:
        if merged and begin < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append((fact, summary))
        else:
            merged.append([begin, end, [(fact, summary)]])
    out: list[Segment] = []
    pos = 0
    for begin, end, members in merged:
        if begin > pos:
            out.append(Segment(text[pos:begin]))
        out.append(Segment(text[begin:end], tuple(
            (anchor(f), href(f) or "", _kind(s.types) or "fact")
            for f, s in members)))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _page(desc: Description, rest: str) -> dict:
    """Everything ``resource.html`` shows about one node."""
    vocab = _vocabulary(_mapping())
    sums = desc.summaries
    types = desc.values(RDF_TYPE)
    label = next((v.value for p in vocab.labels for v in desc.values(p)), None)
    kind = _kind(types) or "Resource"
    evidence = next((v.value for v in desc.values(vocab.evidence)), None)
    sources = [_name(a, sums) for a in desc.values(vocab.source)]
    content = next((v.value for v in desc.values(vocab.content)), None)
    yielded = sorted(((t.subject, sums.get(t.subject, Summary())) for t in desc.incoming
                      if t.predicate == vocab.source),
                     key=lambda fs: (fs[1].begin if fs[1].begin is not None else -1, str(fs[0])))
    shown = [t for t in desc.outgoing if t.predicate != vocab.content]
    return {
        "iri": desc.iri.value,
        "title": label or (f"{kind}: {_clip(evidence, 80)}" if evidence else f"{kind} {rest}"),
        "types": [Value(curie(t), href(t), t.value) for t in types],
        "same_as": [Value(v.value, href(v)) for p in vocab.same_as for v in desc.values(p)],
        "evidence": evidence,
        "sources": sources,
        "fact_anchor": anchor(desc.iri),
        "segments": _segments(content, yielded) if content is not None else None,
        "facts": [(_name(f, sums), anchor(f)) for f, _ in yielded],
        "outgoing": _rows(shown, lambda t: t.object, sums),
        "incoming": _rows(desc.incoming, lambda t: t.subject, sums),
        "truncated": desc.truncated,
        "formats": [(d, url_for("pages.resource", rest=f"{rest}.{d.suffix}")) for d in DOCS],
    }


# ------------------------------------------------------------------ routes
@bp.after_request
def security_headers(resp: Response) -> Response:
    """Pages run only their own script and style, and never inside another site's frame."""
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


@bp.get("/")
def index():
    base = _mapping().base
    local = base_path(base)
    return render_template(
        "index.html", examples=_examples(), browse=_browse(), base=base,
        local_base=request.script_root + local if local is not None else "",
        endpoint=url_for("sparql.sparql"), query=request.args.get("query"))


def _examples() -> list[dict[str, str]]:
    """The README's example queries; the first comment line of each is its title."""
    out = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("# ").strip() if first.startswith("#") else path.stem
        out.append({"name": path.stem, "title": title, "query": text})
    return out


def _browse() -> list[tuple[str, str]]:
    """(label, query) pairs that list the nodes of each class with their names."""
    vocab = _vocabulary(_mapping())
    names = [curie(p) for p in (*vocab.labels, vocab.evidence)]
    used = {c.split(":")[0] for c in [*names, *(c for _, c in BROWSE)] if ":" in c}
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _mapping().prefixes.items() if p in used)
    return [(label, f"{prefixes}SELECT ?node ?name WHERE {{\n  ?node a {cls} .\n"
                    f"  OPTIONAL {{ ?node {'|'.join(names)} ?name }}\n}} ORDER BY ?name LIMIT 200\n")
            for label, cls in BROWSE]


def resource(rest: str) -> Response:
    """Dereference ``{base}{rest}``: 303 from a thing to a document, or the document itself."""
    m = _mapping()
    try:
        if holds(store(), m.base + rest):
            return _see_other(rest)
        stem, dot, suffix = rest.rpartition(".")
        doc = BY_SUFFIX.get(suffix) if dot else None
        desc = describe(store(), m.base + stem, _vocabulary(m)) if doc else None
    except ValueError:  # not an IRI at all: nothing the graph could hold
        desc = None
    if desc is None:
        return _not_found(m.base + rest)
    links = ", ".join(f'<{url_for("pages.resource", rest=f"{stem}.{d.suffix}")}>; '
                      f'rel="alternate"; type="{d.mime}"' for d in DOCS if d is not doc)
    headers = {"Link": links, "Access-Control-Allow-Origin": "*"}
    if doc.rdf is None:
        return Response(render_template("resource.html", **_page(desc, stem)), 200,
                        mimetype="text/html", headers=headers)
    return Response(serialize_description(desc, doc.rdf, m.prefixes), 200, mimetype=doc.mime,
                    headers=headers)


def _see_other(rest: str) -> Response:
    doc = _negotiate(request.args.get("format"))
    if doc is None:
        offered = ", ".join(sorted(ACCEPTABLE))
        resp = Response(f"no acceptable format; this IRI has documents in {offered}\n", 406,
                        mimetype="text/plain")
    else:
        resp = redirect(url_for("pages.resource", rest=f"{rest}.{doc.suffix}"), 303)
    resp.headers["Vary"] = "Accept"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def _not_found(iri: str) -> Response:
    if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
        resp = Response(render_template("not_found.html", iri=iri), 404, mimetype="text/html")
    else:
        resp = Response(f"the graph holds nothing about <{iri}>\n", 404, mimetype="text/plain")
    resp.headers["Vary"] = "Accept"
    return resp


@bp.record
def _mount_base(state) -> None:
    """Answer the base IRI's path, which is only known once the app has its settings."""
    path = base_path(mapping(state.app.extensions["kg.settings"].base_iri).base)
    if path is not None:
        state.add_url_rule(f"{path}<path:rest>", "resource", resource)

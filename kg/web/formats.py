"""The media types the endpoint speaks, and content negotiation among them.

A query's answer is either a result table (SELECT, ASK) or a graph (CONSTRUCT,
DESCRIBE), and the two have different formats. A request may name a format with
``format=`` (a short name such as ``csv`` or a media type: handy in a browser's
address bar) or leave it to ``Accept`` with q-values; no ``Accept`` at all gets the
first format of the table. Names mean the natural thing for each kind of answer:
``xml`` is SPARQL Results XML for a table and RDF/XML for a graph. The names that
SPARQLWrapper sends (``rdf+xml``, ``json-ld``, ``n3``, answered with Turtle, which N3
readers read) are understood too.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class Format:
    mime: str                                  #: the media type served
    oxigraph: RdfFormat | QueryResultsFormat   #: Oxigraph's serialiser for it
    names: tuple[str, ...]                     #: values of ``format=`` that choose it
    also: tuple[str, ...] = ()                 #: other media types that ask for it

    @property
    def content_type(self) -> str:
        return f"{self.mime}; charset=utf-8" if self.mime.startswith("text/") else self.mime

    @property
    def extension(self) -> str:
        return self.names[0]


class Table:
    """An ordered set of formats for one kind of answer; the first is the default."""

    def __init__(self, kind: str, formats: Iterable[Format]):
        self.kind = kind
        self.formats = tuple(formats)
        self._by_mime = {m: f for f in self.formats for m in (f.mime, *f.also)}
        self._by_name = {n: f for f in self.formats for n in f.names}
        self._offers = list(self._by_mime)

    def __getitem__(self, mime: str) -> Format:
        return self._by_mime[mime]

    def __contains__(self, mime: str) -> bool:
        return mime in self._by_mime

    def choose(self, accept: str | None, name: str | None = None) -> Format | None:
        """The format that ``format=name`` or else the ``Accept`` header asks for; None if none fits.

        Clients send the same few headers again and again, so answers are remembered.
        """
        return self._choose(accept, name.strip().lower() if name else None)

    @lru_cache(maxsize=256)  # noqa: B019 - tables are module constants, never freed
    def _choose(self, accept: str | None, name: str | None) -> Format | None:
        if name:
            return self._by_name.get(name) or self._by_mime.get(name.split(";")[0].strip())
        if not accept:
            return self.formats[0]
        best = MIMEAccept(parse_accept_header(accept)).best_match(self._offers)
        return self._by_mime[best] if best else None

    def describe(self) -> str:
        """The formats as a reader of an error message needs them."""
        return ", ".join(f"{f.mime} (format={f.names[0]})" for f in self.formats)


RESULTS = Table("a result table (SELECT or ASK)", (
    Format("application/sparql-results+json", QueryResultsFormat.JSON, ("json", "srj"), ("application/json",)),
    Format("application/sparql-results+xml", QueryResultsFormat.XML, ("xml", "srx"), ("application/xml", "text/xml")),
    Format("text/csv", QueryResultsFormat.CSV, ("csv",)),
    Format("text/tab-separated-values", QueryResultsFormat.TSV, ("tsv",)),
))
GRAPHS = Table("a graph (CONSTRUCT or DESCRIBE)", (
    Format("text/turtle", RdfFormat.TURTLE, ("ttl", "turtle", "n3"), ("application/x-turtle", "text/n3")),
    Format("application/n-triples", RdfFormat.N_TRIPLES, ("nt", "ntriples"), ("text/plain",)),
    Format("application/rdf+xml", RdfFormat.RDF_XML, ("rdf", "xml", "rdfxml", "rdf+xml"),
           ("application/xml", "text/xml")),
    Format("application/ld+json", RdfFormat.JSON_LD, ("jsonld", "json-ld", "json"), ("application/json",)),
    Format("application/n-quads", RdfFormat.N_QUADS, ("nq", "nquads")),
    Format("application/trig", RdfFormat.TRIG, ("trig",)),
))
#: formats for one graph
TRIPLES = Table("a graph", GRAPHS.formats[:4])
#: formats that keep named graphs: a whole-store export in one of these keeps each article's graph
DATASETS = Table("a dataset (named graphs)", (GRAPHS["application/trig"], GRAPHS["application/n-quads"]))

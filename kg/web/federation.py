"""SERVICE (federated query) is off unless the operator lists the endpoints allowed.

Oxigraph executes ``SERVICE <iri> { ... }`` itself: it sends an HTTP request to
that IRI from the server. On a public endpoint that would let anyone make the
server fetch arbitrary addresses, its own network included (server-side request
forgery), so a query may only name endpoints in ``allow_service``, and never a
variable (whose value is only known during evaluation).

Most queries never say "service", so the check costs one substring test. A query
that does is parsed with rdflib's SPARQL parser (parsing only; Oxigraph still
evaluates) to find each SERVICE clause with its IRI resolved against PREFIX and BASE;
a query rdflib cannot parse is refused rather than let through unchecked.
"""
from __future__ import annotations

import re

#: SPARQL codepoint escapes, which rdflib expands before parsing
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(Exception):
    """The query is well-formed but asks for something this endpoint does not do."""


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def service_targets(sparql: str, update: bool = False) -> list[str | None]:
    """The endpoint IRI of each SERVICE clause (None for a variable), in query order."""
    if "service" not in _unescape(sparql).lower():
        return []
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.term import URIRef

    try:
        algebra = translateUpdate(parseUpdate(sparql)) if update else translateQuery(parseQuery(sparql))
    except Exception as err:  # noqa: BLE001 - pyparsing and rdflib raise many kinds
        raise Refused("the query mentions SERVICE and could not be checked "
                      f"(rdflib's SPARQL 1.1 parser says: {str(err).splitlines()[0][:200]})") from None
    found: list[str | None] = []
    _walk(algebra, found, URIRef)
    return found


def _walk(node, found: list[str | None], iri_type) -> None:
    if isinstance(node, dict):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node.get("term")
            found.append(str(term) if isinstance(term, iri_type) else None)
        for value in node.values():
            _walk(value, found, iri_type)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, found, iri_type)
    elif hasattr(node, "algebra"):  # rdflib's Query and Update wrappers
        _walk(node.algebra, found, iri_type)


def check_service(sparql: str, allowed: tuple[str, ...], update: bool = False) -> None:
    """Raise :class:`Refused` unless every SERVICE in ``sparql`` names an allowed endpoint."""
    for target in service_targets(sparql, update):
        if target is None:
            raise Refused("SERVICE with a variable endpoint is not allowed here")
        if target not in allowed:
            hint = (f"this endpoint allows: {', '.join(allowed)}" if allowed
                    else "federated queries are disabled on this endpoint")
            raise Refused(f"SERVICE <{target}> is not allowed ({hint})")

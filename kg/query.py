"""Query evaluation and result rendering, all on Oxigraph (no rdflib evaluation)."""
from __future__ import annotations

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

from .store import KGStore

RESULT_FORMATS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
                  "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
GRAPH_FORMATS = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES}


def _cell(term) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def table(solutions: QuerySolutions) -> str:
    """A plain-text table, as the README shows results."""
    names = [v.value for v in solutions.variables]
    rows = [[_cell(s[n]) for n in names] for s in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(names), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    return "\n".join(out) + "\n"


def render(store: KGStore, sparql: str, fmt: str = "table") -> str:
    result = store.query(sparql)
    if isinstance(result, QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, QuerySolutions):
        if fmt == "table":
            return table(result)
        return result.serialize(format=RESULT_FORMATS.get(fmt, QueryResultsFormat.JSON)).decode()
    return result.serialize(format=GRAPH_FORMATS.get(fmt, RdfFormat.TURTLE)).decode()

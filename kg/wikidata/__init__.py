"""Wikidata workflows: the graph's facts as Wikidata claims, and Wikidata's tools on the graph.

``claims`` reads the store into Wikidata-shaped claims with their article sources,
once, for two renderings: ``quickstatements`` (commands an editor can run on
Wikidata) and ``wikibase`` (a view of the graph in the RDF shape of the Wikidata
Query Service). ``reconcile`` answers the W3C Reconciliation Service API over the
graph's persons and governments, and ``link`` proposes Wikidata ids for entities
that have none. What maps to what is data: ``mappings/wikidata.yaml``.
"""
from __future__ import annotations

from datetime import date
from typing import BinaryIO

from ..store import KGStore


def export_to(store: KGStore, fmt: str, out: BinaryIO, base: str, retrieved: date) -> str:
    """Write ``store`` as ``quickstatements`` or ``wikibase`` (Turtle) to ``out``; a summary line."""
    from . import claims, quickstatements, wikibase

    subjects = claims.read(store)
    if fmt == "quickstatements":
        batch = quickstatements.render(subjects, retrieved)
        out.write(batch.text.encode("utf-8"))
        skipped = f"; {len(batch.skipped)} entities with no sourced statement left out" if batch.skipped else ""
        return f"{batch.statements} statement(s), {batch.created} new item(s){skipped}"
    if fmt == "wikibase":
        wikibase.write(out, subjects, retrieved, base)
        return f"{sum(len(s.claims) for s in subjects)} statement(s) in the Wikibase shape"
    raise ValueError(f"unknown Wikidata format {fmt!r}")

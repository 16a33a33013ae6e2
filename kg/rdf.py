"""Extraction -> RDF quads, through the declarative mapping ``mappings/rdf.yaml``.

The mapping names classes, IRI templates and properties; this module only walks
records and applies it. Quads are pyoxigraph terms, ready for the store's bulk
paths without conversion.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from .names import slug
from .records import Extraction
from .resources import load_yaml

DEFAULT_BASE = "https://w3id.org/newskg/id/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Field:
    path: str
    prop: NamedNode
    kind: str
    datatype: NamedNode | None
    template: str | None


@dataclass(frozen=True)
class RecordMap:
    iri: str
    types: tuple[str, ...]
    graph: str | None
    fields: tuple[Field, ...]


class Mapping:
    """The compiled mapping for one base IRI."""

    def __init__(self, base: str = DEFAULT_BASE, mappings_dir: str | None = None):
        data = load_yaml("rdf.yaml", mappings_dir)
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.prefixes: dict[str, str] = data["prefixes"]
        self.entities_graph = NamedNode(data["graphs"]["entities"].format(base=self.base))
        self.records = {name: self._compile(spec) for name, spec in data["records"].items()
                        if name != "Mention"}
        self.mentioned_in = self.term(data["records"]["Mention"]["property"])

    def term(self, curie: str) -> NamedNode:
        prefix, _, local = curie.partition(":")
        if prefix in self.prefixes:
            return NamedNode(self.prefixes[prefix] + local)
        return NamedNode(curie)

    def _compile(self, spec: dict) -> RecordMap:
        fields = tuple(
            Field(path, self.term(f["property"]), f.get("kind", "literal"),
                  self.term(f["datatype"]) if "datatype" in f else None, f.get("template"))
            for path, f in spec.get("fields", {}).items())
        return RecordMap(spec.get("iri", ""), tuple(spec.get("types", [])), spec.get("graph"), fields)

    # ---------------------------------------------------------------- IRIs
    def article_iri(self, identifier: str) -> NamedNode:
        return NamedNode(self.records["Article"].iri.format(base=self.base, slug=_id_slug(identifier)))

    def entity_iri(self, kind: str, name: str) -> NamedNode:
        return NamedNode(self.records[kind].iri.format(base=self.base, slug=slug(name)))

    def position_iri(self, title: str, government: str | None) -> NamedNode:
        key = f"{government}/{title}" if government else title
        return NamedNode(self.records["Position"].iri.format(
            base=self.base, slug="/".join(slug(p) for p in key.split("/"))))


def _id_slug(identifier: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in identifier)


def _fact_id(article: str, kind: str, *parts: Any) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, (article, kind, *parts))).encode()).hexdigest()
    return f"{_id_slug(article)}-{digest[:12]}"


def _literal(value: Any, datatype: NamedNode | None) -> Literal:
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=datatype)
    if isinstance(value, float):
        value = Decimal(str(round(value, 3)))
    return Literal(str(value), datatype=datatype) if datatype else Literal(str(value))


def _get(record: Any, path: str) -> Any:
    for part in path.split("."):
        record = getattr(record, part, None)
        if record is None:
            return None
    return record


class Mapper:
    """Applies a :class:`Mapping` to extractions."""

    def __init__(self, mapping: Mapping):
        self.m = mapping

    def quads(self, ex: Extraction) -> tuple[NamedNode, list[Quad], list[Quad]]:
        """The article's graph name, its quads, and the quads for the entities graph."""
        m = self.m
        art = ex.article
        g = m.article_iri(art.identifier)
        kinds = {e.name: e.kind for e in ex.entities}
        mine: list[Quad] = []
        shared: list[Quad] = []

        def emit(rec: str, node: NamedNode, obj: Any, extra: dict[str, str], out: list[Quad],
                 graph) -> None:
            spec = m.records[rec]
            for t in spec.types:
                out.append(Quad(node, RDF_TYPE, m.term(t.format(**extra)), graph))
            for f in spec.fields:
                self._field(node, f, _get(obj, f.path), kinds, out, graph)

        emit("Article", g, art, {}, mine, g)
        for ent in ex.entities:
            node = m.entity_iri(ent.kind, ent.name)
            emit(ent.kind, node, ent, {}, shared, m.entities_graph)
            mine.append(Quad(node, m.mentioned_in, g, g))
            for pos in ent.positions:
                pnode = m.position_iri(pos.title, pos.government)
                emit("Position", pnode, pos, {}, shared,
                     m.entities_graph)
        prov = m.records["Provenance"]
        for rec, items in (("Statement", ex.statements), ("Event", ex.events),
                           ("Sanction", ex.sanctions)):
            for item in items:
                ev = item.evidence
                fid = _fact_id(art.identifier, rec, ev.start, ev.end, ev.method,
                               getattr(item, "text", getattr(item, "type", "")),
                               *(getattr(item, "speakers", None) or getattr(item, "imposers", None) or []))
                node = NamedNode(m.records[rec].iri.format(base=m.base, id=fid))
                emit(rec, node, item, {"type": getattr(item, "type", "")}, mine, g)
                view = _ProvView(item, str(g.value))
                for f in prov.fields:
                    self._field(node, f, _get(view, f.path), kinds, mine, g)
        return g, mine, shared

    def _field(self, node: NamedNode, f: Field, value: Any, kinds: dict[str, str],
               out: list[Quad], graph) -> None:
        if value is None or value == "" or value == []:
            return
        values = sorted(value) if isinstance(value, (set, frozenset)) else (
            value if isinstance(value, (list, tuple)) else [value])
        m = self.m
        for v in values:
            if f.kind == "literal":
                obj = _literal(v, f.datatype)
            elif f.kind == "iri":
                obj = NamedNode(f.template.format(value=v) if f.template else str(v))
            elif f.kind == "ref":
                obj = m.entity_iri(kinds.get(v, "Person"), v)
            elif f.kind == "ref_government":
                obj = m.entity_iri("Government", v)
            elif f.kind == "ref_position":
                obj = m.position_iri(v.title, v.government)
            else:
                raise ValueError(f"unknown field kind {f.kind!r} in rdf.yaml")
            out.append(Quad(node, f.prop, obj, graph))


@dataclass(frozen=True)
class _ProvView:
    """A fact seen with its article's IRI, for the provenance fields."""

    item: Any
    article: str

    @property
    def evidence(self) -> Any:
        return self.item.evidence


@lru_cache(maxsize=8)
def mapping(base: str = DEFAULT_BASE, mappings_dir: str | None = None) -> Mapping:
    return Mapping(base, mappings_dir)



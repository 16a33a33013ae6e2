"""The gazetteer (``mappings/gazetteer.yaml``): known persons and governments.

It gives each known entity one canonical name whatever spelling an article uses,
its Wikidata id and positions, and tells metonyms ("Moscow said") and adjectives
("Belarusian authorities") which government they stand for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .names import norm, skeleton
from .resources import load_yaml


@dataclass(frozen=True)
class Known:
    """One gazetteer entity."""

    kind: str  # "Person" or "Government"
    name: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    gender: str | None = None
    positions: tuple[tuple[str, str], ...] = ()  # (title, government)
    part_of: str | None = None
    gov_kind: str | None = None  # country | intergovernmental | body
    adjectives: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()


@dataclass
class Gazetteer:
    entries: dict[tuple[str, str], Known] = field(default_factory=dict)
    by_norm: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_skeleton: dict[str, tuple[str, str]] = field(default_factory=dict)
    adjective_of: dict[str, str] = field(default_factory=dict)  # "russian" -> "Russia"
    capital_of: dict[str, str] = field(default_factory=dict)  # "moscow" -> "Russia"
    country_of_place: dict[str, str] = field(default_factory=dict)  # "minsk" -> "Belarus"
    generic_bodies: dict[str, str] = field(default_factory=dict)  # "foreign ministry" -> template
    generic_body_forms: list[tuple[str, str]] = field(default_factory=list)  # as written
    not_entities: frozenset[str] = frozenset()
    not_entity_forms: tuple[str, ...] = ()  # as written, for the entity ruler

    def add(self, known: Known) -> None:
        key = (known.kind, known.name)
        self.entries[key] = known
        for alias in (known.name, *known.aliases):
            self.by_norm.setdefault(norm(alias), key)
            if known.kind == "Person":
                self.by_skeleton.setdefault(skeleton(alias), key)

    def lookup(self, text: str, kind: str | None = None) -> Known | None:
        """The entity a surface form names, by exact form or (persons) transliteration."""
        key = self.by_norm.get(norm(text))
        if key is None and kind in (None, "Person"):
            key = self.by_skeleton.get(skeleton(text))
        if key is None or (kind and key[0] != kind):
            return None
        return self.entries[key]

    def body_of(self, alias: str, country: str | None) -> Known | None:
        """A generic body ("Foreign Ministry") of the given country."""
        template = self.generic_bodies.get(norm(alias))
        if template and country:
            return self.entries.get(("Government", template.format(country=country)))
        return None

    def is_not_entity(self, text: str) -> bool:
        return norm(text) in self.not_entities


@lru_cache(maxsize=None)
def load(mappings_dir: str | None = None) -> Gazetteer:
    data = load_yaml("gazetteer.yaml", mappings_dir)
    never = tuple(data.get("not_entities", []))
    gaz = Gazetteer(not_entities=frozenset(norm(x) for x in never), not_entity_forms=never)
    for p in data.get("persons", []):
        gaz.add(Known("Person", p["name"], tuple(p.get("aliases", [])), p.get("wikidata"),
                      p.get("gender"),
                      tuple((x["title"], x["government"]) for x in p.get("positions", []))))
    countries: list[Known] = []
    for g in data.get("governments", []):
        known = Known("Government", g["name"], tuple(g.get("aliases", [])), g.get("wikidata"),
                      part_of=g.get("part_of"), gov_kind=g.get("kind", "body"),
                      adjectives=tuple(g.get("adjectives", [])),
                      capitals=tuple(g.get("capitals", [])))
        gaz.add(known)
        for adj in known.adjectives:
            gaz.adjective_of.setdefault(norm(adj), known.name)
        for cap in known.capitals:
            gaz.capital_of.setdefault(norm(cap), known.name)
        if known.gov_kind == "country":
            countries.append(known)
    for body in data.get("bodies", []):
        for alias in body.get("aliases", []):
            if "{adj}" not in alias:
                gaz.generic_bodies[norm(alias)] = body["name"]
                gaz.generic_body_forms.append((alias, body["name"]))
        for c in countries:
            aliases = tuple(a.format(adj=adj) for a in body.get("aliases", []) if "{adj}" in a
                            for adj in c.adjectives)
            gaz.add(Known("Government", body["name"].format(country=c.name), aliases,
                          part_of=c.name, gov_kind="body"))
    for country, places in (data.get("places") or {}).items():
        for place in places:
            gaz.country_of_place[norm(place)] = country
    return gaz

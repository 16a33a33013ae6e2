"""``mappings/wikidata.yaml`` compiled: which Wikidata properties and items the graph maps to."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from ..names import norm
from ..resources import load_yaml

WD = "http://www.wikidata.org/entity/"
QID = re.compile(r"^Q[1-9][0-9]*$")


def qid_of(iri_or_id: str | None) -> str | None:
    """The Q-id of a Wikidata entity IRI or id ("Q7747"); None for anything else."""
    if not iri_or_id:
        return None
    local = iri_or_id[len(WD):] if iri_or_id.startswith(WD) else iri_or_id
    return local if QID.match(local) else None


@dataclass(frozen=True)
class WikidataMapping:
    data: dict[str, Any]

    @property
    def ns(self) -> dict[str, str]:
        return self.data["namespaces"]

    def graph(self, name: str, base: str) -> str:
        return self.data["graphs"][name].format(base=base)

    def instance_of(self, kind: str) -> str | None:
        return self.data["instance_of"].get(kind)

    @property
    def p31(self) -> str:
        return self.data["instance_of"]["property"]

    def prop(self, nkg_local: str) -> str:
        return self.data["properties"][nkg_local]

    def qualifier(self, name: str) -> str | None:
        return (self.data.get("position_qualifiers") or {}).get(name)

    @property
    def deprecated(self) -> frozenset[str]:
        return frozenset(self.data.get("deprecated") or ())

    @property
    def skip_for_existing(self) -> frozenset[str]:
        return frozenset(self.data.get("skip_for_existing") or ())

    def position_item(self, title: str, government: str | None) -> str | None:
        """The Wikidata item of a post, from the ``positions`` table ("title / government")."""
        return self._positions.get(norm(f"{title} / {government}" if government else title))

    @cached_property
    def _positions(self) -> dict[str, str]:
        return {norm(k): v for k, v in (self.data.get("positions") or {}).items()}

    @property
    def refs(self) -> dict[str, Any]:
        return self.data["references"]

    @property
    def language(self) -> str:
        return self.refs.get("language", "en")

    def description(self, key: str, **values: str) -> str:
        return self.data["descriptions"][key].format(**values)

    @property
    def link(self) -> dict[str, Any]:
        return self.data["link"]


@lru_cache(maxsize=4)
def load(mappings_dir: str | None = None) -> WikidataMapping:
    return WikidataMapping(load_yaml("wikidata.yaml", mappings_dir))

"""Cross-article entity resolution for names the gazetteer does not know.

Within an article, spellings of one person already meet (surname and
transliteration matching, in :mod:`kg.extract.actors`). Across articles this
registry maps a new person onto one seen before when the full names agree up to
transliteration, or the surnames agree and the first names do not contradict.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .names import skeleton
from .records import Extraction


@dataclass
class Registry:
    full: dict[str, str] = field(default_factory=dict)  # skeleton of full name -> name
    by_surname: dict[str, set[str]] = field(default_factory=dict)

    def seed(self, names: list[str]) -> None:
        """Persons already in the store, so that incremental builds agree with it."""
        for name in names:
            self._remember(name)

    def _remember(self, name: str) -> None:
        parts = name.split()
        self.full.setdefault(skeleton(name), name)
        if len(parts) >= 2:
            self.by_surname.setdefault(skeleton(parts[-1]), set()).add(name)

    def surnames(self) -> dict[str, str]:
        """Surname skeleton -> the one person it names (ambiguous ones left out)."""
        return {k: next(iter(v)) for k, v in self.by_surname.items() if len(v) == 1}

    def surname_owner(self, key: str) -> str | None:
        """``surnames().get(key)`` without building the whole mapping."""
        owners = self.by_surname.get(key, ())
        return next(iter(owners)) if len(owners) == 1 else None

    def canonical(self, name: str) -> str:
        sk = skeleton(name)
        if sk in self.full:
            return self.full[sk]
        parts = sk.split()
        owners = self.by_surname.get(parts[-1], set()) if parts else set()
        if len(owners) == 1:
            other = next(iter(owners))
            if skeleton(other).split()[0][:1] == parts[0][:1]:
                return other
        return name

    def resolve(self, ex: Extraction, known: set[str]) -> Extraction:
        """Rename new persons of one article onto earlier ones, then remember them."""
        renames: dict[str, str] = {}
        for ent in ex.entities:
            if ent.kind != "Person" or ent.name in known:
                continue
            canon = self.canonical(ent.name)
            if canon != ent.name:
                renames[ent.name] = canon
                ent.aliases.add(ent.name)
                ent.name = canon
            self._remember(ent.name)
        if renames:
            def r(names: list[str]) -> list[str]:
                return [renames.get(n, n) for n in names]
            for st in ex.statements:
                st.speakers, st.addressees, st.mentions = r(st.speakers), r(st.addressees), r(st.mentions)
            for ev in ex.events:
                ev.participants = r(ev.participants)
            for sa in ex.sanctions:
                sa.imposers, sa.targets = r(sa.imposers), r(sa.targets)
        return ex

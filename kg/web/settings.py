"""Server settings: one frozen object, from keyword arguments or ``KG_*`` variables.

Every limit has a default that keeps a public endpoint safe (read-only, bounded
queries, no federation); operators loosen them explicitly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from ..rdf import DEFAULT_BASE


@dataclass(frozen=True)
class Settings:
    base_iri: str = DEFAULT_BASE
    #: seconds a query may run before it is stopped (HTTP 503)
    query_timeout: float = 30.0
    #: most result rows (SELECT) or triples (CONSTRUCT/DESCRIBE) one response carries
    max_results: int = 100_000
    #: bearer token that enables SPARQL Update and Graph Store writes; None = read-only
    write_token: str | None = None
    #: endpoint IRIs a query may reach with SERVICE; empty = federation disabled
    allow_service: tuple[str, ...] = ()
    #: largest request body accepted (bytes)
    max_request_bytes: int = 1_000_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Defaults, then ``KG_<FIELD>`` environment variables, then ``overrides``."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"KG_{f.name.upper()}")
            if raw is None:
                continue
            if f.name == "allow_service":
                values[f.name] = tuple(s for s in raw.replace(",", " ").split() if s)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            elif f.type in ("int", int):
                values[f.name] = int(raw)
            else:
                values[f.name] = raw or None
        return replace(cls(**values), **{k: v for k, v in overrides.items() if v is not None})

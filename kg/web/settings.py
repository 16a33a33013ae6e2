"""Server settings: one frozen object, from keyword arguments or ``KG_*`` variables.

Every limit has a default that keeps a public endpoint safe (read-only, bounded
queries, no federation); operators loosen them explicitly. Each field ``name`` is
read from the environment variable ``KG_NAME`` (``KG_QUERY_TIMEOUT=10``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from ..rdf import DEFAULT_BASE


@dataclass(frozen=True)
class Settings:
    base_iri: str = DEFAULT_BASE
    #: seconds a query may run, from dispatch to its last byte, before it is stopped (HTTP 503)
    query_timeout: float = 30.0
    #: largest serialised query result (bytes); a larger one is refused (HTTP 422)
    max_result_bytes: int = 50_000_000
    #: bearer token that enables SPARQL Update and Graph Store writes; None = read-only
    write_token: str | None = None
    #: endpoint IRIs a query may reach with SERVICE; empty = federation disabled
    allow_service: tuple[str, ...] = ()
    #: largest request body accepted without the write token (bytes; HTTP 413 beyond)
    max_request_bytes: int = 1_000_000
    #: largest request body accepted with the write token (uploads to the Graph Store)
    max_upload_bytes: int = 200_000_000
    #: query worker processes; 0 = two per CPU core (a stuck query blocks only its worker)
    query_workers: int = 0
    #: where queries run: "processes" (query workers, stopped at the time limit) or "inline"
    #: (in the serving thread: faster, but with no time limit, like ``oxigraph serve``)
    query_engine: str = "processes"
    #: address-space limit of each query worker (bytes); 0 = none
    worker_memory: int = 4_000_000_000
    #: bytes of answers kept to replay repeated queries until the next write; 0 = no cache
    result_cache_bytes: int = 64_000_000
    #: seconds the dataset statistics (VoID, service description) may take to compute
    stats_timeout: float = 300.0

    @property
    def workers(self) -> int:
        """The number of query worker processes to run."""
        return self.query_workers or 2 * (os.cpu_count() or 1)

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
                values[f.name] = _words(raw)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            elif f.type in ("int", int):
                values[f.name] = int(float(raw))
            else:
                values[f.name] = raw or None
        overrides = {k: v for k, v in overrides.items() if v is not None}
        if isinstance(overrides.get("allow_service"), str):
            overrides["allow_service"] = _words(overrides["allow_service"])
        return replace(cls(**values), **overrides)


def _words(text: str) -> tuple[str, ...]:
    """A list given as one string, separated by spaces or commas."""
    return tuple(text.replace(",", " ").split())

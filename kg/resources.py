"""Where the project's data lives: ``mappings/`` and ``ontology/``.

They sit beside the package in a checkout (the supported install is editable, so
users edit the data in place); ``KG_MAPPINGS`` and ``KG_ONTOLOGY`` point elsewhere.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def mappings_dir(override: str | None = None) -> Path:
    return Path(override or os.environ.get("KG_MAPPINGS") or ROOT / "mappings")


def ontology_dir() -> Path:
    return Path(os.environ.get("KG_ONTOLOGY") or ROOT / "ontology")


@lru_cache(maxsize=None)
def load_yaml(name: str, override: str | None = None) -> Any:
    """Read one mapping file; a missing or broken file is a clear error, not a traceback."""
    path = mappings_dir(override) / name
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise FileNotFoundError(f"mapping file not found: {path} (set KG_MAPPINGS?)") from None
    except yaml.YAMLError as err:
        raise ValueError(f"mapping file {path} is not valid YAML: {err}") from None

"""Access to the app's store, settings and query engine from inside a request."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from pyoxigraph import Store

from ..store import KGStore
from .engine import Engine
from .settings import Settings

T = TypeVar("T")


def store() -> KGStore:
    return current_app.extensions["kg.store"]


def settings() -> Settings:
    return current_app.extensions["kg.settings"]


def engine() -> Engine:
    return current_app.extensions["kg.engine"]


def write(change: Callable[[Store], T]) -> T:
    """Apply ``change`` to the writable store, one writer at a time, then show it to queries."""
    with current_app.extensions["kg.write_lock"]:
        result = change(store().store)
        engine().refresh()
    return result
